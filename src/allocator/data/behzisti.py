"""Where Behzisti's clients live: a need factor per province from seed 001's centre counts.

Seed 001 names the provinces with most +Zendegi centres (of 2,400), says the centres of
a city follow its Behzisti case files, and gives Ardabil's files (17,177 of 1.08 M). The
factor of a named province is its share of the centres (Ardabil: of the files) over its
share of the 2016 population; every other province gets the same factor,
chosen so that the population-weighted mean of all factors is 1 (the national totals of
:mod:`~allocator.data.assumptions` are kept). The generator multiplies Behzisti-specific
rates by it (disability, social harms, Behzisti case files held, Behzisti custody).

Examples:
    >>> f = province_factors()
    >>> [round(100 * f[p]) for p in ("Tehran", "Fars", "Ardabil", "Ilam")]
    [43, 126, 100, 109]
    >>> from allocator.reference.provinces import provinces
    >>> total = sum(p.population for p in provinces())
    >>> round(sum(f[p.name] * p.population for p in provinces()) / total, 9)
    1.0
"""

from __future__ import annotations

from functools import cache

from allocator.data import assumptions as A
from allocator.reference.provinces import provinces


@cache
def province_factors() -> dict[str, float]:
    """Behzisti need factor of every province (see the module docstring)."""
    provs = provinces()
    total = sum(p.population for p in provs)
    named = A.BEHZISTI_SHARE_BY_PROVINCE
    named_pop = sum(p.population for p in provs if p.name in named) / total
    rest = (1.0 - sum(named.values())) / (1.0 - named_pop)
    return {
        p.name: named[p.name] / (p.population / total) if p.name in named else rest for p in provs
    }
