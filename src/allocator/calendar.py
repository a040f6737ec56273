"""Dates as people type and read them: Jalali (Solar Hijri) or Gregorian, never a guess.

The programs date everything in the Jalali calendar (1399, 1402); the engines work on
Gregorian :class:`datetime.date`. The conversion is :mod:`jdatetime`'s, never ours.

How a typed date is read (the same rule for ``--date``, rule files and the API):

- the form is ``YYYY-MM-DD`` or ``YYYY/MM/DD``, year first with four digits; Persian
  (۰-۹) and Arabic-Indic (٠-٩) digits are accepted;
- with no calendar given, a year below :data:`JALALI_BEFORE` (1700) is Jalali, from 1700 on
  Gregorian: ``1402-01-01`` is 1 Farvardin 1402, ``2023-03-21`` the same day;
- an explicit calendar (``jalali`` or ``gregorian``) overrides that rule;
- anything else is ambiguous and refused with a message, never guessed: a two-digit year
  (``02-01-01``: 1402 or 2002?), a day or month first (``01/02/1402``), a year alone.

The Iranian fiscal year runs from 1 Farvardin to the end of Esfand, so it is the Jalali year.

Examples:
    >>> parse_day("1402-01-01")
    datetime.date(2023, 3, 21)
    >>> parse_day("۱۴۰۲/۰۱/۰۱") == parse_day("2023-03-21")
    True
    >>> parse_day("1402-01-01", "gregorian")
    datetime.date(1402, 1, 1)
    >>> to_jalali(date(2023, 3, 21)), fiscal_year(date(2023, 3, 20))
    ('1402-01-01', 1401)
    >>> parse_day("02-01-01")
    Traceback (most recent call last):
    ...
    allocator.errors.InputError: date '02-01-01' is ambiguous: write the year first with ...
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Literal

import jdatetime
from pydantic import BeforeValidator

from allocator.errors import InputError

CalendarName = Literal["jalali", "gregorian"]
CALENDARS: tuple[CalendarName, ...] = ("jalali", "gregorian")

#: Years below this are Jalali, from it on Gregorian (when no calendar is given).
JALALI_BEFORE = 1700

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_FORM = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$")
_AMBIGUOUS = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
_HINT = "write the year first with four digits (1402-01-01 for Jalali, 2023-03-21 for Gregorian)"


def latin_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits as ASCII digits.

    Examples:
        >>> latin_digits("۱۴۰۲-٠١-01")
        '1402-01-01'
    """
    return text.translate(_DIGITS)


def persian_digits(text: str) -> str:
    """``text`` with ASCII digits as Persian digits.

    Examples:
        >>> persian_digits("1402-01-01")
        '۱۴۰۲-۰۱-۰۱'
    """
    return text.translate(_PERSIAN)


def calendar_of(year: int) -> CalendarName:
    """The calendar a four-digit ``year`` is read in when none is given.

    Examples:
        >>> calendar_of(1399), calendar_of(1700), calendar_of(2025)
        ('jalali', 'gregorian', 'gregorian')
    """
    return "jalali" if year < JALALI_BEFORE else "gregorian"


def parse_day(text: str | date, calendar: str | None = None, what: str = "date") -> date:
    """The Gregorian day ``text`` names (see the module's rule); ``what`` names the field.

    A :class:`datetime.date` is taken as it is (it is already Gregorian).

    Raises:
        InputError: the text is not a date, is ambiguous, or names no day of its calendar.
    """
    if isinstance(text, date):
        return text
    if calendar is not None and calendar not in CALENDARS:
        raise InputError(
            f"calendar '{calendar}' is not one of {', '.join(CALENDARS)}", field="calendar"
        )
    raw = str(text).strip()
    match = _FORM.match(latin_digits(raw))
    if match is None:
        kind = "ambiguous" if _AMBIGUOUS.match(latin_digits(raw)) else "not a date"
        raise InputError(f"{what} '{raw}' is {kind}: {_HINT}", field=what)
    year, month, day = int(match[1]), int(match[3]), int(match[4])
    chosen = calendar or calendar_of(year)
    try:
        if chosen == "jalali":
            gregorian: date = jdatetime.date(year, month, day).togregorian()
            return gregorian
        return date(year, month, day)
    except ValueError as exc:
        message = f"{what} '{raw}' is not a day of the {chosen} calendar: {exc}"
        raise InputError(message, field=what) from None


@functools.lru_cache(maxsize=4096)
def to_jalali(day: date) -> str:
    """``day`` as a Jalali ``YYYY-MM-DD`` (cached: every decision of a day asks)."""
    return str(jdatetime.date.fromgregorian(date=day).strftime("%Y-%m-%d"))


@functools.lru_cache(maxsize=4096)
def fiscal_year(day: date) -> int:
    """The Iranian fiscal year (the Jalali year) ``day`` falls in (cached)."""
    return int(jdatetime.date.fromgregorian(date=day).year)


def both(day: date) -> str:
    """``day`` in both calendars, for people to read.

    Examples:
        >>> both(date(2023, 3, 21))
        '2023-03-21 (1402-01-01)'
    """
    return f"{day.isoformat()} ({to_jalali(day)})"


def _day_field(value: object) -> object:
    """A typed date of a model field (rule or scenario file), read by :func:`parse_day`."""
    if isinstance(value, str):
        try:
            return parse_day(value, what="date")
        except InputError as exc:
            raise ValueError(str(exc)) from None
    return value


#: A date field of a file people write: ``2023-03-21`` or ``1402-01-01`` (Jalali, the year
#: below 1700); an ambiguous text is refused with :func:`parse_day`'s message.
Day = Annotated[date, BeforeValidator(_day_field)]
