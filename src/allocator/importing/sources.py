"""A data set read for reconciliation: its households, members and case files, by row.

The source's name and its case files come from ``case_files.parquet`` (written by ``allocator
import``); a data set without one (a synthetic one, say) is named after its directory, its
case file numbers are its household ids, and it holds no case files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.domain.tables import (
    HOUSEHOLDS_FILE,
    MEMBERS_FILE,
    NEIGHBORHOODS_FILE,
    NEIGHBORHOODS_SCHEMA,
)
from allocator.errors import DataError
from allocator.pipeline.schema import open_tables

CASE_FILES_FILE = "case_files.parquet"


@dataclass
class Source:
    """One agency's data set, as rows (dicts) with its members grouped by household."""

    index: int
    name: str
    directory: Path
    households: list[dict[str, Any]]
    members: list[list[dict[str, Any]]]
    case_files: list[str]
    holds_case_files: bool

    def __len__(self) -> int:
        return len(self.households)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    """The rows of ``table`` as dicts; dictionary columns decoded first (``to_pylist`` of a
    dictionary column is about seven times slower than of its plain values)."""
    plain = pa.schema(
        [
            f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
            for f in table.schema
        ]
    )
    columns = [column.to_pylist() for column in table.cast(plain).columns]
    names = table.column_names
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def read_source(index: int, directory: Path) -> Source:
    """Read the data set at ``directory`` (checked as ``allocator classify`` checks it)."""
    directory = Path(directory)
    files = open_tables(directory)
    households = _rows(files[HOUSEHOLDS_FILE].read())
    member_rows = _rows(files[MEMBERS_FILE].read())
    position = {h["household_id"]: i for i, h in enumerate(households)}
    if len(position) != len(households):
        raise DataError(f"{directory}: household ids are not unique", table=HOUSEHOLDS_FILE)
    members: list[list[dict[str, Any]]] = [[] for _ in households]
    for m in member_rows:
        row = position.get(m["household_id"])
        if row is None:
            raise DataError(
                f"{directory}: a member of household {m['household_id']}, which is not in "
                f"{HOUSEHOLDS_FILE}",
                table=MEMBERS_FILE,
            )
        m.setdefault("national_id", None)
        members[row].append(m)
    name, cases, holds = directory.name, [str(h["household_id"]) for h in households], False
    case_path = directory / CASE_FILES_FILE
    if case_path.is_file():
        table = pq.read_table(case_path).to_pylist()
        by_id = {r["household_id"]: r for r in table}
        cases = [str(by_id[h["household_id"]]["case_file"]) for h in households]
        if table:
            name, holds = str(table[0]["source"]), bool(table[0]["holds_case_files"])
    else:
        meta = directory / "metadata.json"
        if meta.is_file():
            name = str(json.loads(meta.read_text(encoding="utf-8")).get("source", name))
    return Source(index, name, directory, households, members, cases, holds)


def neighborhoods_file(directories: list[Path]) -> Path:
    """The neighborhoods table all the data sets share; different tables are an error."""
    first = Path(directories[0]) / NEIGHBORHOODS_FILE
    names = NEIGHBORHOODS_SCHEMA.names
    reference = pq.read_table(first).select(names).to_pylist()
    for directory in directories[1:]:
        other = pq.read_table(Path(directory) / NEIGHBORHOODS_FILE).select(names).to_pylist()
        if other != reference:
            raise DataError(
                f"{directory} and {directories[0]} have different neighborhoods; "
                "reconcile data sets imported against the same neighborhoods",
                table=NEIGHBORHOODS_FILE,
            )
    return first
