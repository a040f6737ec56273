"""The size-sorted layout: member -> household reductions as a few contiguous slice operations.

Households are reordered largest first (stably, so equal sizes keep their batch order) and
members are stored *position-major*: first member 0 of every household, then member 1 of every
household that has two or more, and so on. Position ``k`` then holds one member for each of the
first ``counts[k]`` households, in household order, so

- a sum over members is ``out[:counts[k]] += values_k`` for each position ``k`` (members added
  left to right within a household, as the scalar engine adds them);
- broadcasting a household column to members is ``concatenate(column[:counts[k]])``.

Both are single streaming passes, with no index array and no segment bookkeeping.

Examples:
    >>> lay = Layout.of(np.array([0, 1, 4, 6]))  # sizes 1, 3, 2
    >>> lay.order.tolist(), lay.counts, lay.member_rows.tolist()
    ([1, 2, 0], (3, 2, 1), [1, 4, 0, 2, 5, 3])
    >>> lay.spread(np.array([10, 20, 30])).tolist()
    [10, 20, 30, 10, 20, 10]
    >>> lay.reduce(np.maximum, np.array([5, 1, 7, 6, 2, 9]), -1).tolist()
    [9, 2, 7]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from allocator.types import Array, IntArray


@dataclass(frozen=True)
class Layout:
    """Where each household and member of a batch goes (see the module docstring).

    Attributes:
        order: batch row of each layout household (largest households first).
        counts: ``counts[k]`` is the number of households with more than ``k`` members.
        member_rows: batch member row of each layout member (position-major).
    """

    order: IntArray
    counts: tuple[int, ...]
    member_rows: IntArray

    @classmethod
    def of(cls, offsets: IntArray) -> Layout:
        """The layout of a batch whose household ``i`` has members ``offsets[i]:offsets[i+1]``."""
        sizes = np.diff(offsets)
        n = len(sizes)
        if n == 0 or int(sizes.max()) == 0:
            return cls(np.arange(n), (), np.zeros(0, dtype=np.int64))
        largest = int(sizes.max())
        # A stable sort of small integers is a radix sort in NumPy.
        key = (largest - sizes).astype(np.int16 if largest < 2**15 else np.int64)
        order = np.argsort(key, kind="stable")
        histogram = np.bincount(sizes, minlength=largest + 1)
        counts = tuple(int(c) for c in (n - np.cumsum(histogram))[:largest])
        starts = offsets[:-1][order]
        member_rows = np.concatenate([starts[:c] + k for k, c in enumerate(counts)])
        return cls(order, counts, member_rows)

    @property
    def n_households(self) -> int:
        return len(self.order)

    @property
    def n_members(self) -> int:
        return len(self.member_rows)

    def positions(self) -> Iterator[tuple[int, int, int]]:
        """``(k, start, count)``: position ``k`` is layout members ``start:start + count``."""
        start = 0
        for k, count in enumerate(self.counts):
            yield k, start, count
            start += count

    @cached_property
    def sizes(self) -> IntArray:
        """Members of each layout household."""
        sizes = np.zeros(self.n_households, dtype=np.int64)
        for count in self.counts:
            sizes[:count] += 1
        return sizes

    @cached_property
    def member_household(self) -> IntArray:
        """Layout household of each layout member."""
        if not self.counts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(c) for c in self.counts])

    def spread(self, values: Array) -> Array:
        """A household column repeated for each of its members (in layout member order)."""
        if not self.counts:
            return values[:0].copy()
        return np.concatenate([values[:c] for c in self.counts])

    def sum(self, values: Array, dtype: Any) -> Array:
        """Per-household sums in member order, starting from zero (empty households: 0)."""
        out = np.zeros(self.n_households, dtype=dtype)
        for _, start, count in self.positions():
            part = out[:count]
            np.add(part, values[start : start + count], out=part)
        return out

    def any(self, mask: Array) -> Array:
        """Households with at least one member where ``mask`` holds."""
        out = np.zeros(self.n_households, dtype=np.bool_)
        for _, start, count in self.positions():
            part = out[:count]
            np.logical_or(part, mask[start : start + count], out=part)
        return out

    def reduce(self, ufunc: np.ufunc, values: Array, empty: Any) -> Array:
        """``ufunc`` (minimum or maximum) over each household's members; ``empty`` if none."""
        out = np.full(self.n_households, empty, dtype=values.dtype)
        for k, start, count in self.positions():
            part = out[:count]
            if k == 0:
                part[:] = values[start : start + count]
            else:
                ufunc(part, values[start : start + count], out=part)
        return out

    def best(self, member_rows: IntArray, owner: IntArray, values: Array) -> Array:
        """Per household, the largest of ``values`` over some members (``-inf`` for none).

        ``member_rows`` are layout member rows in ascending order, ``owner`` their layout
        households and ``values`` their values. Rows of one position belong to distinct
        households, so each position is a plain gather, maximum and scatter.

        Examples:
            >>> lay = Layout.of(np.array([0, 2, 3]))  # sizes 2, 1: positions [0, 1], [0]
            >>> lay.best(np.array([0, 1, 2]), np.array([0, 1, 0]), np.array([1., 5., 3.]))
            array([3., 5.])
        """
        out = np.full(self.n_households, -np.inf)
        bounds = np.searchsorted(member_rows, np.cumsum((0, *self.counts)))
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            if b > a:
                households = owner[a:b]
                out[households] = np.maximum(out[households], values[a:b])
        return out
