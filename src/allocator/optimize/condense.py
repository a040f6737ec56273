"""A program made smaller before HiGHS sees it, as HiGHS's presolve would first make it.

Two steps, each undone exactly on the solution:

1. **Definitions substituted out.** The utility pieces of a value cell with one demand
   row are defined by one row, ``ω x_r − Σ_j value_j = 0`` (``value_def``,
   ``docs/model.md``), where the pieces appear in no other row and ``x_r`` costs nothing
   and can always take the value the pieces give it. Such a row and its ``x_r`` go: every
   piece takes ``x_r``'s coefficients in the other rows, divided by ω. The way back:
   ``x_r = Σ_j value_j / ω``, and the row's price ``y_r = −(a_x · y) / ω``, which makes
   ``x_r``'s reduced cost zero (it may then lie anywhere in its bounds), so the prices of
   the original program are as optimal as those of the smaller one.
2. **Identical columns merged.** Pieces are then often identical, column for column:
   the same piece of every cell of a service with the same unit cost and case files per
   unit, in the same spending and staff cells (the slot rows that hold them apart mostly
   cannot bind and are not built). Columns with the same non-zeros and cost and lower
   bound 0 become one, whose upper bound is their sum; the way back gives each its share
   of the value in proportion to its upper bound (the rows see the same point).

At 60,000 neighborhoods, a province's program (1.08 M columns) took 9.3 s of HiGHS's
presolve, in those two rules, and 0.8 s of simplex; condensed here in 0.35 s, it
reaches HiGHS with 0.32 M columns (``docs/notes/h13condense.md``).

Examples:
    >>> from allocator.optimize.lp import ProgramBuilder
    >>> b = ProgramBuilder()
    >>> _ = b.add_vars("x", lb=np.zeros(1), ub=np.array([10.0]), obj=np.zeros(1))
    >>> _ = b.add_vars("value", lb=np.zeros(2), ub=np.array([4.0, 16.0]),
    ...                obj=np.array([3.0, 1.0]))
    >>> _ = b.add_rows("value_def", 1, rows=np.zeros(3, dtype=np.int64),
    ...                cols=np.array([0, 1, 2]), vals=np.array([2.0, -1.0, -1.0]),
    ...                lb=np.zeros(1), ub=np.zeros(1))
    >>> _ = b.add_rows("budget", 1, rows=np.zeros(1, dtype=np.int64), cols=np.array([0]),
    ...                vals=np.array([1.0]), ub=np.array([5.0]))
    >>> lp = b.build()
    >>> small = condense(lp)
    >>> small.program.n_vars, small.program.n_rows, small.program.vals.tolist()
    (2, 1, [0.5, 0.5])
    >>> small.values(np.array([4.0, 6.0])).tolist()  # x = (4 + 6) / 2
    [5.0, 4.0, 6.0]
    >>> small.duals(np.array([1.0])).tolist()  # the definition's price, then the budget's
    [-0.5, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.constants import SolveResult
from allocator.optimize.lp import LinearProgram
from allocator.types import FloatArray, IntArray

#: Relative room by which a defined column's own upper bound must exceed what its pieces
#: can give it (else that bound could bind, and the row is kept).
_ROOM = 1e-9


@dataclass(frozen=True, eq=False)
class Substituted:
    """A program with its definition rows substituted out, and the way back."""

    program: LinearProgram
    n_vars: int  # of the original program
    n_rows: int
    kept_cols: IntArray  # original column of each column of ``program``
    kept_rows: IntArray  # original row of each row of ``program``
    defined: IntArray  # original columns substituted out (one per dropped row)
    dropped: IntArray  # their definition rows, in the same order
    weight: FloatArray  # ω of each
    piece_of: IntArray  # for every piece (a column of ``program``): its ``defined`` index
    pieces: IntArray  # those columns of ``program``
    other_rows: IntArray  # non-zeros of the defined columns in kept rows: original row,
    other_of: IntArray  # their ``defined`` index,
    other_vals: FloatArray  # and coefficient

    @property
    def removed(self) -> int:
        """How many rows (and columns) were substituted out."""
        return int(self.dropped.size)

    def values(self, small: FloatArray) -> FloatArray:
        """The original program's point for a point ``small`` of :attr:`program`."""
        out = np.zeros(self.n_vars)
        out[self.kept_cols] = small
        sums = np.bincount(self.piece_of, weights=small[self.pieces], minlength=self.defined.size)
        out[self.defined] = sums / self.weight
        return out

    def duals(self, small: FloatArray) -> FloatArray:
        """The original program's row prices for prices ``small`` of :attr:`program`."""
        out = np.zeros(self.n_rows)
        out[self.kept_rows] = small
        priced = np.bincount(
            self.other_of,
            weights=self.other_vals * out[self.other_rows],
            minlength=self.defined.size,
        )
        out[self.dropped] = -priced / self.weight
        return out


def _definitions(lp: LinearProgram) -> tuple[IntArray, IntArray, FloatArray]:
    """The rows that can be substituted out, their defined columns and their ω."""
    r, c, v = lp.rows, lp.cols, lp.vals
    col_nnz = np.bincount(c, minlength=lp.n_vars)
    piece = (v == -1.0) & (col_nnz[c] == 1) & (lp.lb[c] >= 0) & ~lp.integer[c]
    positive = v > 0
    n_all = np.bincount(r, minlength=lp.n_rows)
    n_piece = np.bincount(r[piece], minlength=lp.n_rows)
    n_pos = np.bincount(r[positive], minlength=lp.n_rows)
    row_ok = (lp.row_lb == 0) & (lp.row_ub == 0) & (n_pos == 1) & (n_piece == n_all - 1)
    row_ok &= n_piece > 0
    head = row_ok[r] & positive
    rows, cols, weight = r[head], c[head], v[head]
    # what the pieces can give the defined column, against its own bounds
    reach = np.bincount(r[piece], weights=lp.ub[c[piece]], minlength=lp.n_rows)[rows] / weight
    free = (
        (lp.obj[cols] == 0)
        & (lp.lb[cols] == 0)
        & ~lp.integer[cols]
        & (lp.ub[cols] >= reach * (1 - _ROOM))
        & (np.bincount(cols, minlength=lp.n_vars)[cols] == 1)  # defines one row only
    )
    return rows[free], cols[free], weight[free]


def substitute(lp: LinearProgram) -> Substituted:
    """``lp`` with every substitutable definition row and its defined column taken out."""
    dropped, defined, weight = _definitions(lp)
    drop_row = np.zeros(lp.n_rows, dtype=np.bool_)
    drop_row[dropped] = True
    drop_col = np.zeros(lp.n_vars, dtype=np.bool_)
    drop_col[defined] = True
    which = np.full(lp.n_rows, -1, dtype=np.int64)  # the defined index of a dropped row
    which[dropped] = np.arange(dropped.size)
    r, c, v = lp.rows, lp.cols, lp.vals
    in_dropped = drop_row[r]
    piece = in_dropped & ~drop_col[c]
    piece_cols, piece_of = c[piece], which[r[piece]]
    of_col = np.full(lp.n_vars, -1, dtype=np.int64)
    of_col[defined] = np.arange(defined.size)
    other = drop_col[c] & ~in_dropped
    other_rows, other_of, other_vals = r[other], of_col[c[other]], v[other]
    # every piece takes its defined column's other coefficients, divided by ω
    by_def = np.argsort(piece_of, kind="stable")
    first = np.searchsorted(piece_of[by_def], other_of, "left")
    count = np.searchsorted(piece_of[by_def], other_of, "right") - first
    rep = np.repeat(np.arange(other_of.size), count)
    offset = np.arange(rep.size) - np.repeat(np.cumsum(count) - count, count)
    new_cols = piece_cols[by_def][np.repeat(first, count) + offset]
    new_rows = other_rows[rep]
    new_vals = other_vals[rep] / weight[other_of[rep]]
    keep = ~(in_dropped | drop_col[c])
    kept_cols = np.flatnonzero(~drop_col)
    kept_rows = np.flatnonzero(~drop_row)
    col_map = np.cumsum(~drop_col) - 1
    row_map = np.cumsum(~drop_row) - 1
    rows = row_map[np.concatenate([r[keep], new_rows])]
    cols = col_map[np.concatenate([c[keep], new_cols])]
    vals = np.concatenate([v[keep], new_vals])
    order = np.lexsort((cols, rows))
    program = LinearProgram(
        lb=lp.lb[kept_cols],
        ub=lp.ub[kept_cols],
        obj=lp.obj[kept_cols],
        integer=lp.integer[kept_cols],
        row_lb=lp.row_lb[kept_rows],
        row_ub=lp.row_ub[kept_rows],
        rows=rows[order],
        cols=cols[order],
        vals=vals[order],
        var_blocks={"all": slice(0, kept_cols.size)},
        row_blocks={"all": slice(0, kept_rows.size)},
    )
    return Substituted(
        program,
        lp.n_vars,
        lp.n_rows,
        kept_cols,
        kept_rows,
        defined,
        dropped,
        weight,
        piece_of,
        col_map[piece_cols],
        other_rows,
        other_of,
        other_vals,
    )


@dataclass(frozen=True, eq=False)
class Merged:
    """A program whose identical columns (same non-zeros, cost and lower bound 0) are
    merged into one, whose upper bound is their sum; and the way back."""

    program: LinearProgram
    group: IntArray  # for every original column: its column of ``program``
    share: FloatArray  # and its share of that column's value (1 when alone in it)

    @property
    def merged(self) -> int:
        """How many columns were merged away."""
        return int(self.group.size - self.program.n_vars)

    def values(self, small: FloatArray) -> FloatArray:
        """Each original column's share of its merged column's value, in proportion to its
        upper bound (any split within the bounds is the same point of the rows)."""
        out: FloatArray = small[self.group] * self.share
        return out


def _bits(values: FloatArray) -> IntArray:
    """The floats' bits as integers: equal only when the floats are exactly equal (and
    never for NaN, which the programs do not hold)."""
    bits: IntArray = np.ascontiguousarray(values, np.float64).view(np.int64)
    return bits


def _column_keys(lp: LinearProgram) -> tuple[np.ndarray, np.ndarray]:
    """Which columns may merge (one or two non-zeros, lower bound 0, a finite upper bound,
    continuous), and for each a row of integers that equal columns share: its non-zeros'
    rows and values and its cost (the floats' bits, so that only exact equals merge)."""
    n = lp.n_vars
    count = np.bincount(lp.cols, minlength=n)
    position = np.arange(lp.cols.size)
    first = np.full(n, lp.cols.size, dtype=np.int64)
    np.minimum.at(first, lp.cols, position)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, lp.cols, position)
    ok = (count >= 1) & (count <= 2) & (lp.lb == 0) & np.isfinite(lp.ub) & ~lp.integer
    at_first = np.where(ok, first, 0)
    at_last = np.where(ok, last, 0)
    second = count == 2
    keys = np.stack(
        [
            lp.rows[at_first],
            _bits(lp.vals[at_first]),
            np.where(second, lp.rows[at_last], -1),
            np.where(second, _bits(lp.vals[at_last]), 0),
            _bits(lp.obj),
        ],
        axis=1,
    )
    return ok, keys


def merge(lp: LinearProgram) -> Merged:
    """``lp`` with its identical columns merged (see :class:`Merged`); the merged column is
    the first of its members, so the non-zeros keep their (row, column) order."""
    ok, keys = _column_keys(lp)
    candidates = np.flatnonzero(ok)
    group_of = np.arange(lp.n_vars)  # each column its own, unless merged below
    if candidates.size:
        k = keys[candidates]
        order = np.lexsort(k.T[::-1])
        k, members = k[order], candidates[order]
        new = np.ones(members.size, dtype=np.bool_)
        new[1:] = np.any(k[1:] != k[:-1], axis=1)
        label = np.cumsum(new) - 1
        head = np.full(label[-1] + 1, lp.n_vars, dtype=np.int64)
        np.minimum.at(head, label, members)
        group_of[members] = head[label]
    keep = group_of == np.arange(lp.n_vars)  # the first member of every group
    new_index = np.cumsum(keep) - 1
    group = new_index[group_of]
    size = np.bincount(group, minlength=int(keep.sum()))
    alone = size[group] == 1  # (the only columns whose bound may be infinite)
    total = np.bincount(group[~alone], weights=lp.ub[~alone], minlength=size.size).astype(
        np.float64
    )
    total[size == 1] = lp.ub[keep][size == 1]
    share = np.ones(lp.n_vars)
    room = total[group[~alone]]
    share[~alone] = np.divide(lp.ub[~alone], room, out=np.zeros(room.size), where=room > 0)
    on = keep[lp.cols]
    program = LinearProgram(
        lb=lp.lb[keep],
        ub=total,
        obj=lp.obj[keep],
        integer=lp.integer[keep],
        row_lb=lp.row_lb,
        row_ub=lp.row_ub,
        rows=lp.rows[on],
        cols=new_index[lp.cols[on]],
        vals=lp.vals[on],
        var_blocks={"all": slice(0, int(keep.sum()))},
        row_blocks=lp.row_blocks,
    )
    return Merged(program, group, share)


@dataclass(frozen=True, eq=False)
class Condensed:
    """A program with its one-row definitions substituted out and its identical columns
    merged (what HiGHS's presolve did first, in its "aggregator" and "parallel columns"
    rules), and the way back to a solution and prices of the original."""

    substituted: Substituted
    merged: Merged

    @property
    def program(self) -> LinearProgram:
        return self.merged.program

    @property
    def removed(self) -> int:
        """How many rows (and columns) were substituted out."""
        return self.substituted.removed

    @property
    def dropped(self) -> IntArray:
        """The substituted rows (rows of the original program)."""
        return self.substituted.dropped

    def values(self, small: FloatArray) -> FloatArray:
        """The original program's point for a point ``small`` of :attr:`program`."""
        return self.substituted.values(self.merged.values(small))

    def duals(self, small: FloatArray) -> FloatArray:
        """The original program's row prices for prices ``small`` of :attr:`program`."""
        return self.substituted.duals(small)

    def result(self, found: SolveResult) -> SolveResult:
        """``found`` (a result of :attr:`program`) as a result of the original program."""
        return replace(
            found,
            values=self.values(found.values) if found.has_solution else found.values,
            duals=self.duals(found.duals) if found.duals.size else found.duals,
        )


def condense(lp: LinearProgram) -> Condensed:
    """``lp`` with its one-row definitions substituted out, then its identical columns
    merged."""
    substituted = substitute(lp)
    return Condensed(substituted, merge(substituted.program))
