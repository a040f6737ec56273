"""Arrow tables from generated columns: enum codes become dictionary-encoded strings.

Tables carry the :func:`dictionary_schema` of the target schema. Written to Parquet without
the Arrow schema in the file metadata (``store_schema=False``), their dictionary columns read
back as plain strings, so the files have exactly the schemas of :mod:`allocator.domain.tables`,
while nothing is hashed or copied to encode them.

Examples:
    >>> import numpy as np
    >>> from allocator.domain.tables import HOUSEHOLDS_SCHEMA
    >>> dictionary_schema(HOUSEHOLDS_SCHEMA).field("housing").type
    DictionaryType(dictionary<values=string, indices=int8, ordered=0>)
    >>> schema = pa.schema([("housing", pa.string())])
    >>> to_table({"housing": np.array([3], np.int8)}, schema, {"housing": "housing"}).to_pylist()
    [{'housing': 'homeless'}]
"""

from __future__ import annotations

import pyarrow as pa

from allocator.domain.enums import ENUM_TYPES
from allocator.types import Array

_DICTIONARIES = {name: pa.array(values, pa.string()) for name, values in ENUM_TYPES.items()}


def dictionary_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its string columns as ``dictionary<int8, string>``."""
    dict_type = pa.dictionary(pa.int8(), pa.string())
    return pa.schema([f.with_type(dict_type) if f.type == pa.string() else f for f in schema])


def _column(values: Array, field: pa.Field, enum: str | None) -> pa.Array:
    if enum is not None:  # int8 codes into the enum's values, in ENUM_TYPES order
        return pa.DictionaryArray.from_arrays(pa.array(values, pa.int8()), _DICTIONARIES[enum])
    return pa.array(values, type=field.type)


def to_table(columns: dict[str, Array], schema: pa.Schema, enums: dict[str, str]) -> pa.Table:
    """A table of ``columns`` with the :func:`dictionary_schema` of ``schema``.

    Args:
        columns: a NumPy array per column of ``schema``.
        schema: the target schema.
        enums: for each string column, the name of its enum in ``ENUM_TYPES``.
    """
    arrays = [_column(columns[f.name], f, enums.get(f.name)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=dictionary_schema(schema))
