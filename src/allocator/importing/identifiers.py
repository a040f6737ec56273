"""Identifiers of an agency's file: national IDs and case-file keys, whole columns at once.

National IDs are checked by their check digit (and the ten-equal-digits rule) on the UTF-8
bytes with NumPy; 8 or 9 digits are zero-padded (Excel drops leading zeros). Every invalid
ID is a problem with the ID masked. Keys (case file numbers) get ASCII digits and lose
surrounding spaces; a missing key is a problem.

Examples:
    >>> import pyarrow as pa
    >>> text, problems = keys(pa.array([" ۱۲ ", "7", None]))
    >>> text.to_pylist(), problems
    (['12', '7', None], [(2, '', 'missing value')])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain import nationalid
from allocator.importing.digits import ascii_digits
from allocator.types import BoolArray

_WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)
#: (row index in the block, value as it may be shown, reason), as in
#: :data:`allocator.importing.convert.Problem`.
Problem = tuple[int, str, str]


def national_ids(array: pa.Array) -> tuple[pa.Array, list[Problem]]:
    """IDs as ten ASCII digits (8 or 9 digits are zero-padded, as Excel drops leading
    zeros), and a problem for each invalid one; missing IDs stay null (they are optional).

    Examples:
        >>> ids, problems = national_ids(pa.array(["۰۰۱۲۳۴۵۶۷۹", "12345679", "0012345670", None]))
        >>> ids.to_pylist()
        ['0012345679', '0012345679', None, None]
        >>> problems
        [(2, '***-***-5670', 'national ID ***-***-5670 fails its check digit')]
    """
    text = ascii_digits(array)
    fast = _ten_digits(text)
    if fast is not None:
        return fast
    shape_ok = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{8,10}$"), False)
    if pc.sum(shape_ok).as_py() != len(text) - text.null_count:  # spaces or dashes in some
        text = pc.replace_substring_regex(text, r"[\s\-]", "")
        shape_ok = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{8,10}$"), False)
    padded = pc.if_else(shape_ok, pc.utf8_lpad(text, 10, "0"), "0000000000")
    n = len(padded)
    buffer = padded.buffers()[2]
    digits = (
        np.frombuffer(buffer, dtype=np.uint8)[: n * 10].reshape(n, 10).astype(np.int64) - 48
        if n
        else np.zeros((0, 10), dtype=np.int64)
    )
    rest = (digits[:, :9] @ _WEIGHTS) % 11
    check = np.where(rest < 2, rest, 11 - rest)
    all_same = np.all(digits == digits[:, :1], axis=1)
    valid = shape_ok.to_numpy(zero_copy_only=False) & (check == digits[:, 9]) & ~all_same
    present = array.is_valid().to_numpy(zero_copy_only=False)
    problems = []
    for row in np.flatnonzero(present & ~valid).tolist():
        raw = str(text[row].as_py())
        candidate = raw.zfill(10) if 8 <= len(raw) <= 10 and raw.isdigit() else raw
        reason = nationalid.problem(candidate) or "not a national ID"
        problems.append((row, nationalid.mask(raw), reason))
    ids = pc.if_else(pa.array(valid), padded, pa.scalar(None, pa.string()))
    return ids, problems


def _check(digits: Any) -> BoolArray:
    """Rows of ten digits (0-9 as uint8, one row each) that pass the check digit and are not
    ten equal digits (which all pass it: only the rows with equal first two digits are
    looked at for that)."""
    total = digits[:, 0].astype(np.uint16) * np.uint16(10)
    for i in range(1, 9):  # column by column in uint16: no int64 matrix product
        total += digits[:, i] * np.uint16(10 - i)
    rest = total % np.uint16(11)
    check = np.where(rest < 2, rest, 11 - rest)
    ok: BoolArray = check == digits[:, 9]
    maybe = np.flatnonzero(ok & (digits[:, 0] == digits[:, 1]))
    if len(maybe):
        ok[maybe[np.all(digits[maybe] == digits[maybe, :1], axis=1)]] = False
    return ok


def _ten_digits(text: pa.Array) -> tuple[pa.Array, list[Problem]] | None:
    """:func:`national_ids` of a column whose every present value is ten ASCII digits (the
    usual file), straight on the UTF-8 bytes; ``None`` for any other column."""
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    lengths = np.diff(offsets)
    present = (
        text.is_valid().to_numpy(zero_copy_only=False) if text.null_count else np.ones(n, bool)
    )
    if not n or np.any(lengths != np.where(present, 10, 0)):
        return None
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    digits = data.reshape(-1, 10) - np.uint8(48)
    if np.any(digits > 9):  # uint8 wraps: any byte outside 0-9
        return None
    ok = _check(digits)
    valid = np.zeros(n, dtype=np.bool_)
    valid[present] = ok
    problems = []
    for row in np.flatnonzero(present & ~valid).tolist():
        raw = str(text[row].as_py())
        problems.append((row, nationalid.mask(raw), nationalid.problem(raw) or "not a national ID"))
    if not problems and not text.null_count:
        return text, problems
    return pc.if_else(pa.array(valid), text, pa.scalar(None, pa.string())), problems


def _may_have_space(text: pa.Array) -> bool:
    """Whether a string array may hold a Unicode space: an ASCII byte up to 0x20, or a lead
    byte of the two- and three-byte UTF-8 forms of the other spaces (U+0085, U+00A0,
    U+1680, U+2000-U+205F, U+3000); ``False`` means trimming would change nothing."""
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    data = np.frombuffer(text.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    if not len(data):
        return False
    return bool(np.any(data <= 0x20) or np.any(np.isin(data, (0xC2, 0xE1, 0xE2, 0xE3))))


def keys(array: pa.Array) -> tuple[pa.Array, list[Problem]]:
    """The key column (case file numbers) with ASCII digits and no surrounding spaces."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    text = ascii_digits(array)
    if _may_have_space(text):
        text = pc.utf8_trim_whitespace(text)
    missing = pc.fill_null(pc.equal(text, ""), True).to_numpy(zero_copy_only=False)
    return text, [(row, "", "missing value") for row in np.flatnonzero(missing).tolist()]
