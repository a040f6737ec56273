"""The 31 provinces of Iran with their 2016 census populations.

The figures are in ``iran-provinces-2016.csv`` next to this module (source: Statistical
Centre of Iran, 2016 National Population and Housing Census).

Examples:
    >>> provs = provinces()
    >>> len(provs), provs[0].name, provs[0].population
    (31, 'Tehran', 13267637)
    >>> sum(p.population for p in provs)
    79926270
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files
from typing import NamedTuple

PROVINCES_FILE = "iran-provinces-2016.csv"


class Province(NamedTuple):
    """A province and its population at the 2016 census."""

    name: str
    population: int


@cache
def provinces() -> tuple[Province, ...]:
    """The provinces in the file's order (largest population first)."""
    text = files("allocator.reference").joinpath(PROVINCES_FILE).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(
        Province(row["province"], int(row["population_2016"])) for row in csv.DictReader(rows)
    )


def province_named(name: str) -> Province:
    """The province called ``name``.

    Raises:
        KeyError: no province has that name.

    Examples:
        >>> province_named("Ilam").population
        580158
    """
    for province in provinces():
        if province.name == name:
            return province
    raise KeyError(name)
