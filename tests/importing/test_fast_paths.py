"""The import's vectorised fast paths agree with scalar references, value by value.

Digits, national IDs, amounts, keys and Jalali dates of birth are converted column-wise on
the UTF-8 bytes; each is compared here with a per-value reference written independently
(``str.translate``, :mod:`allocator.domain.nationalid`, jdatetime for dates), on columns
drawn so that both the fast path and the general path run. The joins' integer keys are
compared with a dictionary lookup.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

import jdatetime
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.domain import nationalid
from allocator.domain.household import MAX_AGE, MAX_AMOUNT
from allocator.importing.assemble import _first_index, _household_of
from allocator.importing.convert import (
    DATE_FROM,
    DATE_TO,
    Column,
    _jalali_ages,
    convert_column,
    new_cache,
)
from allocator.importing.dates import age_on
from allocator.importing.digits import ascii_digits
from allocator.importing.identifiers import keys, national_ids
from allocator.importing.load import Loaded
from allocator.importing.mapping import FieldSpec
from allocator.importing.numbers import Numbers, joined, numbers_of, usable

DAY = date(2023, 6, 1)  # 1402/03/11
TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _digits_as(text: str, how: int) -> str:
    return text if how == 0 else text.translate(TO_PERSIAN if how == 1 else TO_ARABIC)


def _valid_id(nine: int) -> str:
    first = f"{nine:09d}"
    return first + str(nationalid.check_digit(first))


@given(st.lists(st.one_of(st.none(), st.text(alphabet="۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", max_size=12))))
def test_ascii_digits_of_two_byte_digits(values: list[str | None]) -> None:
    """Only Persian and Arabic-Indic digits: the 16-bit fast path."""
    expected = [None if v is None else v.translate(TO_ASCII) for v in values]
    assert ascii_digits(pa.array(values, pa.string())).to_pylist() == expected
    sliced = pa.array(["x", *values], pa.string())[1:]  # an offset into the buffers
    assert ascii_digits(sliced).to_pylist() == expected


@settings(deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٬،", max_size=14))),
    st.sampled_from(["", "٬", "،", ",", "x", "12"]),
)
def test_ascii_digits_of_two_byte_digits_and_separators(
    values: list[str | None], extra: str
) -> None:
    """Two-byte digits and separators only (the usual amounts): the 16-bit fast path drops
    the separators; an ASCII comma, another character or ASCII digits in one value take
    the general path; both give the scalar rule's text."""
    values = [*values, extra]
    expected = [
        None if v is None else v.translate(TO_ASCII).translate({ord(c): None for c in ",٬،"})
        for v in values
    ]
    assert ascii_digits(pa.array(values, pa.string()), drop_separators=True).to_pylist() == (
        expected
    )
    sliced = pa.array(["۱٬۲", *values], pa.string())[1:]
    assert ascii_digits(sliced, drop_separators=True).to_pylist() == expected


def _id_reference(value: str | None) -> tuple[str | None, tuple[str, str] | None]:
    """The documented rule for one national ID: (ID kept, (masked value, reason) or None)."""
    if value is None:
        return None, None
    text = value.translate(TO_ASCII)
    stripped = re.sub(r"[\s\-]", "", text)
    if re.fullmatch(r"[0-9]{8,10}", stripped):
        candidate = stripped.zfill(10)
        problem = nationalid.problem(candidate)
        if problem is None:
            return candidate, None
        return None, (nationalid.mask(stripped), problem)
    return None, (nationalid.mask(stripped), nationalid.problem(stripped) or "not a national ID")


_ids = st.one_of(
    st.none(),
    st.builds(_valid_id, st.integers(0, 10**9 - 1)),
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.text(alphabet="0123456789", min_size=7, max_size=11),
    st.sampled_from(["1111111111", "0000000000", "12-345-6789 ", " 0012345679"]),
)


@settings(max_examples=200)
@given(st.lists(st.tuples(_ids, st.integers(0, 2)), min_size=1, max_size=30), st.booleans())
def test_national_ids_agree_with_the_scalar_check(
    drawn: list[tuple[str | None, int]], ten_only: bool
) -> None:
    values = [None if v is None else _digits_as(v, how) for v, how in drawn]
    if ten_only:  # the fast path: every present value ten digits
        values = [v if v is None or len(v.translate(TO_ASCII)) == 10 else None for v in values]
    ids, problems = national_ids(pa.array(values, pa.string()))
    reference = [_id_reference(v) for v in values]
    assert ids.to_pylist() == [kept for kept, _ in reference]
    expected = [(i, *p) for i, (_, p) in enumerate(reference) if p is not None]
    assert problems == expected
    for _, shown, reason in problems:  # never in clear
        assert not re.search(r"[0-9]{5}", shown + reason.replace("***-***-", ""))


def _amount_reference(value: str | None) -> tuple[int, str | None]:
    if value is None:
        return 0, "missing value"
    text = value.translate(TO_ASCII)
    for sep in (",", "٬", "،"):
        text = text.replace(sep, "")
    text = text.strip()
    if not re.fullmatch(r"[0-9]{1,13}", text):
        return 0, "not a whole number >= 0"
    if int(text) > MAX_AMOUNT:
        return 0, "amount above 10^12"
    return int(text), None


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.integers(0, 10**13),
                st.sampled_from(["", " ", "x", "-5", "1.5"]),
            ),
            st.integers(0, 2),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_amounts_agree_with_the_scalar_rule(
    drawn: list[tuple[int | str | None, int, bool, bool]],
) -> None:
    values: list[str | None] = []
    for number, how, separated, spaced in drawn:
        if number is None or isinstance(number, str):
            values.append(number)
            continue
        text = f"{number:,}".replace(",", "٬") if separated else str(number)
        text = _digits_as(text, how)
        values.append(f" {text} " if spaced else text)
    col = convert_column(FieldSpec("income", "amount", "درآمد"), pa.array(values), DAY)
    reference = [_amount_reference(v) for v in values]
    assert np.asarray(col.values).tolist() == [v for v, _ in reference]
    assert [(i, r) for i, _, r in col.problems] == [
        (i, r) for i, (_, r) in enumerate(reference) if r is not None
    ]


@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789۱۲٣ -\u00a0\t"))))
def test_keys_agree_with_translate_and_strip(values: list[str | None]) -> None:
    text, problems = keys(pa.array(values, pa.string()))
    expected = [None if v is None else v.translate(TO_ASCII).strip() for v in values]
    assert text.to_pylist() == expected
    assert [i for i, _, _ in problems] == [i for i, v in enumerate(expected) if not v]


def _age_reference(text: str | None) -> tuple[int, bool]:
    """Age on DAY from jdatetime, or (0, rejected)."""
    if text is None:
        return 0, True
    found = re.fullmatch(r"(\d{4})/(\d{2})/(\d{2})", text.translate(TO_ASCII))
    if found is None:
        return 0, True
    year, month, day = (int(g) for g in found.groups())
    if year >= 1700:
        return 0, True
    try:
        born = jdatetime.date(year, month, day)
    except ValueError:
        return 0, True
    today = jdatetime.date.fromgregorian(date=DAY)
    if born > today:
        return 0, True
    age = today.year - year - ((today.month, today.day) < (month, day))
    return (0, True) if age > MAX_AGE else (age, False)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.integers(1270, 1405), st.integers(0, 13), st.integers(0, 32), st.integers(0, 2)
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 40),
    st.sampled_from([None, 0, 1, 2]),
)
def test_jalali_ages_agree_with_jdatetime(
    drawn: list[tuple[int, int, int, int]], cut: int, uniform: int | None
) -> None:
    """Mixed digit sets take the general path, one digit set a column the table of dates."""
    values: list[str | None] = [
        _digits_as(f"{y:04d}/{m:02d}/{d:02d}", how if uniform is None else uniform)
        for y, m, d, how in drawn
    ]
    values[0] = None
    spec = FieldSpec("age", "int", "تاریخ تولد", birth_date="jalali")
    cache = new_cache(spec)  # two blocks sharing the converted values, as a file's blocks do
    parts: list[Column] = [
        convert_column(spec, pa.array(values[:cut], pa.string()), DAY, cache),
        convert_column(spec, pa.array(values[cut:], pa.string()), DAY, cache),
    ]
    got = [int(v) for part in parts for v in np.asarray(part.values)]
    offset = len(values[:cut])
    bad_rows = {i for i, _, _ in parts[0].problems} | {offset + i for i, _, _ in parts[1].problems}
    reference = [_age_reference(v) for v in values]
    assert got == [age for age, _ in reference]
    assert bad_rows == {i for i, (_, bad) in enumerate(reference) if bad}


_key = st.one_of(st.none(), st.sampled_from(["7", "07", "007", "12", "0", "99", "120", "x1"]))


@given(st.lists(_key, max_size=30), st.lists(_key, max_size=30))
def test_integer_keys_join_as_strings(
    household: list[str | None], member: list[str | None]
) -> None:
    h_keys = pa.array(household, pa.string())
    m_keys = pa.array(member, pa.string())
    first_seen: dict[str, int] = {}
    for i, k in enumerate(household):
        if k is not None:
            first_seen.setdefault(k, i)
    assert _first_index(h_keys).tolist() == [-1 if k is None else first_seen[k] for k in household]

    def loaded(key: pa.Array) -> Loaded:
        n = len(key)
        return Loaded("f", key, np.arange(n), {}, np.zeros(n, dtype=np.bool_))

    owner = _household_of(loaded(h_keys), loaded(m_keys))
    # as Arrow's index_in: a missing key matches the first missing key (both rows are
    # rejected for it anyway)
    first_row = {k: i for i, k in reversed(list(enumerate(household)))}
    assert owner.tolist() == [first_row.get(k, -1) for k in member]


@settings(max_examples=100)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(1195, 1505), st.integers(0, 13), st.integers(0, 32), st.integers(0, 2)
            ),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([None, 0, 1, 2]),
    st.sampled_from(["jalali", "gregorian"]),
)
def test_table_of_dates_gives_the_general_paths_values_and_rejects(
    drawn: list[tuple[int, int, int, int] | None], uniform: int | None, calendar: str
) -> None:
    """The table of dates (a cache given) and the value-by-value path (none given): the same
    ages and the same rejects, reason for reason."""
    values = [
        None
        if d is None
        else _digits_as(f"{d[0]:04d}/{d[1]:02d}/{d[2]:02d}", d[3] if uniform is None else uniform)
        for d in drawn
    ]
    spec = FieldSpec("age", "int", "تاریخ تولد", birth_date=calendar)
    array = pa.array(values, pa.string())
    general = convert_column(spec, array, DAY)
    cache = new_cache(spec)
    table = convert_column(spec, array, DAY, cache)
    again = convert_column(spec, array, DAY, cache)  # every date already in the table
    for got in (table, again):
        assert np.asarray(got.values).dtype == np.asarray(general.values).dtype
        assert np.asarray(got.values).tolist() == np.asarray(general.values).tolist()
        assert got.problems == general.problems


@pytest.mark.parametrize("day", [DAY, date(2024, 3, 19), date(2024, 3, 20), date(2025, 3, 20)])
def test_jalali_ages_of_every_date_code_are_age_ons(day: date) -> None:
    """Every year of the table, months 0-13, days 0-32 (Esfand 30 of leap and common years,
    the decision day itself, a day after it): the vectorised ages are exactly the dates
    ``age_on`` accepts, with its ages."""
    years = np.arange(DATE_FROM, DATE_TO)
    codes = (
        (years[:, None, None] - DATE_FROM) * 10000
        + np.arange(14)[None, :, None] * 100
        + np.arange(33)[None, None, :]
    ).ravel()
    ok, ages = _jalali_ages(codes, day)
    for code, accepted, age in zip(codes.tolist(), ok.tolist(), ages.tolist(), strict=True):
        y, md = divmod(code, 10000)
        expected, reason = age_on(
            f"{y + DATE_FROM:04d}/{md // 100:02d}/{md % 100:02d}", "jalali", day
        )
        assert accepted == (reason is None), code
        if accepted:
            assert age == expected, code


@given(
    st.lists(st.integers(100, 999), max_size=40, unique=True),
    st.lists(st.tuples(st.integers(90, 1000), st.integers(1, 4)), max_size=30),
    st.booleans(),
)
def test_sorted_case_files_and_runs_of_members_join_as_index_in(
    household: list[int], runs: list[tuple[int, int]], ordered: bool
) -> None:
    """Households sorted by case file (no sort needed) or not, members in runs of one case
    file (searched once a run): the rows Arrow's ``index_in`` gives on the strings."""
    if ordered:
        household = sorted(household)
    member = [str(k) for k, times in runs for _ in range(times)]
    h_keys = pa.array([str(k) for k in household], pa.string())
    m_keys = pa.array(member, pa.string())

    def loaded(key: pa.Array) -> Loaded:
        n = len(key)
        return Loaded("f", key, np.arange(n), {}, np.zeros(n, dtype=np.bool_))

    expected = pc.fill_null(pc.index_in(m_keys, value_set=h_keys), -1).to_pylist()
    assert _household_of(loaded(h_keys), loaded(m_keys)).tolist() == expected


def _numbers_reference(columns: list[list[str | None]]) -> list[list[int | None]] | None:
    """The integer keys' rule, value by value: all present values 1 to 18 ASCII digits, and
    one length or no leading zero."""
    present = [v for column in columns for v in column if v is not None]
    if not all(re.fullmatch(r"[0-9]{1,18}", v) for v in present):
        return None
    if len({len(v) for v in present}) > 1 and any(len(v) > 1 and v[0] == "0" for v in present):
        return None
    return [[None if v is None else int(v) for v in column] for column in columns]


_long_key = st.one_of(
    _key, st.sampled_from(["", "١", "123456789012345678", "1234567890123456789", "0012"])
)


@given(
    st.lists(_long_key, max_size=30),
    st.lists(_long_key, max_size=30),
    st.lists(st.integers(0, 30), max_size=4),
)
def test_keys_cast_in_pieces_decide_as_the_whole_columns(
    household: list[str | None], member: list[str | None], cuts: list[int]
) -> None:
    """Keys cast piece by piece while loading, then joined: the same integers and the same
    decision as the rule applied to the whole columns; the join and the duplicates found
    with them are those found from the strings."""

    def pieces(values: list[str | None]) -> list[Numbers | None]:
        bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
        return [
            numbers_of(pa.array(values[a:b], pa.string())) for a, b in itertools.pairwise(bounds)
        ]

    got = usable([joined(pieces(household)), joined(pieces(member))])
    expected = _numbers_reference([household, member])
    assert (got is None) == (expected is None)
    if got is not None:
        assert [c.to_pylist() for c in got] == expected

    def loaded(values: list[str | None], cast: bool) -> Loaded:
        key = pa.array(values, pa.string())
        n = len(values)
        numbers = {"key": joined(pieces(values))} if cast else {}
        return Loaded("f", key, np.arange(n), {}, np.zeros(n, dtype=np.bool_), [], numbers)

    assert (
        _household_of(loaded(household, True), loaded(member, True)).tolist()
        == _household_of(loaded(household, False), loaded(member, False)).tolist()
    )
    h_keys = pa.array(household, pa.string())
    first_seen: dict[str, int] = {}
    for i, k in enumerate(household):
        if k is not None:
            first_seen.setdefault(k, i)
    assert _first_index(h_keys, joined(pieces(household))).tolist() == [
        -1 if k is None else first_seen[k] for k in household
    ]


_words = st.sampled_from(["بله", "خیر", "بلی", "خير", "نه", "yes", "no", "", " بله", "بله "])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), _words), st.integers(1, 12), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_columns_of_one_value_give_what_a_lookup_gives(
    blocks: list[tuple[str | None, int, bool]], odd_one: bool
) -> None:
    """Blocks of one repeated value (a known or a new one, of equal byte length as others
    or not, empty, with spaces, missing), some with one different value at the end, all
    sharing a cache: the values and problems of a lookup with a cache of its own."""
    spec = FieldSpec("insured", "bool", "بیمه")
    cache = new_cache(spec)
    for value, n, sliced in [*blocks, *blocks]:  # the second time every value is known
        values = [value] * n + (["خیر" if value != "خیر" else "بله"] if odd_one else [])
        array = pa.array(values, pa.string())
        if sliced:
            array = pa.array(["بله", *values], pa.string())[1:]
        got = convert_column(spec, array, DAY, cache)
        expected = convert_column(spec, array, DAY, None)
        assert np.asarray(got.values).tolist() == np.asarray(expected.values).tolist()
        assert got.problems == expected.problems
