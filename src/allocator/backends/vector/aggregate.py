"""Member -> household aggregations over the size-sorted :class:`~.layout.Layout`.

Each aggregation is one pass over the member column, a slice per member position (see
:mod:`.layout`). Empty households (and households with no member passing ``where``) get the
aggregation's neutral value or its default. Float sums are accumulated member by member in
household order, from ``0.0``, as the scalar engine does, so they are exactly the same.

Examples:
    >>> from allocator.backends.vector.layout import Layout
    >>> lay = Layout.of(np.array([0, 2, 2, 5]))  # sizes 2, 0, 3: layout order 2, 0, 1
    >>> batch_ages = np.array([40, 8, 70, 3, 33])
    >>> lay.sum(batch_ages[lay.member_rows], np.int64).tolist()  # households 2, 0, 1
    [106, 48, 0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.api.variables import Aggregation
from allocator.types import Array

from .compile import Compiled
from .frame import Frame
from .layout import Layout


def aggregate(
    agg: Aggregation, members: Frame, layout: Layout, of: Compiled | None, where: Compiled | None
) -> Array:
    """The household values (in layout order) of aggregation ``agg`` over ``members``."""
    mask = None if where is None else where.full(members, np.bool_)
    if agg.function == "any":
        return layout.sizes > 0 if mask is None else layout.any(mask)
    if agg.function == "count":
        return layout.sizes.copy() if mask is None else layout.sum(mask, np.int64)
    assert of is not None  # the loader guarantees 'of' for sum / min / max
    values = of.full(members)
    if values.dtype.kind in "iub":
        values = values.astype(np.int64, copy=False)
    if agg.function == "sum":
        if mask is not None:
            values = np.where(mask, values, values.dtype.type(0))
        return layout.sum(values, values.dtype)
    ufunc = np.minimum if agg.function == "min" else np.maximum
    default = agg.default if agg.default is not None else 0
    if mask is None:
        result = layout.reduce(ufunc, values, default)
    else:
        if values.dtype.kind == "f":
            neutral: Any = np.inf if agg.function == "min" else -np.inf
        else:
            info = np.iinfo(values.dtype)
            neutral = info.max if agg.function == "min" else info.min
        result = layout.reduce(ufunc, np.where(mask, values, neutral), default)
        result = np.where(layout.any(mask), result, default)
    if isinstance(default, float) and result.dtype.kind != "f":
        result = result.astype(np.float64)
    return result
