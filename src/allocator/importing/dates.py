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
"""

from __future__ import annotations

import re
from datetime import date

import jdatetime

from allocator.domain.household import MAX_AGE

_DATE = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
#: Below this year a date is Jalali, from it on Gregorian (only to refuse the wrong calendar).
GREGORIAN_FROM = 1700


def age_on(text: str, calendar: str, day: date) -> tuple[int | None, str | None]:
    """The age on ``day`` of a person born on ``text`` (digits already ASCII), or a reason."""
    found = _DATE.match(text)
    if found is None:
        return None, f"{text!r} is not a date of the form YYYY/MM/DD"
    year, month, dom = (int(g) for g in found.groups())
    if (year >= GREGORIAN_FROM) != (calendar == "gregorian"):
        kind = "Gregorian" if year >= GREGORIAN_FROM else "Jalali"
        return None, f"{text!r} is a {kind} year, the mapping says {calendar}"
    try:
        if calendar == "jalali":
            jalali = jdatetime.date(year, month, dom)
            today = jdatetime.date.fromgregorian(date=day)
            born_after = jalali > today
            cur = (today.year, today.month, today.day)
        else:
            gregorian = date(year, month, dom)
            born_after = gregorian > day
            cur = (day.year, day.month, day.day)
    except ValueError as exc:
        return None, f"{text!r} is not a {calendar.capitalize()} date ({exc})"
    if born_after:
        return None, f"{text!r} is after the decision date {day.isoformat()}"
    age = cur[0] - year - ((cur[1], cur[2]) < (month, dom))
    if age > MAX_AGE:
        return None, f"{text!r} gives an age of {age}, above {MAX_AGE}"
    return age, None
