"""What a classification run is made of, and ``run.json``: the identity a resume must match.

A run is fully determined by the data set, the ruleset, the decision date and the
:class:`RunOptions`; the engine that schedules the partitions (local threads or Dask) is not
part of it, since every engine writes the same bytes. ``run.json`` is written into the work
directory before the first partition, and ``--resume`` continues a work directory only if its
``run.json`` is identical to the new run's.

Examples:
    >>> RunOptions().decisions, RunOptions(decisions="wide").to_dict()["decisions"]
    ('compact', 'wide')
    >>> RunOptions(decisions="all")
    Traceback (most recent call last):
    ...
    allocator.errors.DataError: --decisions: unknown layout 'all' (choose compact, wide or none)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.backends.base import BackendName
from allocator.backends.registry import backend
from allocator.domain.tables import TABLE_SCHEMAS
from allocator.errors import DataError

#: Per-household output layouts: eligible pairs, one wide row per household, or none.
DECISION_LAYOUTS = ("compact", "wide", "none")
RUN_FILE = "run.json"
METADATA_FILE = "metadata.json"
#: Bytes at the end of each data file that go into its fingerprint (the Parquet footer).
_TAIL = 1 << 16


@dataclass(frozen=True)
class RunOptions:
    """Options that change what a run writes (and so must match on resume).

    Attributes:
        backend: ``vector`` (bulk arrays) or ``durable`` (one household at a time).
        decisions: ``compact`` (one row per eligible household and service), ``wide`` (one
            row per household, six columns per service) or ``none``.
    """

    backend: str = BackendName.VECTOR
    decisions: str = "compact"

    def __post_init__(self) -> None:
        if self.decisions not in DECISION_LAYOUTS:
            raise DataError(
                f"--decisions: unknown layout {self.decisions!r} "
                f"(choose {', '.join(DECISION_LAYOUTS[:-1])} or {DECISION_LAYOUTS[-1]})"
            )
        backend(self.backend)  # fails on a name no backend has

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def fingerprint(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of the last 64 KiB of a file (for Parquet: the footer and more)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - _TAIL))
        tail = fh.read()
    return {"bytes": size, "tail_sha256": hashlib.sha256(tail).hexdigest()}


def data_seed(data_dir: Path) -> int | None:
    """The generator seed recorded in the data directory's ``metadata.json``, if any."""
    try:
        meta = json.loads((data_dir / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    seed = meta.get("seed") if isinstance(meta, dict) else None
    return seed if isinstance(seed, int) else None


def run_identity(
    data_dir: Path, ruleset: RuleSet, day: date, options: RunOptions, row_groups: int
) -> dict[str, Any]:
    """The content of ``run.json`` (no timestamp, no timing: resumed runs write the same)."""
    return {
        "data_dir": str(Path(data_dir).resolve()),
        "data_files": {name: fingerprint(data_dir / name) for name in TABLE_SCHEMAS},
        "data_seed": data_seed(data_dir),
        "row_groups": row_groups,
        "ruleset": ruleset.identity(),
        "date": day.isoformat(),
        "options": options.to_dict(),
    }


def write_run_file(work_dir: Path, identity: dict[str, Any]) -> None:
    """Write ``run.json`` (through a temporary name, so it is whole or absent)."""
    path = work_dir / RUN_FILE
    tmp = work_dir / f".{RUN_FILE}.tmp"
    tmp.write_text(json.dumps(identity, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def check_resumable(work_dir: Path, identity: dict[str, Any]) -> bool:
    """Whether ``work_dir`` holds a run with this identity (``False``: nothing to resume).

    Raises:
        DataError: the work directory was made by a different run (it names what differs).
    """
    path = work_dir / RUN_FILE
    if not path.is_file():
        return False
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    differs = sorted(k for k in identity.keys() | found.keys() if found.get(k) != identity.get(k))
    if differs:
        raise DataError(
            f"cannot resume {work_dir}: it was made with different {', '.join(differs)}; "
            "run without --resume to start afresh"
        )
    return True
