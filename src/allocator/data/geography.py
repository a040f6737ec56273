"""Synthetic geography: provinces, counties and neighborhoods, a pure function of the seed.

Neighborhoods are ordered so that the ``targets`` target neighborhoods come first (ids 1 to
2,020 in the national geography), led by Mazandaran's 56 (ids 1 to 56); non-target
neighborhoods follow, province by province. Counties are synthetic (``"Tehran-03"``).

Examples:
    >>> geo = build_geography(TINY, seed=0)
    >>> len(geo), int(geo.target.sum()), int(geo.mazandaran.sum())
    (20, 12, 3)
    >>> bool(geo.target[: int(geo.target.sum())].all())
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial

import numpy as np

from allocator.data import assumptions as A
from allocator.data.apportion import apportion, with_floor
from allocator.data.custody import assign_custodians
from allocator.data.geotable import Geography
from allocator.reference.provinces import Province, province_named, provinces


@dataclass(frozen=True)
class GeographySpec:
    """How many neighborhoods of each kind a geography has, and where.

    Attributes:
        province_names: the provinces covered (``()`` for all 31).
        targets: target neighborhoods of the 2,020 program.
        imam_order: how many targets are in the custody of EIKO.
        informal: how many targets are informal settlements.
        mazandaran: how many targets are among Mazandaran's 56.
        target_residents: residents of all target neighborhoods together.
        residents: all residents (``0`` for the census total of the provinces).
        residents_per_non_target: mean population of a non-target neighborhood.
    """

    province_names: tuple[str, ...]
    targets: int
    imam_order: int
    informal: int
    mazandaran: int
    target_residents: int
    residents: int
    residents_per_non_target: int


NATIONAL = GeographySpec(
    (),
    A.TARGET_NEIGHBORHOODS,
    A.IMAM_ORDER_NEIGHBORHOODS,
    A.INFORMAL_SETTLEMENTS,
    A.MAZANDARAN_NEIGHBORHOODS,
    A.TARGET_RESIDENTS,
    0,
    A.NON_TARGET_RESIDENTS_PER_NEIGHBORHOOD,
)
TINY = GeographySpec(
    A.TINY_PROVINCES,
    A.TINY_TARGETS,
    A.TINY_IMAM_ORDER,
    A.TINY_INFORMAL,
    A.TINY_MAZANDARAN,
    A.TINY_TARGET_RESIDENTS,
    round(A.TINY_HOUSEHOLDS * A.HOUSEHOLD_SIZE_MEAN),
    A.TINY_RESIDENTS_PER_NON_TARGET,
)


def _provinces(spec: GeographySpec) -> tuple[Province, ...]:
    if not spec.province_names:
        return provinces()
    return tuple(province_named(name) for name in spec.province_names)


def _county_names(province: Province) -> list[str]:
    count = round(province.population / A.COUNTY_RESIDENTS)
    count = min(max(count, A.COUNTIES_MIN), A.COUNTIES_MAX)
    return [f"{province.name}-{k:02d}" for k in range(1, count + 1)]


@cache
def build_geography(spec: GeographySpec, seed: int) -> Geography:
    """The neighborhoods of ``spec`` for ``seed`` (cached; the arrays are read-only)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    provs = _provinces(spec)
    census = np.array([p.population for p in provs], dtype=np.float64)
    maz = [p.name for p in provs].index(A.MAZANDARAN_PROVINCE)
    residents = apportion(spec.residents or int(census.sum()), census)
    targets = with_floor(apportion(spec.targets, census), maz, spec.mazandaran)
    target_res = apportion(spec.target_residents, census)
    non_targets = np.maximum(1, np.round((residents - target_res) / spec.residents_per_non_target))

    parts: list[tuple[Geography, Geography]] = []  # (targets, non-targets) of each province
    for i, province in enumerate(provs):
        counties = _county_names(province)
        make = partial(_neighborhoods, rng, province.name, counties, dict.fromkeys(counties, 0))
        in_targets = int(target_res[i])
        parts.append(
            (
                make(int(targets[i]), in_targets, True),
                make(int(non_targets[i]), int(residents[i]) - in_targets, False),
            )
        )
    maz_targets = parts[maz][0]
    flagged = maz_targets.take(np.arange(spec.mazandaran))
    flagged = flagged.replace(mazandaran=np.ones(spec.mazandaran, dtype=np.bool_))
    rest = maz_targets.take(np.arange(spec.mazandaran, len(maz_targets)))
    ordered = [flagged] + [rest if i == maz else t for i, (t, _) in enumerate(parts)]
    geo = Geography.concat(ordered + [n for _, n in parts])
    return assign_custodians(geo, spec, rng).frozen()


def _neighborhoods(
    rng: np.random.Generator,
    province: str,
    counties: list[str],
    counters: dict[str, int],
    count: int,
    residents: int,
    target: bool,
) -> Geography:
    """``count`` neighborhoods of one kind in one province, sorted by county."""
    weights = np.exp(A.NEIGHBORHOOD_SIZE_SIGMA * rng.standard_normal(count))
    county_of = np.sort(rng.integers(0, len(counties), count))
    rural_share = A.TARGET_RURAL_SHARE if target else A.NON_TARGET_RURAL_SHARE
    names: list[str] = []
    for c in county_of.tolist():
        counters[counties[c]] += 1
        names.append(f"{counties[c]}-{counters[counties[c]]:03d}")
    return Geography(
        name=tuple(names),
        province=(province,) * count,
        county=tuple(counties[c] for c in county_of.tolist()),
        rural=rng.random(count) < rural_share,
        custodian=np.zeros(count, dtype=np.int8),
        target=np.full(count, target),
        informal=np.zeros(count, dtype=np.bool_),
        mazandaran=np.zeros(count, dtype=np.bool_),
        population=apportion(residents, weights),
    )
