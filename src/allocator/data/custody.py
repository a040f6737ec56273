"""Which agency holds custody of each neighborhood, and which targets are informal settlements.

Mazandaran's 56 go to the welfare organization; exactly ``imam_order`` other targets go to
EIKO; the remaining targets and all non-targets are split among the relief committee, the
welfare organization and the Red Crescent (see :mod:`~allocator.data.assumptions`), the
welfare organization more often where its province's Behzisti need factor is higher
(:mod:`~allocator.data.behzisti`). Informal settlements are drawn among urban targets.

Examples:
    >>> from allocator.data.geography import TINY, build_geography
    >>> geo = build_geography(TINY, seed=0)
    >>> int((geo.custodian == AGENCIES.index("imam_order")).sum())
    3
    >>> bool(geo.rural[geo.informal].any())
    False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allocator.data import assumptions as A
from allocator.data.apportion import apportion
from allocator.data.behzisti import province_factors
from allocator.data.codes import Int8Array
from allocator.data.geotable import AGENCIES, Geography
from allocator.domain.enums import Agency
from allocator.types import FloatArray

if TYPE_CHECKING:
    from allocator.data.geography import GeographySpec

_OTHERS = np.array([AGENCIES.index(a.value) for a in A.OTHER_CUSTODIAN_SHARES], dtype=np.int8)
_OTHER_SHARES = np.array(list(A.OTHER_CUSTODIAN_SHARES.values()))
_WELFARE = AGENCIES.index(Agency.WELFARE_ORGANIZATION.value)
_RELIEF = AGENCIES.index(Agency.RELIEF_COMMITTEE.value)
_W, _R, _RC = (
    list(A.OTHER_CUSTODIAN_SHARES).index(a)
    for a in (Agency.WELFARE_ORGANIZATION, Agency.RELIEF_COMMITTEE, Agency.RED_CRESCENT)
)


def _favour_welfare(
    custodian: Int8Array, lo: int, hi: int, factor: FloatArray, rng: np.random.Generator
) -> None:
    """Among targets ``lo:hi`` held by Behzisti or IKRC, give Behzisti's (unchanged) number
    to neighborhoods drawn with weights ``factor`` (Behzisti need of their province)."""
    pool = lo + np.flatnonzero(np.isin(custodian[lo:hi], (_WELFARE, _RELIEF)))
    k = int(np.count_nonzero(custodian[pool] == _WELFARE))
    if k == 0 or k == len(pool):
        return
    weights = factor[pool] / factor[pool].sum()
    chosen = rng.choice(pool, size=k, replace=False, p=weights)
    custodian[pool] = _RELIEF
    custodian[chosen] = _WELFARE


def assign_custodians(geo: Geography, spec: GeographySpec, rng: np.random.Generator) -> Geography:
    """``geo`` with ``custodian`` and ``informal`` set (targets first, Mazandaran's 56 leading)."""
    n_targets = spec.targets
    others = apportion(n_targets - spec.imam_order, _OTHER_SHARES)
    # Mazandaran's 56 are counted in the welfare organization's share of the targets.
    welfare = int(np.flatnonzero(_OTHERS == _WELFARE)[0])
    others[welfare] -= min(spec.mazandaran, int(others[welfare]))
    labels = np.concatenate(
        [
            np.full(spec.imam_order, AGENCIES.index(Agency.IMAM_ORDER.value), dtype=np.int8),
            np.repeat(_OTHERS, others),
        ]
    )
    custodian = np.empty(len(geo), dtype=np.int8)
    custodian[: spec.mazandaran] = AGENCIES.index(A.MAZANDARAN_CUSTODIAN.value)
    custodian[spec.mazandaran : n_targets] = rng.permutation(labels)[: n_targets - spec.mazandaran]
    factors = province_factors()
    factor = np.array([factors[p] for p in geo.province], dtype=np.float64)
    _favour_welfare(custodian, spec.mazandaran, n_targets, factor, rng)
    # Non-targets: Behzisti's share scaled by the province's factor, taken from IKRC's.
    p = np.tile(_OTHER_SHARES, (len(geo) - n_targets, 1))
    p[:, _W] *= factor[n_targets:]
    p[:, _R] = 1.0 - p[:, _W] - p[:, _RC]
    u = rng.random(len(geo) - n_targets)[:, None]
    custodian[n_targets:] = _OTHERS[np.minimum((u >= np.cumsum(p, axis=1)).sum(axis=1), 2)]

    rural = geo.rural.copy()
    urban_targets = np.flatnonzero(~rural[:n_targets])
    if len(urban_targets) < spec.informal:  # only in tiny geographies: make enough urban
        urban_targets = np.arange(n_targets)
    informal = np.zeros(len(geo), dtype=np.bool_)
    informal[rng.choice(urban_targets, size=spec.informal, replace=False)] = True
    rural[informal] = False
    return geo.replace(custodian=custodian, informal=informal, rural=rural)
