"""Write an assembled import as a data set: the layout ``allocator synth`` writes.

``households.parquet`` and ``members.parquet`` (row group ``i`` of members holds the members
of row group ``i`` of households), ``neighborhoods.parquet`` (the neighborhoods the
households were checked against), ``metadata.json``, plus what an import adds:
``case_files.parquet`` (each household's case file number in the agency's files, which
``allocator reconcile`` reads) and the rejects, ``rejects.parquet`` and ``rejects.csv``
(file, row, column, value, reason; national IDs masked).
"""

from __future__ import annotations

import json
from collections.abc import Mapping as Mapping_
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from allocator.data.arrow import dictionary_schema
from allocator.data.writer import COMPRESSION
from allocator.domain.enums import ENUM_TYPES
from allocator.domain.tables import (
    HOUSEHOLDS_FILE,
    HOUSEHOLDS_SCHEMA,
    MEMBERS_FILE,
    MEMBERS_SCHEMA,
    NATIONAL_ID,
    NEIGHBORHOODS_FILE,
)
from allocator.importing.assemble import Assembled
from allocator.importing.load import Loaded, Reject
from allocator.importing.mapping import HOUSEHOLD_FIELDS, MEMBER_FIELDS, Mapping

CASE_FILES_FILE = "case_files.parquet"
REJECTS_FILE = "rejects.parquet"
REJECTS_CSV = "rejects.csv"
METADATA_FILE = "metadata.json"
MEMBERS_WITH_ID = pa.schema([*MEMBERS_SCHEMA, NATIONAL_ID])
CASE_FILES_SCHEMA = pa.schema(
    [
        pa.field("household_id", pa.int64(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("case_file", pa.string(), nullable=False),
        pa.field("holds_case_files", pa.bool_(), nullable=False),
    ]
)
REJECTS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("row", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
    ]
)


def _array(field: pa.Field, values: Any, enum: str | None) -> pa.Array:
    if enum is not None:
        codes = pa.array(np.asarray(values, dtype=np.int8), pa.int8())
        return pa.DictionaryArray.from_arrays(codes, pa.array(ENUM_TYPES[enum], pa.string()))
    if isinstance(values, pa.Array):
        return values.cast(field.type)
    return pa.array(np.asarray(values).astype(field.type.to_pandas_dtype()), field.type)


def _constant(value: Any, n: int, enum: str | None) -> Any:
    if enum is not None:
        return np.full(n, ENUM_TYPES[enum].index(value), dtype=np.int8)
    return np.full(n, value)


def _table(
    schema: pa.Schema,
    loaded: Loaded,
    rows: Any,
    ids: Any,
    kinds: Mapping_[str, tuple[str, str | None]],
    constants: dict[str, Any],
) -> pa.Table:
    arrays = [pa.array(ids, pa.int64())]
    for field in list(schema)[1:]:
        kind, enum = kinds[field.name]
        enum = enum if kind == "enum" else None
        if field.name in loaded.columns:
            column = loaded.columns[field.name]
            picked = column.take(pa.array(rows)) if isinstance(column, pa.Array) else column[rows]
        elif field.name in constants:
            picked = _constant(constants[field.name], len(rows), enum)
        else:  # an optional field the mapping leaves out (the national ID)
            picked = pa.nulls(len(rows), field.type)
        arrays.append(_array(field, picked, enum))
    return pa.Table.from_arrays(arrays, schema=_disk_schema(schema))


def _disk_schema(schema: pa.Schema) -> pa.Schema:
    """Enum columns as dictionaries; the national ID (one value a person) as plain text."""
    if schema.get_field_index(NATIONAL_ID.name) < 0:
        return dictionary_schema(schema)
    return dictionary_schema(schema.remove(schema.get_field_index(NATIONAL_ID.name))).append(
        NATIONAL_ID
    )


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        _disk_schema(schema),
        compression=COMPRESSION,
        use_dictionary=[f.name for f in schema if f.type == pa.string() and f != NATIONAL_ID],
        column_encoding={"household_id": "DELTA_BINARY_PACKED"},
        store_schema=False,
    )


def write_rejects(directory: Path, rejects: list[Reject]) -> None:
    """``rejects.parquet`` and ``rejects.csv``, in file and row order."""
    ordered = sorted(rejects, key=lambda r: (r[0], r[1], r[2]))
    columns: list[Any] = list(zip(*ordered, strict=True)) if ordered else [[]] * 5
    table = pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, REJECTS_SCHEMA, strict=True)],
        schema=REJECTS_SCHEMA,
    )
    pq.write_table(table, directory / REJECTS_FILE, compression=COMPRESSION)
    pacsv.write_csv(table, directory / REJECTS_CSV)


def write_import(
    directory: Path,
    mapping: Mapping,
    households: Loaded,
    members: Loaded,
    result: Assembled,
    neighborhoods: pa.Table,
    *,
    row_group_households: int,
    metadata: dict[str, Any],
) -> dict[str, int]:
    """Write the data set of ``result`` into ``directory``; its counts."""
    n = len(result.households)
    ids = np.arange(1, n + 1, dtype=np.int64)
    member_start = np.searchsorted(result.member_household, ids, side="left")
    bounds = list(range(0, n, row_group_households)) or [0]

    def write_households() -> None:
        with _writer(directory / HOUSEHOLDS_FILE, HOUSEHOLDS_SCHEMA) as out:
            for start in bounds:
                stop = min(start + row_group_households, n)
                table = _table(
                    HOUSEHOLDS_SCHEMA,
                    households,
                    result.households[start:stop],
                    ids[start:stop],
                    HOUSEHOLD_FIELDS,
                    mapping.households.constants,
                )
                out.write_table(table, row_group_size=max(table.num_rows, 1))

    def write_members() -> None:
        with _writer(directory / MEMBERS_FILE, MEMBERS_WITH_ID) as out:
            for start in bounds:
                stop = min(start + row_group_households, n)
                m_from = int(member_start[start]) if start < n else 0
                m_to = int(member_start[stop]) if stop < n else len(result.members)
                table = _table(
                    MEMBERS_WITH_ID,
                    members,
                    result.members[m_from:m_to],
                    result.member_household[m_from:m_to],
                    MEMBER_FIELDS,
                    mapping.members.constants,
                )
                out.write_table(table, row_group_size=max(table.num_rows, 1))

    # Parquet encoding and compression release the GIL: the members file, the longest, is
    # written in a thread of its own while this one writes the others one after the other
    # (two threads for two cores: a third would slow the members file down)
    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(write_members)
        write_households()
        pq.write_table(neighborhoods, directory / NEIGHBORHOODS_FILE, compression=COMPRESSION)
        case_files = pa.Table.from_arrays(
            [
                pa.array(ids),
                pa.repeat(pa.scalar(mapping.source, pa.string()), n),
                households.key.take(pa.array(result.households)),
                pa.repeat(pa.scalar(mapping.holds_case_files, pa.bool_()), n),
            ],
            schema=CASE_FILES_SCHEMA,
        )
        pq.write_table(case_files, directory / CASE_FILES_FILE, compression=COMPRESSION)
        done.result()
    write_rejects(directory, result.rejects)
    counts = {
        "households": n,
        "members": len(result.members),
        "households_read": len(households),
        "member_rows_read": len(members),
        "households_rejected": result.rejected_households,
        "reject_rows": len(result.rejects),
    }
    meta = {
        "generator": "allocator.importing",
        **metadata,
        "row_group_households": row_group_households,
        "row_groups": len(bounds),
        "compression": COMPRESSION,
        "counts": counts,
    }
    (directory / METADATA_FILE).write_text(
        json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return counts
