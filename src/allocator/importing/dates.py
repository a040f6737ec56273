"""Dates of birth, Jalali or Gregorian, to the age in completed years on the decision date.

The calendar is the mapping's (``birth_date: jalali`` or ``gregorian``), never guessed from
the value; a value that plainly belongs to the other calendar (a Jalali year of 1700 or more,
a Gregorian year below 1700) is refused with a message saying so. Jalali dates are checked and
converted with jdatetime; the age of a Jalali birth date is counted in the Jalali calendar
(the birthday is the same day and month of the Jalali year), as Iranian documents count it.

Examples:
    >>> from datetime import date
    >>> age_on("1365/04/12", "jalali", date(2023, 7, 3))
    (37, None)
    >>> age_on("1365/04/13", "jalali", date(2023, 7, 3))
    (36, None)
    >>> age_on("1365/13/01", "jalali", date(2023, 7, 3))
    (None, "'1365/13/01' is not a Jalali date (month must be in 1..12)")
    >>> age_on("1986-07-03", "jalali", date(2023, 7, 3))[1]
    "'1986-07-03' is a Gregorian year, the mapping says jalali"
    >>> age_on("1986-07-03", "gregorian", date(2023, 7, 3))
    (37, None)
    >>> age_on("1399/12/30", "jalali", date(2023, 7, 3))  # 1399 is a leap year
    (2, None)
    >>> age_on("1400/12/30", "jalali", date(2023, 7, 3))[1]
    "'1400/12/30' is not a Jalali date (day is out of range for month)"
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import jdatetime

from allocator.domain.household import MAX_AGE

_DATE = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
#: Below this year a date is Jalali, from it on Gregorian (only to refuse the wrong calendar).
GREGORIAN_FROM = 1700


@cache
def jalali_today(day: date) -> tuple[int, int, int]:
    """``day`` in the Jalali calendar: (year, month, day), from jdatetime."""
    today = jdatetime.date.fromgregorian(date=day)
    return today.year, today.month, today.day


@cache
def jalali_month_days(year: int, month: int) -> int:
    """Days of a Jalali month, from jdatetime (Esfand has 30 in its leap years)."""
    days = int(jdatetime.j_days_in_month[month - 1])
    return days + 1 if month == 12 and jdatetime.date(year, 1, 1).isleap() else days


def age_on(text: str, calendar: str, day: date) -> tuple[int | None, str | None]:
    """The age on ``day`` of a person born on ``text`` (digits already ASCII), or a reason."""
    found = _DATE.match(text)
    if found is None:
        return None, f"{text!r} is not a date of the form YYYY/MM/DD"
    year, month, dom = (int(g) for g in found.groups())
    if (year >= GREGORIAN_FROM) != (calendar == "gregorian"):
        kind = "Gregorian" if year >= GREGORIAN_FROM else "Jalali"
        return None, f"{text!r} is a {kind} year, the mapping says {calendar}"
    if calendar == "jalali":
        if not 1 <= month <= 12:
            return None, f"{text!r} is not a Jalali date (month must be in 1..12)"
        if not 1 <= dom <= jalali_month_days(year, month):
            return None, f"{text!r} is not a Jalali date (day is out of range for month)"
        cur = jalali_today(day)
    else:
        try:
            date(year, month, dom)
        except ValueError as exc:
            return None, f"{text!r} is not a Gregorian date ({exc})"
        cur = (day.year, day.month, day.day)
    if (year, month, dom) > cur:
        return None, f"{text!r} is after the decision date {day.isoformat()}"
    age = cur[0] - year - ((cur[1], cur[2]) < (month, dom))
    if age > MAX_AGE:
        return None, f"{text!r} gives an age of {age}, above {MAX_AGE}"
    return age, None
