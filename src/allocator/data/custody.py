"""Which agency holds custody of each neighborhood, and which targets are informal settlements.

Mazandaran's 56 go to the welfare organization; exactly ``imam_order`` other targets go to
EIKO; the remaining targets and all non-targets are split among the relief committee, the
welfare organization and the Red Crescent (see :mod:`~allocator.data.assumptions`). Informal
settlements are drawn among urban targets.

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
from allocator.data.geotable import AGENCIES, Geography
from allocator.domain.enums import Agency

if TYPE_CHECKING:
    from allocator.data.geography import GeographySpec

_OTHERS = np.array([AGENCIES.index(a.value) for a in A.OTHER_CUSTODIAN_SHARES], dtype=np.int8)
_OTHER_SHARES = np.array(list(A.OTHER_CUSTODIAN_SHARES.values()))
_WELFARE = AGENCIES.index(Agency.WELFARE_ORGANIZATION.value)


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
    custodian[n_targets:] = _OTHERS[
        rng.choice(len(_OTHERS), size=len(geo) - n_targets, p=_OTHER_SHARES)
    ]

    rural = geo.rural.copy()
    urban_targets = np.flatnonzero(~rural[:n_targets])
    if len(urban_targets) < spec.informal:  # only in tiny geographies: make enough urban
        urban_targets = np.arange(n_targets)
    informal = np.zeros(len(geo), dtype=np.bool_)
    informal[rng.choice(urban_targets, size=spec.informal, replace=False)] = True
    rural[informal] = False
    return geo.replace(custodian=custodian, informal=informal, rural=rural)
