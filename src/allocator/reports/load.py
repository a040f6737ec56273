"""Read what a report shows from a run directory or a sweep directory.

A sweep directory has ``sweep.parquet``; a run directory has ``summary.json`` and the
plan's Parquet files. Either is checked against its manifest first when it has one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.errors import DataError
from allocator.outputs import verify_dir
from allocator.outputs.kinds import expect_kind
from allocator.outputs.manifest import MANIFEST


@dataclass(frozen=True)
class RunData:
    """A run directory's summary and tables."""

    path: Path
    summary: dict[str, Any]
    allocation: pa.Table
    neighborhoods: pa.Table
    shadow_prices: pa.Table


@dataclass(frozen=True)
class SweepData:
    """A sweep directory's description and its one-row-per-variant table."""

    path: Path
    info: dict[str, Any]
    table: pa.Table

    @property
    def names(self) -> list[str]:
        """The varied names, in ``--vary`` order."""
        return [str(v["name"]) for v in self.info.get("vary", [])]


def _json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    return data


def _table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None


def load_result(directory: Path) -> RunData | SweepData:
    """The run or sweep in ``directory``.

    Raises:
        DataError: not a run or sweep directory, a file fails its manifest, or a file is
            unreadable.
    """
    directory = Path(directory)
    expect_kind(directory, ("run", "sweep"), "allocator report")
    if (directory / MANIFEST).is_file():
        problems = verify_dir(directory)
        if problems:
            raise DataError(f"{directory}: " + "; ".join(problems[:5]))
    if (directory / "sweep.parquet").is_file():
        return SweepData(
            directory, _json(directory / "sweep.json"), _table(directory / "sweep.parquet")
        )
    if (directory / "summary.json").is_file():
        return RunData(
            directory,
            _json(directory / "summary.json"),
            _table(directory / "allocation.parquet"),
            _table(directory / "neighborhoods.parquet"),
            _table(directory / "shadow_prices.parquet"),
        )
    raise DataError(f"{directory}: neither a run (summary.json) nor a sweep (sweep.parquet)")
