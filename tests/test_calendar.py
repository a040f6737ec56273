"""The Jalali/Gregorian rule of :mod:`allocator.calendar`, checked against jdatetime."""

from __future__ import annotations

from datetime import date, timedelta

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.calendar import both, fiscal_year, parse_day, persian_digits, to_jalali
from allocator.errors import InputError

DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31))


@given(DAYS)
def test_a_day_read_back_from_its_jalali_text_is_the_same_day(day: date) -> None:
    text = to_jalali(day)
    expected = jdatetime.date.fromgregorian(date=day)
    assert text == f"{expected.year:04d}-{expected.month:02d}-{expected.day:02d}"
    assert parse_day(text) == day  # year below 1700: read as Jalali
    assert parse_day(text.replace("-", "/")) == day
    assert parse_day(persian_digits(text)) == day
    assert parse_day(day.isoformat()) == day  # year from 1700 on: Gregorian
    assert fiscal_year(day) == expected.year


@pytest.mark.parametrize(
    ("text", "calendar", "expected"),
    [
        ("1402-01-01", None, date(2023, 3, 21)),
        ("1399-12-30", None, date(2021, 3, 20)),  # 1399 is a leap year
        ("1402-01-01", "gregorian", date(1402, 1, 1)),
        ("2023-03-21", "gregorian", date(2023, 3, 21)),
        ("1699-01-01", None, jdatetime.date(1699, 1, 1).togregorian()),
        ("1700-01-01", None, date(1700, 1, 1)),
    ],
)
def test_the_year_or_the_explicit_calendar_decides(
    text: str, calendar: str | None, expected: date
) -> None:
    assert parse_day(text, calendar) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("02-01-01", "ambiguous"),  # 1402 or 2002?
        ("99/12/30", "ambiguous"),
        ("01/02/1402", "ambiguous"),  # day or month first
        ("21.03.2023", "ambiguous"),
        ("1402", "not a date"),
        ("yesterday", "not a date"),
        ("1402-01-01T00:00", "not a date"),
    ],
)
def test_an_ambiguous_or_malformed_date_is_refused_with_a_message(text: str, says: str) -> None:
    with pytest.raises(InputError) as info:
        parse_day(text)
    assert says in str(info.value) and text in str(info.value)
    assert "four digits" in str(info.value)


def test_a_day_that_its_calendar_does_not_have_is_refused() -> None:
    with pytest.raises(InputError, match="not a day of the jalali calendar"):
        parse_day("1402-12-30")  # 1402 is not a leap year
    with pytest.raises(InputError, match="not a day of the gregorian calendar"):
        parse_day("2023-02-29")
    with pytest.raises(InputError, match="calendar 'hijri'"):
        parse_day("1402-01-01", "hijri")


def test_both_calendars_are_shown_for_people() -> None:
    day = date(2023, 3, 21)
    assert both(day) == "2023-03-21 (1402-01-01)"
    assert fiscal_year(day - timedelta(days=1)) == 1401
