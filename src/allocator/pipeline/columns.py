"""Arrow columns to NumPy: enum strings to codes through their dictionaries, nulls flagged.

Examples:
    >>> import pyarrow as pa
    >>> col = pa.chunked_array([pa.array(["male", None, "femal", "female"]).dictionary_encode()])
    >>> codes, bad = enum_column(col, "sex")
    >>> codes.tolist(), bad.tolist()
    ([1, -1, -1, 0], [False, True, True, False])
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain.enums import ENUM_TYPES
from allocator.types import Array, BoolArray


def enum_column(column: pa.ChunkedArray, enum: str) -> tuple[Array, BoolArray]:
    """Codes (int8, ``-1`` when invalid) and a mask of null or unknown values."""
    values = ENUM_TYPES[enum]
    index = {v: i for i, v in enumerate(values)}
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        dictionary = chunk.dictionary.cast(pa.string()).to_pylist()
        indices = chunk.indices
        if indices.null_count:
            indices = pc.fill_null(indices, len(dictionary))
        raw = indices.to_numpy(zero_copy_only=False)
        if dictionary == list(values[: len(dictionary)]) and not chunk.null_count:
            parts.append(raw.astype(np.int8))  # already in code order: no look-up
            continue
        lookup = np.array([index.get(v, -1) for v in dictionary] + [-1], dtype=np.int8)
        parts.append(lookup[raw])
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8)
    return codes, codes < 0


def numeric_column(
    column: pa.ChunkedArray, dtype: type[np.generic] | None = None
) -> tuple[Array, BoolArray]:
    """Values as ``dtype`` (``None``: as stored; nulls as 0) and a mask of nulls.

    Examples:
        >>> values, bad = numeric_column(pa.chunked_array([[3, None]]), np.int64)
        >>> values.tolist(), bad.tolist()
        ([3, 0], [False, True])
    """
    null = np.zeros(len(column), dtype=np.bool_)
    if column.null_count:
        null = column.is_null().to_numpy(zero_copy_only=False)
        column = column.fill_null(False if dtype is np.bool_ else 0)
    values = column.to_numpy()
    if dtype is not None and values.dtype != dtype:
        values = values.astype(dtype)
    return values, null
