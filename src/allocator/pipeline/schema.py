"""Check a data directory's tables against :mod:`allocator.domain.tables` before any work.

A column may be stored narrower or wider than the layout says as long as it keeps its kind
(an ``int16`` household id is fine, a ``double`` income is not); enum columns may be plain or
dictionary-encoded strings.

Examples:
    >>> import pyarrow as pa
    >>> check_schema("members.parquet", pa.schema([("household_id", pa.float64())]))
    Traceback (most recent call last):
    ...
    allocator.errors.DataError: members.parquet: column 'household_id' has type double, ...
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.domain.tables import TABLE_SCHEMAS
from allocator.errors import DataError


def _kind(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _kind(t.value_type)
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_floating(t):
        return "float"
    return str(t)


def check_schema(table: str, found: pa.Schema) -> None:
    """Raise :class:`DataError` naming ``table`` and the column if ``found`` does not fit."""
    expected = TABLE_SCHEMAS[table]
    for field in expected:
        index = found.get_field_index(field.name)
        if index < 0:
            raise DataError(
                f"{table}: missing column '{field.name}' ({field.type})",
                table=table,
                column=field.name,
            )
        actual = found.field(index).type
        if _kind(actual) != _kind(field.type):
            raise DataError(
                f"{table}: column '{field.name}' has type {actual}, expected {field.type}",
                table=table,
                column=field.name,
            )


def open_tables(data_dir: Path) -> dict[str, pq.ParquetFile]:
    """Open the three tables of ``data_dir`` (enum columns read as dictionaries), checked.

    Raises:
        DataError: a table is missing or unreadable, a column is missing or has the wrong
            type, or households and members have different numbers of row groups.
    """
    files: dict[str, pq.ParquetFile] = {}
    for table, schema in TABLE_SCHEMAS.items():
        path = data_dir / table
        if not path.is_file():
            raise DataError(f"{table}: no such file in {data_dir}", table=table)
        try:
            check_schema(table, pq.read_schema(path))
            strings = [f.name for f in schema if f.type == pa.string()]
            files[table] = pq.ParquetFile(path, read_dictionary=strings)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{table}: cannot read: {exc}", table=table) from None
    households, members = files["households.parquet"], files["members.parquet"]
    if households.num_row_groups != members.num_row_groups:
        raise DataError(
            f"households.parquet has {households.num_row_groups} row groups but "
            f"members.parquet has {members.num_row_groups}; row group i of members must hold "
            "the members of row group i of households",
            table="members.parquet",
        )
    return files
