"""Numbers for people: the one place that decides how figures are shown.

Money in billion toman with thousands separators, counts as integers with separators,
shares as percentages with one decimal, durations with their unit. Used by the CLI, by
``compare`` and by the HTML report, so that a figure reads the same everywhere.

Examples:
    >>> toman_bn(19_999_940_000_000.008)
    '20,000 bn toman'
    >>> toman_bn(66_260_000_000, signed=True)
    '+66.3 bn toman'
    >>> integer(66_260.4)
    '66,260'
    >>> integer(-1234, signed=True)
    '-1,234'
    >>> percent(0.61637)
    '61.6%'
    >>> percent(0.031, signed=True)
    '+3.1%'
    >>> duration(61.73)
    '1 min 2 s'
    >>> duration(0.42)
    '0.4 s'
    >>> figure(1234.5, "toman")
    '0.0 bn toman'
    >>> figure(0.25, "share")
    '25.0%'
    >>> figure(150.0, "households")
    '150 households'
    >>> unit_for({"units": {"budget": "toman"}}, "budget", "rial")
    'toman'
    >>> unit_for({}, "budget", "toman")
    'toman'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: One billion (10⁹) toman, the unit of budgets in reports.
BILLION = 1e9


def _signed(text: str, value: float, signed: bool) -> str:
    return f"+{text}" if signed and value > 0 else text


def integer(value: float, signed: bool = False) -> str:
    """A count, rounded to a whole number, with thousands separators."""
    if not math.isfinite(value):
        return str(value)
    return _signed(f"{round(value):,}", value, signed)


def billions(value: float, signed: bool = False) -> str:
    """An amount of toman as a number of billions (no unit): whole billions from 1,000 bn
    on, else one decimal."""
    if not math.isfinite(value):
        return str(value)
    number = value / BILLION
    text = f"{number:,.0f}" if abs(number) >= 1000 else f"{number:,.1f}"
    return _signed(text, value, signed)


def toman_bn(value: float, signed: bool = False) -> str:
    """An amount of toman in billion toman, with the unit (a non-finite value as it is)."""
    if not math.isfinite(value):
        return str(value)
    return billions(value, signed) + " bn toman"


def percent(share: float, signed: bool = False) -> str:
    """A share (0.25 = 25%) as a percentage with one decimal."""
    if not math.isfinite(share):
        return str(share)
    return _signed(f"{share * 100:.1f}%", share, signed)


def gap(share: float | None) -> str:
    """An optimality gap (0.0158 = 1.58%) as a percentage with two significant digits.

    Examples:
        >>> [gap(g) for g in (0.015796, 2.5e-05, 0.0, 3e-9, None)]
        ['1.6%', '0.0025%', '0%', '< 0.0001%', '—']
    """
    if share is None or not math.isfinite(share):
        return "—" if share is None else str(share)
    if share == 0:
        return "0%"
    if abs(share) < 1e-6:
        return "< 0.0001%"
    return f"{float(f'{share * 100:.2g}'):g}%"


def duration(seconds: float) -> str:
    """Seconds as ``0.4 s``, ``12 s``, ``3 min 5 s`` or ``2 h 10 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def figure(value: float, unit: str | None, signed: bool = False) -> str:
    """``value`` shown for its unit (as ``summary.json``'s ``units`` map names them)."""
    if unit in ("toman", "money"):
        return toman_bn(value, signed)
    if unit in ("share", "fraction", "ratio"):
        return percent(value, signed)
    if unit in ("seconds", "s"):
        return duration(value)
    text = integer(value, signed) if abs(value) >= 10 or value == round(value) else f"{value:.2g}"
    return f"{text} {unit}" if unit else text


def unit_for(summary: Mapping[str, Any], key: str, default: str) -> str:
    """The unit of ``key`` in a ``summary.json`` with a top-level ``units`` map, else
    ``default`` (summaries written before the map existed)."""
    units = summary.get("units")
    if isinstance(units, Mapping):
        unit = units.get(key)
        if isinstance(unit, str) and unit:
            return unit
    return default
