"""The one table of named presets: the data sets the generator writes, the shapes of random
demand the optimizer is benchmarked on, and how each maps onto a geography.

A preset with a geography is a data set (``allocator synth --preset``, a scenario's
``source: synthetic``); a preset with a :class:`DemandShape` shapes random aggregated demand
(a scenario's ``source: synthetic-demand``, :mod:`allocator.data.synthetic_demand`); most are
both. ``program-2020`` and ``mazandaran`` are prefixes of the ``national`` geography of the
same seed (ids 1 to 2,020 and 1 to 56), so their neighborhood ids mean the same
neighborhoods as in ``national`` and in :func:`~allocator.reference.default_registry`.
``tiny`` has its own small geography of about 20 neighborhoods (its demand shape: 4).

Examples:
    >>> DATA_PRESETS
    ('tiny', 'mazandaran', 'program-2020', 'national')
    >>> DEMAND_PRESETS
    ('tiny', 'mazandaran', 'program-2020', 'informal-330', 'custom')
    >>> get_preset("mazandaran").households, demand_shape("mazandaran").neighborhoods
    (162000, 56)
    >>> get_preset("custom")
    Traceback (most recent call last):
    ...
    allocator.errors.DataError: preset 'custom' shapes synthetic demand only; data sets: ...
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.data import assumptions as A
from allocator.data.geography import NATIONAL, TINY, GeographySpec
from allocator.errors import DataError


@dataclass(frozen=True)
class DemandShape:
    """The shape of random aggregated demand (neighborhood × service) for the optimizer alone.

    Attributes:
        neighborhoods: how many neighborhoods.
        households_per_neighborhood: their mean size (seed 000: about 3,000).
        provinces: the provinces they are drawn in (None: all, by population).
    """

    neighborhoods: int
    households_per_neighborhood: float = 3000.0
    provinces: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Preset:
    """A named data set.

    Attributes:
        name: the preset's name on the command line.
        geography: the geography its data set is drawn from (None: demand only).
        neighborhoods: how many leading neighborhoods of the geography it covers (0: all).
        households: households, apportioned over its neighborhoods by population (0: the
            national 24 M apportioned over the whole geography, then cut to the prefix).
        people: if set, the population column is rescaled to sum to this.
        household_size_mean: mean persons per household.
        disability_rate: if set, the share of people with a disability everywhere.
        welfare_case_share: if set, the share of households with a Behzisti case file.
        demand: the shape of its synthetic demand (None: a data set only).
    """

    name: str
    geography: GeographySpec | None
    neighborhoods: int = 0
    households: int = 0
    people: int = 0
    household_size_mean: float = A.HOUSEHOLD_SIZE_MEAN
    disability_rate: float | None = None
    welfare_case_share: float | None = None
    demand: DemandShape | None = None


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        "tiny", TINY, households=A.TINY_HOUSEHOLDS, demand=DemandShape(4, 300.0, ("Tehran", "Fars"))
    ),
    "mazandaran": Preset(
        "mazandaran",
        NATIONAL,
        neighborhoods=A.MAZANDARAN_NEIGHBORHOODS,
        households=A.MAZANDARAN_HOUSEHOLDS,
        people=A.MAZANDARAN_PEOPLE,
        household_size_mean=A.MAZANDARAN_PEOPLE / A.MAZANDARAN_HOUSEHOLDS,
        disability_rate=A.DISABILITY_RATE_MAZANDARAN,
        welfare_case_share=A.MAZANDARAN_WELFARE_CASE_SHARE,
        # seed 002: 162,000 Behzisti households in Mazandaran's 56 neighborhoods
        demand=DemandShape(
            A.MAZANDARAN_NEIGHBORHOODS,
            A.MAZANDARAN_HOUSEHOLDS / A.MAZANDARAN_NEIGHBORHOODS,
            ("Mazandaran",),
        ),
    ),
    "program-2020": Preset(  # seed 000: 2,020 neighborhoods
        "program-2020",
        NATIONAL,
        neighborhoods=A.TARGET_NEIGHBORHOODS,
        demand=DemandShape(A.TARGET_NEIGHBORHOODS),
    ),
    "national": Preset("national", NATIONAL),
    "informal-330": Preset("informal-330", None, demand=DemandShape(330)),  # seed 004
    "custom": Preset("custom", None, demand=DemandShape(200)),
}

#: Presets that are data sets (``synth``, ``source: synthetic``), in the table's order.
DATA_PRESETS = tuple(name for name, p in PRESETS.items() if p.geography is not None)
#: Presets that shape synthetic demand (``source: synthetic-demand``).
DEMAND_PRESETS = tuple(name for name, p in PRESETS.items() if p.demand is not None)


def get_preset(name: str) -> Preset:
    """The data set preset called ``name`` (it has a geography).

    Raises:
        DataError: no such data set (the message lists the known ones).
    """
    known = ", ".join(DATA_PRESETS)
    if name not in PRESETS:
        raise DataError(f"unknown preset {name!r}; choose one of: {known}")
    if name not in DATA_PRESETS:
        raise DataError(f"preset {name!r} shapes synthetic demand only; data sets: {known}")
    return PRESETS[name]


def demand_shape(name: str) -> DemandShape:
    """The synthetic demand shape of the preset ``name``.

    Raises:
        DataError: no preset of that name shapes demand (the message lists those that do).
    """
    shape = PRESETS[name].demand if name in PRESETS else None
    if shape is None:
        known = ", ".join(DEMAND_PRESETS)
        raise DataError(f"preset {name!r} has no synthetic demand; choose one of: {known}")
    return shape
