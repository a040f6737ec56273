"""The default neighborhoods: the national geography of the default seed.

Single-household checks validate ``neighborhood_id`` against :func:`default_registry`. Its ids
are those of the ``national`` (and, for 1 to 2,020, ``program-2020``) data sets written with
:data:`DEFAULT_SEED`: ids 1 to 2,020 are the target neighborhoods, 1 to 56 Mazandaran's 56.

Examples:
    >>> from allocator.domain.enums import Program
    >>> reg = default_registry()
    >>> reg.get(1).is_target(Program.NEIGHBORHOODS_2020), reg.get(1).province
    (True, 'Mazandaran')
    >>> reg.get(2021).is_target(Program.NEIGHBORHOODS_2020)
    False
"""

from __future__ import annotations

from functools import cache

from allocator.data.geoexport import neighborhood_models
from allocator.data.geography import NATIONAL, build_geography
from allocator.domain.neighborhood import Neighborhood, NeighborhoodRegistry

#: The seed of the embedded default data (and of ``allocator synth`` without ``--seed``).
DEFAULT_SEED = 0


@cache
def _neighborhoods(seed: int) -> tuple[Neighborhood, ...]:
    return tuple(neighborhood_models(build_geography(NATIONAL, seed)))


def default_neighborhoods(seed: int = DEFAULT_SEED) -> list[Neighborhood]:
    """The neighborhoods of the national geography for ``seed`` (built once, then cached)."""
    return list(_neighborhoods(seed))


@cache
def default_registry(seed: int = DEFAULT_SEED) -> NeighborhoodRegistry:
    """A registry of :func:`default_neighborhoods` (cached)."""
    return NeighborhoodRegistry(_neighborhoods(seed))
