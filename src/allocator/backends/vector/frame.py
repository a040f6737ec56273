"""The columns compiled expressions read: one entity's variables, its household's, a memo.

A member frame reads ``household.x`` through ``up`` (the household frame) and ``up_index``
(each member's household row), or through ``spread`` when the frame is in the size-sorted
layout (:meth:`.layout.Layout.spread`, contiguous copies instead of a gather); the broadcast
is computed once per frame and name. A frame
can be narrowed to a subset of its rows (:meth:`Frame.subset`); the subset gathers columns
lazily, so an expression evaluated only on the few entities that need it costs little.

Examples:
    >>> import numpy as np
    >>> hh = Frame(2, {"urban": np.array([True, False])})
    >>> members = Frame(3, {"age": np.array([4, 30, 50])}, up=hh, up_index=np.array([0, 0, 1]))
    >>> members.household("urban").tolist()
    [True, True, False]
    >>> sub = members.subset(np.array([2]))
    >>> sub.get("age").tolist(), sub.household("urban").tolist()
    ([50], [False])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allocator.types import Array, IntArray


class Frame:
    """Variables of ``n`` entities of one kind (see the module docstring)."""

    def __init__(
        self,
        n: int,
        columns: dict[str, Array],
        up: Frame | None = None,
        up_index: IntArray | None = None,
        parent: Frame | None = None,
        rows: IntArray | None = None,
        spread: Callable[[Array], Array] | None = None,
    ) -> None:
        self.n = n
        self.columns = columns
        self.up = up
        self.up_index = up_index
        self.parent = parent
        self.rows = rows
        self.spread = spread
        self.memo: dict[int, Any] = {}
        self._broadcast: dict[str, Array] = {}

    def get(self, name: str) -> Array:
        """The column of variable ``name`` of this frame's entity."""
        column = self.columns.get(name)
        if column is None:
            if self.parent is None or self.rows is None:
                raise KeyError(name)
            column = self.columns[name] = self.parent.get(name)[self.rows]
        return column

    def set(self, name: str, values: Array) -> None:
        """Store a computed variable."""
        self.columns[name] = values

    def household(self, name: str) -> Array:
        """Household variable ``name`` broadcast to this (member) frame's rows."""
        column = self._broadcast.get(name)
        if column is None:
            if self.up is None or (self.up_index is None and self.spread is None):
                raise KeyError(f"household.{name}")
            values = self.up.get(name)
            if self.spread is not None:
                column = self.spread(values)
            else:
                assert self.up_index is not None
                column = values[self.up_index]
            self._broadcast[name] = column
        return column

    def subset(self, rows: IntArray) -> Frame:
        """This frame narrowed to ``rows`` (columns are gathered when first read)."""
        up_index = None if self.up_index is None else self.up_index[rows]
        return Frame(len(rows), {}, up=self.up, up_index=up_index, parent=self, rows=rows)
