"""Persian and Arabic-Indic digits, thousands separators and letter variants, normalized.

Agencies type ``۱۲۳٬۴۵۶`` (Persian digits, Arabic thousands separator) or ``١٢٣,٤٥٦``
(Arabic-Indic digits) where the schema wants ``123456``. Two forms of the same work:

- :func:`normalize_text` for one string (the distinct values of a column, a mapping's keys):
  digits to ASCII, Arabic ``ي``/``ك`` to Persian ``ی``/``ک``, zero-width non-joiners and
  surrounding spaces removed, so that ``"بي‌خانمان "`` and ``"بی خانمان"`` compare equal only
  where they should (spaces inside are kept).
- :func:`ascii_digits` for a whole Arrow string column (millions of national IDs or incomes):
  the UTF-8 bytes of the two-byte digits are rewritten with NumPy, without a Python loop;
  with ``drop_separators`` the separators ``,`` ``٬`` ``،`` go too.

Examples:
    >>> normalize_text("  ۱۲۳٬۴۵۶ ")
    '123٬456'
    >>> normalize_text("علي") == normalize_text("علی")
    True
    >>> import pyarrow as pa
    >>> ascii_digits(pa.array(["۱۲۳٬۴۵۶", "١٢,٣", None, "7"]), drop_separators=True).to_pylist()
    ['123456', '123', None, '7']
    >>> ascii_digits(pa.array(["x", "۱،۰", None, "۹"])[1:], drop_separators=True).to_pylist()
    ['10', None, '9']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
_TEXT = str.maketrans(
    {
        **{c: str(i % 10) for i, c in enumerate(_DIGITS)},
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "\u200c": " ",  # zero-width non-joiner: typed or not, the same word
        "\u200f": None,  # right-to-left mark
        "\u200e": None,  # left-to-right mark
    }
)
#: Separators of thousands in numbers: ASCII comma, Arabic thousands separator, Arabic comma.
SEPARATORS = (",", "٬", "،")


def normalize_text(value: str) -> str:
    """``value`` with ASCII digits, Persian letters, no ZWNJ and single inner spaces."""
    return " ".join(value.translate(_TEXT).split())


def _two_byte_digits(data: Any, rel: Any, separators: bool = False) -> tuple[Any, Any] | None:
    """The ASCII bytes and offsets of a column whose every character is a Persian or an
    Arabic-Indic digit (two UTF-8 bytes each: the usual column of IDs or case files), read
    as big-endian 16-bit units; with ``separators``, the two-byte separators ``٬`` and ``،``
    may be among them too, and are dropped (the usual column of amounts). ``None`` for any
    other column."""
    if len(data) % 2 or np.any(rel & 1):
        return None
    wide = data.view(">u2")
    digit = wide - np.uint16(0xDBB0)  # wraps below U+06F0's bytes: only 0-9 are digits
    other = digit > 9
    # U+066C (D9 AC) and U+060C (D8 8C), dropped with ``separators``
    sep = ((wide == np.uint16(0xD9AC)) | (wide == np.uint16(0xD88C))) if separators else None
    if np.any(other if sep is None else other & ~sep):  # Arabic-Indic digits (or not digits)
        digit = np.where(other, wide - np.uint16(0xD9A0), digit)
        if np.any(digit > 9 if sep is None else (digit > 9) & ~sep):
            return None
    narrow = (digit + 48).astype(np.uint8)
    units = rel // 2
    if sep is None or not sep.any():
        return narrow, units.astype(np.int32)
    dropped = np.searchsorted(np.flatnonzero(sep), units)  # separators before each start
    return np.compress(~sep, narrow), (units - dropped).astype(np.int32)


def ascii_digits(array: pa.Array, *, drop_separators: bool = False) -> pa.Array:
    """A string array with Persian and Arabic-Indic digits made ASCII (nulls kept).

    UTF-8 writes U+06F0–U+06F9 as ``DB B0``–``DB B9`` and U+0660–U+0669 as ``D9 A0``–``D9 A9``;
    ``DB`` and ``D9`` are lead bytes, so the pair can only be that digit. The lead byte is
    dropped and the second becomes ``0``–``9``; the offsets shift by the bytes dropped before.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[
        array.offset : array.offset + len(array) + 1
    ]
    start, end = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(array.buffers()[2] or b"", dtype=np.uint8)[start:end].copy()
    if not drop_separators and not np.any(data >= 0x80):
        return array
    narrow = _two_byte_digits(data, offsets - start, drop_separators)
    if narrow is not None:
        result = pa.Array.from_buffers(
            pa.string(), len(array), [None, pa.py_buffer(narrow[1]), pa.py_buffer(narrow[0])]
        )
        if array.null_count:
            result = pc.if_else(array.is_null(), pa.scalar(None, pa.string()), result)
        return result
    lead = data[:-1]
    second = data[1:]
    # uint8 arithmetic wraps: (b - 0xB0) < 10 is 0xB0 <= b <= 0xB9, in one comparison
    persian = (lead == 0xDB) & ((second - np.uint8(0xB0)) < 10)
    arabic = (lead == 0xD9) & ((second - np.uint8(0xA0)) < 10)
    drop = np.zeros(len(data) + 1, dtype=np.bool_)
    drop[:-2] = persian | arabic
    # '0' is 0x30: a Persian digit's second byte loses 0x80, an Arabic-Indic one's 0x70
    second -= persian.view(np.uint8) * np.uint8(0x80) + arabic.view(np.uint8) * np.uint8(0x70)
    if drop_separators:
        drop[:-1] |= data == ord(",")
        both = ((lead == 0xD9) & (second == 0xAC)) | ((lead == 0xD8) & (second == 0x8C))  # ٬ ،
        drop[:-2] |= both
        drop[1:-1] |= both
    rel = (offsets - start).astype(np.int64)
    if not drop.any():
        data_buffer = pa.py_buffer(data)
        new_offsets = rel.astype(np.int32)
    else:
        # bytes dropped per string, summed per string (not a prefix sum over every byte)
        per_string = np.add.reduceat(drop, rel[:-1], dtype=np.int32) if len(rel) > 1 else None
        shift = np.zeros(len(rel), dtype=np.int64)
        if per_string is not None:
            per_string[rel[1:] == rel[:-1]] = 0  # reduceat gives drop[i], not 0, for ""
            np.cumsum(per_string, out=shift[1:])
        new_offsets = (rel - shift).astype(np.int32)
        data_buffer = pa.py_buffer(data[~drop[:-1]])
    result = pa.Array.from_buffers(
        pa.string(), len(array), [None, pa.py_buffer(new_offsets.astype(np.int32)), data_buffer]
    )
    if array.null_count:
        result = pc.if_else(array.is_null(), pa.scalar(None, pa.string()), result)
    return result
