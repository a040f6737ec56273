"""The named data sets the generator can write, and how each maps onto a geography.

``program-2020`` and ``mazandaran`` are prefixes of the ``national`` geography of the same seed
(ids 1 to 2,020 and 1 to 56), so their neighborhood ids mean the same neighborhoods as in
``national`` and in :func:`~allocator.reference.default_registry`. ``tiny`` has its own
small geography of about 20 neighborhoods.

Examples:
    >>> sorted(PRESETS)
    ['mazandaran', 'national', 'program-2020', 'tiny']
    >>> get_preset("mazandaran").households
    162000
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.data import assumptions as A
from allocator.data.geography import NATIONAL, TINY, GeographySpec
from allocator.errors import DataError


@dataclass(frozen=True)
class Preset:
    """A named data set.

    Attributes:
        name: the preset's name on the command line.
        geography: the geography it is drawn from.
        neighborhoods: how many leading neighborhoods of the geography it covers (0: all).
        households: households, apportioned over its neighborhoods by population (0: the
            national 24 M apportioned over the whole geography, then cut to the prefix).
        people: if set, the population column is rescaled to sum to this.
        household_size_mean: mean persons per household.
        disability_rate: if set, the share of people with a disability everywhere.
        welfare_case_share: if set, the share of households with a Behzisti case file.
    """

    name: str
    geography: GeographySpec
    neighborhoods: int = 0
    households: int = 0
    people: int = 0
    household_size_mean: float = A.HOUSEHOLD_SIZE_MEAN
    disability_rate: float | None = None
    welfare_case_share: float | None = None


PRESETS: dict[str, Preset] = {
    "tiny": Preset("tiny", TINY, households=A.TINY_HOUSEHOLDS),
    "mazandaran": Preset(
        "mazandaran",
        NATIONAL,
        neighborhoods=A.MAZANDARAN_NEIGHBORHOODS,
        households=A.MAZANDARAN_HOUSEHOLDS,
        people=A.MAZANDARAN_PEOPLE,
        household_size_mean=A.MAZANDARAN_PEOPLE / A.MAZANDARAN_HOUSEHOLDS,
        disability_rate=A.DISABILITY_RATE_MAZANDARAN,
        welfare_case_share=A.MAZANDARAN_WELFARE_CASE_SHARE,
    ),
    "program-2020": Preset("program-2020", NATIONAL, neighborhoods=A.TARGET_NEIGHBORHOODS),
    "national": Preset("national", NATIONAL),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name``.

    Raises:
        DataError: no such preset (the message lists the known ones).
    """
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise DataError(f"unknown preset {name!r}; choose one of: {known}") from None
