"""One block of an agency's file, text to the schema's typed columns, with every reject.

Every value of every row is checked and every problem is kept (file, row, column, value,
reason), not only the first of a row. Columns with few distinct values (yes/no, categories,
ages, neighborhoods, dates of birth) are converted once per distinct value; amounts, keys and
national IDs, distinct per row, with Arrow and NumPy over the whole column. National IDs are
masked in every reject.

Examples:
    >>> import pyarrow as pa
    >>> from datetime import date
    >>> from allocator.importing.mapping import FieldSpec
    >>> spec = FieldSpec("insured", "bool", "بیمه")
    >>> col = convert_column(spec, pa.array(["بله", "خیر", None, "شاید"]), date(2023, 1, 1))
    >>> col.values.tolist(), [(i, r) for i, _, r in col.problems]
    ([True, False, False, False], [(2, 'missing value'), (3, 'not a yes/no value')])
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain import nationalid
from allocator.domain.enums import ENUM_TYPES
from allocator.domain.household import MAX_AGE, MAX_AMOUNT
from allocator.importing.dates import age_on, jalali_month_days, jalali_today
from allocator.importing.digits import ascii_digits, normalize_text
from allocator.importing.identifiers import national_ids
from allocator.importing.mapping import NO, YES, FieldSpec
from allocator.types import Array, BoolArray

_YES = {normalize_text(w).lower() for w in YES}
_NO = {normalize_text(w).lower() for w in NO}
#: Problem: (row index in the block, value as it may be shown, reason).
Problem = tuple[int, str, str]


@dataclass
class Column:
    """A converted column: values (0/False where invalid) and the problems of its rows."""

    values: Array | pa.Array
    problems: list[Problem]


def _shown(value: str | None, kind: str) -> str:
    if value is None:
        return ""
    return nationalid.mask(value) if kind == "national_id" else value[:60]


def _one_value(spec: FieldSpec, text: str, day: date) -> tuple[Any, str | None]:
    """A normalized distinct value of a low-cardinality column, or the reason it is bad."""
    if spec.values:
        if text in spec.values:
            return spec.values[text], None
        if spec.kind != "enum" or text not in ENUM_TYPES[spec.enum or ""]:
            return None, f"not a value of the mapping ({', '.join(spec.values)})"
    if spec.kind == "bool":
        low = text.lower()
        if low in _YES or low in _NO:
            return low in _YES, None
        return None, "not a yes/no value"
    if spec.kind == "enum":
        values = ENUM_TYPES[spec.enum or ""]
        if text in values:
            return text, None
        return None, f"not one of {', '.join(values)}"
    if spec.birth_date is not None:
        return age_on(text, spec.birth_date, day)
    digits = text.replace(",", "").replace("٬", "").replace("،", "")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return None, "not a whole number"
    number = int(digits)
    if spec.kind == "int" and number > MAX_AGE:
        return None, f"out of range 0-{MAX_AGE}"
    if spec.kind == "id" and not 1 <= number <= 2**31:
        return None, "not an id from 1"
    return number, None


def _dtype(spec: FieldSpec) -> type[np.generic]:
    if spec.kind == "bool":
        return np.bool_
    if spec.kind == "enum":
        return np.int8
    return np.int16 if spec.kind == "int" else np.int64


class Cache:
    """The distinct values of one field converted so far, kept from block to block: a block
    looks its distinct values up with Arrow and converts only the new ones in Python. Blocks
    converting in several threads share it under its lock."""

    def __init__(self, dtype: type[np.generic]) -> None:
        self.lock = threading.Lock()
        self.known = pa.array([], pa.string())
        self.values = np.zeros(0, dtype=dtype)
        self.reasons: list[str | None] = []
        self.bad = np.zeros(0, dtype=np.bool_)
        #: dates of birth by ``(year - DATE_FROM) * 10000 + month * 100 + day``: state
        #: (0 not seen, 1 an age, 2 a reason), age, reason (allocated on first use)
        self.date_state = np.zeros(0, dtype=np.uint8)
        self.date_age = np.zeros(0, dtype=np.int16)
        self.date_reasons: dict[int, str] = {}

    def add(self, texts: list[str], converted: list[tuple[Any, str | None]], codes: Any) -> None:
        values = np.zeros(len(texts), dtype=self.values.dtype)
        for i, (value, reason) in enumerate(converted):
            if reason is None:
                values[i] = codes.index(value) if codes is not None else value
        self.known = pa.concat_arrays([self.known, pa.array(texts, pa.string())])
        self.values = np.concatenate([self.values, values])
        self.reasons = self.reasons + [reason for _, reason in converted]
        self.bad = np.concatenate([self.bad, [r is not None for _, r in converted]])


def _by_distinct(spec: FieldSpec, array: pa.Array, day: date, cache: Cache | None) -> Column:
    cache = cache if cache is not None else Cache(_dtype(spec))
    with cache.lock:  # the cache's arrays are replaced, never changed: a consistent view
        known, lookup, bad, reasons = cache.known, cache.values, cache.bad, cache.reasons
    if _one_text(array):  # a column of one value (no disability, no prison…): no hash each
        first = pc.index_in(array.slice(0, 1), value_set=known)[0].as_py()
        if first is not None and not bad[first]:
            return Column(np.full(len(array), lookup[first], dtype=lookup.dtype), [])
        if first is not None:  # every row rejected, each with the reason
            where = np.full(len(array), first, dtype=np.int32)
            return _looked_up(spec, array, where, lookup, bad, reasons)
    position = pc.index_in(array, value_set=known)
    if position.null_count > array.null_count:  # values not converted yet
        unseen = pc.and_(position.is_null(), array.is_valid())
        new = pc.unique(array.filter(unseen))
        with cache.lock:
            new = new.filter(pc.invert(pc.is_in(new, value_set=cache.known)))
            if len(new):
                texts = new.to_pylist()
                codes = ENUM_TYPES[spec.enum] if spec.kind == "enum" and spec.enum else None
                cache.add(texts, [_one_value(spec, normalize_text(v), day) for v in texts], codes)
            known, lookup, bad, reasons = cache.known, cache.values, cache.bad, cache.reasons
        position = pc.index_in(array, value_set=known)
    where = pc.fill_null(position, len(known)).to_numpy(zero_copy_only=False)
    return _looked_up(spec, array, where, lookup, bad, reasons)


def _one_text(array: pa.Array) -> bool:
    """Whether ``array`` holds one value, the same text in every row (no nulls): every value
    as long as the first, and the rows' bytes those of the first repeated."""
    n = len(array)
    if not n or array.null_count:
        return False
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + n + 1]
    width = int(offsets[1] - offsets[0])
    if not width or int(offsets[-1] - offsets[0]) != n * width:
        return False
    if np.any(np.diff(offsets) != width):
        return False
    data = array.buffers()[2]
    start = int(offsets[0])
    first = data.slice(start, width).to_pybytes()
    return bool(data.slice(start, n * width).equals(pa.py_buffer(first * n)))  # one memcmp


def _looked_up(
    spec: FieldSpec, array: pa.Array, where: Any, lookup: Any, bad: Any, reasons: list[str | None]
) -> Column:
    """Values and problems of ``array`` from each value's index ``where`` among the known
    values (``len(lookup)``: missing)."""
    # one more entry for missing values: their position is past the known values
    m = len(lookup)
    lookup = np.append(lookup, lookup.dtype.type(0))
    bad = np.append(bad, True)
    values = lookup[where]
    problems = []
    for row in np.flatnonzero(bad[where]).tolist():
        index = int(where[row])
        if index == m:
            problems.append((row, "", "missing value"))
        else:
            raw = str(array[row].as_py())
            problems.append((row, _shown(raw, spec.kind), str(reasons[index])))
    return Column(values, problems)


#: Years of the dates of birth converted by table (others take the general path).
DATE_FROM, DATE_TO = 1200, 1500
#: Byte positions of the eight digits in ``YYYY/MM/DD``: ASCII, and two-byte digits.
_ASCII_AT = np.array([0, 1, 2, 3, 5, 6, 8, 9])
_WIDE_AT = np.array([0, 2, 4, 6, 9, 11, 14, 16])


def _date_digits(array: pa.Array) -> tuple[Any, Any] | None:
    """The eight digits (n x 8) and presence of a column whose every present value is
    ``YYYY/MM/DD`` in one digit set per value length (10 bytes ASCII, 18 bytes Persian or
    Arabic-Indic); ``None`` for any other column."""
    n = len(array)
    if not n:
        return None
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset : array.offset + n + 1]
    lengths = np.diff(offsets)
    present = (
        array.is_valid().to_numpy(zero_copy_only=False) if array.null_count else np.ones(n, bool)
    )
    width = int(lengths[present][0]) if present.any() else 0
    if width not in (10, 18) or np.any(lengths != np.where(present, width, 0)):
        return None
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    rows = data.reshape(-1, width)
    slash = (4, 7) if width == 10 else (8, 13)
    if np.any(rows[:, slash[0]] != 0x2F) or np.any(rows[:, slash[1]] != 0x2F):
        return None
    if width == 10:
        digits = rows[:, _ASCII_AT] - np.uint8(48)
    else:
        lead, second = rows[:, _WIDE_AT], rows[:, _WIDE_AT + 1]
        persian, arabic = lead == 0xDB, lead == 0xD9
        if not np.all(persian | arabic):
            return None
        digits = second - np.where(persian, np.uint8(0xB0), np.uint8(0xA0))
    if np.any(digits > 9):  # uint8 wraps: any byte that is not a digit
        return None
    return digits, present


def _jalali_ages(codes: Any, day: date) -> tuple[BoolArray, Any]:
    """For date codes (see :class:`Cache`) of Jalali years below :data:`DATE_TO`: which are
    dates :func:`~allocator.importing.dates.age_on` accepts, and their ages (as it counts
    them: month lengths from jdatetime, the Jalali birthday); the others are left to
    ``age_on`` for their reasons."""
    year = codes // 10000 + DATE_FROM
    month = codes // 100 % 100
    dom = codes % 100
    valid_month = (month >= 1) & (month <= 12)
    days = np.zeros(len(codes), dtype=np.int64)
    pairs = np.unique(year[valid_month] * 100 + month[valid_month])
    lengths = np.array([jalali_month_days(int(p) // 100, int(p) % 100) for p in pairs.tolist()])
    if len(pairs):
        days[valid_month] = lengths[np.searchsorted(pairs, (year * 100 + month)[valid_month])]
    cy, cm, cd = jalali_today(day)
    age = cy - year - ((cm * 100 + cd) < (month * 100 + dom))
    not_after = (year * 10000 + month * 100 + dom) <= (cy * 10000 + cm * 100 + cd)
    ok: BoolArray = valid_month & (dom >= 1) & (dom <= days) & not_after & (age <= MAX_AGE)
    return ok, age


def _dates_by_table(spec: FieldSpec, array: pa.Array, day: date, cache: Cache) -> Column | None:
    """Ages of a column of dates of birth ``YYYY/MM/DD`` (see :func:`_date_digits`), each
    distinct date converted once (Jalali dates by :func:`_jalali_ages`, the others and every
    reason by :func:`~allocator.importing.dates.age_on`) and kept in a table indexed by the
    date; ``None`` for any other column."""
    found = _date_digits(array)
    if found is None:
        return None
    digits, present = found
    d = digits.astype(np.int32)
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    if np.any((year < DATE_FROM) | (year >= DATE_TO)):
        return None
    code = (year - DATE_FROM) * 10000 + (d[:, 4] * 10 + d[:, 5]) * 100 + d[:, 6] * 10 + d[:, 7]
    with cache.lock:
        if not len(cache.date_state):
            cache.date_state = np.zeros((DATE_TO - DATE_FROM) * 10000, dtype=np.uint8)
            cache.date_age = np.zeros((DATE_TO - DATE_FROM) * 10000, dtype=np.int16)
        new = np.unique(code[cache.date_state[code] == 0])
        if spec.birth_date == "jalali":
            ok, age = _jalali_ages(new, day)
            cache.date_age[new[ok]] = age[ok]
            cache.date_state[new[ok]] = 1
            new = new[~ok]
        for c in new.tolist():  # the rest (reasons) as age_on says, one by one
            y, md = divmod(c, 10000)
            text = f"{y + DATE_FROM:04d}/{md // 100:02d}/{md % 100:02d}"
            age_c, reason = age_on(text, spec.birth_date or "", day)
            if reason is None and age_c is not None:
                cache.date_age[c] = age_c
                cache.date_state[c] = 1
            else:
                cache.date_reasons[c] = str(reason)
                cache.date_state[c] = 2
        state = cache.date_state[code]
        ages = cache.date_age[code]
        reasons = dict(cache.date_reasons)
    values = np.zeros(len(array), dtype=np.int16)
    values[present] = np.where(state == 1, ages, 0)
    bad = np.ones(len(array), dtype=np.bool_)
    bad[present] = state != 1
    problems: list[Problem] = []
    where = np.flatnonzero(present)
    for row in np.flatnonzero(bad).tolist():
        if not present[row]:
            problems.append((row, "", "missing value"))
        else:
            at = int(np.searchsorted(where, row))
            raw = str(array[row].as_py())
            problems.append((row, _shown(raw, spec.kind), reasons[int(code[at])]))
    return Column(values, problems)


def _all_digits(text: pa.Array, most: int) -> bool:
    """Whether every present value is 1 to ``most`` ASCII digits (and missing ones empty)."""
    n = len(text)
    if not n:
        return True
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + n + 1]
    lengths = np.diff(offsets)
    if text.null_count:
        present = text.is_valid().to_numpy(zero_copy_only=False)
        if np.any(lengths[~present]) or not np.all(lengths[present] >= 1):
            return False
    elif np.any(lengths < 1):
        return False
    if np.any(lengths > most):
        return False
    data = np.frombuffer(text.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    return not np.any(data - np.uint8(48) > 9)


def _problems(rows: BoolArray, raw: pa.Array, kind: str, reason: str) -> list[Problem]:
    out = []
    for row in np.flatnonzero(rows).tolist():
        value = raw[row].as_py()
        out.append((row, _shown(value, kind), "missing value" if value is None else reason))
    return out


def _amounts(spec: FieldSpec, array: pa.Array) -> Column:
    text = ascii_digits(array, drop_separators=True)
    if _all_digits(text, 13):
        ok = text.is_valid()
    else:
        ok = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{1,13}$"), False)
    if pc.sum(ok).as_py() != len(text) - text.null_count:  # surrounding spaces in some
        text = pc.utf8_trim_whitespace(text)
        ok = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{1,13}$"), False)
    ok_np = ok.to_numpy(zero_copy_only=False)
    values = pc.if_else(ok, text, "0").cast(pa.int64()).to_numpy(zero_copy_only=False)
    too_big = values > MAX_AMOUNT
    values = np.where(too_big, 0, values)
    problems = _problems(~ok_np, array, spec.kind, "not a whole number >= 0")
    problems += _problems(too_big, array, spec.kind, "amount above 10^12")
    return Column(values, sorted(problems))


def new_cache(spec: FieldSpec) -> Cache:
    """An empty cache of converted distinct values for ``spec``."""
    return Cache(_dtype(spec))


def convert_column(
    spec: FieldSpec, array: pa.Array, day: date, cache: Cache | None = None
) -> Column:
    """Convert one block's column for ``spec`` (see the module doc); ``cache`` keeps the
    distinct values converted in earlier blocks of the same file."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if spec.kind == "amount":
        return _amounts(spec, array)
    if spec.kind == "national_id":
        ids, problems = national_ids(array)
        return Column(ids, problems)
    if spec.birth_date is not None and not spec.values and cache is not None:
        by_table = _dates_by_table(spec, array, day, cache)
        if by_table is not None:
            return by_table
    return _by_distinct(spec, array, day, cache)
