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
    if pa.types.is_boolean(column.type) and not column.null_count and dtype is np.bool_:
        return _bits(column), null
    if column.null_count:
        null = column.is_null().to_numpy(zero_copy_only=False)
        column = column.fill_null(False if dtype is np.bool_ else 0)
    values = column.to_numpy()
    if dtype is not None and values.dtype != dtype:
        values = values.astype(dtype)
    return values, null


def _bits(column: pa.ChunkedArray) -> BoolArray:
    """A boolean column without nulls, unpacked from Arrow's bitmaps (16x ``to_numpy``).

    Examples:
        >>> _bits(pa.chunked_array([[True, False, True], [], [False, True]])[1:]).tolist()
        [False, True, False, True]
    """
    parts = []
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        bits = np.frombuffer(chunk.buffers()[1], dtype=np.uint8)
        end = chunk.offset + len(chunk)
        parts.append(np.unpackbits(bits, count=end, bitorder="little")[chunk.offset :])
    if not parts:
        return np.zeros(0, dtype=np.bool_)
    joined = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return joined.view(np.bool_)
