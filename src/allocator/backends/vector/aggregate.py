"""Member -> household aggregations as single passes over the sorted member table.

Members of household ``i`` are rows ``offsets[i]:offsets[i + 1]``. Reductions use
``ufunc.reduceat`` on the segment starts of non-empty households; empty households (and
households with no member passing ``where``) get the aggregation's neutral value or default.
Float sums are accumulated member by member in household order, as the scalar engine does.

Examples:
    >>> offsets = np.array([0, 2, 2, 5])
    >>> segment_reduce(np.add, np.array([1, 2, 3, 4, 5]), offsets, 0).tolist()
    [3, 0, 12]
    >>> segment_reduce(np.minimum, np.array([7, 2, 3, 9, 5]), offsets, -1).tolist()
    [2, -1, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.api.variables import Aggregation
from allocator.types import Array, IntArray

from .compile import Compiled
from .frame import Frame


def segment_reduce(ufunc: np.ufunc, values: Array, offsets: IntArray, empty: Any) -> Array:
    """``ufunc`` reduced over each segment of ``values``; ``empty`` for empty segments."""
    n = len(offsets) - 1
    starts = offsets[:-1]
    if n == 0:
        return np.zeros(0, dtype=values.dtype)
    if len(values) == 0:
        return np.full(n, empty, dtype=values.dtype)
    sizes = np.diff(offsets)
    if sizes.all():
        return ufunc.reduceat(values, starts)
    nonempty = sizes > 0
    out = np.full(n, empty, dtype=values.dtype)
    out[nonempty] = ufunc.reduceat(values, starts[nonempty])
    return out


def segment_count(mask: Array, offsets: IntArray) -> IntArray:
    """How many rows of each segment are true.

    Examples:
        >>> segment_count(np.array([True, False, True]), np.array([0, 2, 2, 3])).tolist()
        [1, 0, 1]
    """
    cumulative = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=cumulative[1:])
    result: IntArray = cumulative[offsets[1:]] - cumulative[offsets[:-1]]
    return result


def sequential_sum(values: Array, offsets: IntArray) -> Array:
    """Per-segment float sums added left to right (the scalar engine's order), exactly.

    Examples:
        >>> sequential_sum(np.array([0.1, 0.2, 0.3, 1.0]), np.array([0, 3, 3, 4])).tolist()
        [0.6000000000000001, 0.0, 1.0]
    """
    starts = offsets[:-1]
    sizes = np.diff(offsets)
    out = np.zeros(len(starts), dtype=np.float64)
    k = 0
    active = np.flatnonzero(sizes > 0)
    while len(active):
        out[active] += values[starts[active] + k]
        k += 1
        active = active[sizes[active] > k]
    return out


def aggregate(
    agg: Aggregation, members: Frame, offsets: IntArray, of: Compiled | None, where: Compiled | None
) -> Array:
    """The household values of aggregation ``agg`` over the members of ``members``."""
    mask = None if where is None else where.full(members, np.bool_)
    if agg.function == "any":
        if mask is None:
            return np.diff(offsets) > 0
        return segment_count(mask, offsets) > 0
    if agg.function == "count":
        return np.diff(offsets) if mask is None else segment_count(mask, offsets)
    assert of is not None  # the loader guarantees 'of' for sum / min / max
    values = of.full(members)
    if values.dtype.kind in "iub":
        values = values.astype(np.int64, copy=False)
    if agg.function == "sum":
        if mask is not None:
            values = np.where(mask, values, values.dtype.type(0))
        if values.dtype.kind == "f":
            return sequential_sum(values, offsets)
        return segment_reduce(np.add, values, offsets, 0)
    ufunc = np.minimum if agg.function == "min" else np.maximum
    default = agg.default if agg.default is not None else 0
    if mask is None:
        result = segment_reduce(ufunc, values, offsets, default)
    else:
        if values.dtype.kind == "f":
            neutral: Any = np.inf if agg.function == "min" else -np.inf
        else:
            info = np.iinfo(values.dtype)
            neutral = info.max if agg.function == "min" else info.min
        result = segment_reduce(ufunc, np.where(mask, values, neutral), offsets, default)
        result = np.where(segment_count(mask, offsets) > 0, result, default)
    if isinstance(default, float) and result.dtype.kind != "f":
        result = result.astype(np.float64)
    return result
