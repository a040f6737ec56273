"""A preset resolved for a seed: its neighborhoods and how many households each holds.

Households are numbered neighborhood by neighborhood: the first ``households[0]`` live in
neighborhood 1, the next ``households[1]`` in neighborhood 2, and so on.

Examples:
    >>> lay = layout("tiny", seed=0)
    >>> len(lay.geography), lay.total_households
    (20, 2000)
    >>> layout("program-2020", seed=0).total_households
    6005524
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.data import assumptions as A
from allocator.data.apportion import apportion
from allocator.data.behzisti import province_factors
from allocator.data.geography import build_geography
from allocator.data.geotable import Geography
from allocator.data.presets import Preset, get_preset
from allocator.types import FloatArray, IntArray


@dataclass(frozen=True)
class Layout:
    """A preset resolved for a seed: its neighborhoods and households per neighborhood."""

    preset: Preset
    geography: Geography
    households: IntArray

    @property
    def behzisti(self) -> FloatArray:
        """Behzisti need factor of every neighborhood (its province's, :mod:`.behzisti`)."""
        factors = province_factors()
        return np.array([factors[p] for p in self.geography.province], dtype=np.float64)

    @property
    def total_households(self) -> int:
        return int(self.households.sum())


def layout(name: str, seed: int) -> Layout:
    """Resolve the preset ``name`` for ``seed``.

    Raises:
        DataError: no preset has that name.
    """
    preset = get_preset(name)
    assert preset.geography is not None  # get_preset returns data sets only
    full = build_geography(preset.geography, seed)
    count = preset.neighborhoods or len(full)
    geo = full.take(np.arange(count)) if count < len(full) else full
    weights = geo.population.astype(np.float64)
    if preset.households:
        households = apportion(preset.households, weights)
    else:
        households = apportion(A.NATIONAL_HOUSEHOLDS, full.population.astype(np.float64))[:count]
    if preset.people:
        geo = geo.replace(population=apportion(preset.people, weights))
    return Layout(preset, geo, households)
