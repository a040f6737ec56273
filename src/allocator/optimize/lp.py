"""A linear program held as NumPy arrays: bounds, objective and a sparse COO matrix.

The model is assembled block by block (``x``, ``w``, ``caseload`` ...) from arrays; no Python
loop runs per variable. Blocks are named exactly as in ``docs/model.md``.

Examples:
    >>> b = ProgramBuilder()
    >>> x = b.add_vars("x", lb=np.zeros(2), ub=np.array([3.0, 5.0]), obj=np.array([1.0, 2.0]))
    >>> r = b.add_rows("budget", 1, rows=np.array([0, 0]), cols=np.array([0, 1]),
    ...                vals=np.array([1.0, 1.0]), ub=np.array([4.0]))
    >>> lp = b.build()
    >>> lp.n_vars, lp.n_rows, lp.var_blocks["x"], lp.row_blocks["budget"]
    (2, 1, slice(0, 2, None), slice(0, 1, None))
    >>> lp.row_activity(np.array([3.0, 1.0])).tolist()
    [4.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from allocator.types import BoolArray, FloatArray, IntArray

INF = float("inf")
DUAL_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """max ``obj @ v`` s.t. ``row_lb <= A v <= row_ub``, ``lb <= v <= ub``, some v integer.

    ``A`` is COO (``rows``, ``cols``, ``vals``) sorted by (row, column).
    """

    lb: FloatArray
    ub: FloatArray
    obj: FloatArray
    integer: BoolArray
    row_lb: FloatArray
    row_ub: FloatArray
    rows: IntArray
    cols: IntArray
    vals: FloatArray
    var_blocks: dict[str, slice]
    row_blocks: dict[str, slice]

    @property
    def n_vars(self) -> int:
        return int(self.lb.size)

    @property
    def n_rows(self) -> int:
        return int(self.row_lb.size)

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def row_activity(self, values: FloatArray) -> FloatArray:
        """``A @ values``."""
        act = np.bincount(self.rows, weights=self.vals * values[self.cols], minlength=self.n_rows)
        return act.astype(np.float64)

    def dual_bound(self, duals: FloatArray) -> float:
        """An upper bound of the LP relaxation's optimum from any row prices ``duals``.

        ``obj @ v = (obj - A' y) @ v + y @ A v``; each term is bounded separately over the
        variable bounds and row bounds (weak duality), so every ``y`` gives a valid bound,
        and optimal duals give the optimum itself.

        Examples:
            >>> b = ProgramBuilder()
            >>> _ = b.add_vars("x", lb=np.zeros(2), ub=np.array([3.0, 5.0]),
            ...                obj=np.array([1.0, 2.0]))
            >>> _ = b.add_rows("cap", 1, rows=np.array([0, 0]), cols=np.array([0, 1]),
            ...                vals=np.array([1.0, 1.0]), ub=np.array([4.0]))
            >>> lp = b.build()
            >>> [lp.dual_bound(np.array([y])) for y in (2.0, 1.0, 0.0)]  # optimum: 8
            [8.0, 9.0, 13.0]
        """
        reduced = self.obj - np.bincount(
            self.cols, weights=self.vals * duals[self.rows], minlength=self.n_vars
        )
        return _column_terms(reduced, self.obj, self.lb, self.ub) + _row_terms(
            duals, self.row_lb, self.row_ub
        )

    def dual_bounds(self, duals: FloatArray, moving: BoolArray) -> Callable[[FloatArray], float]:
        """:meth:`dual_bound` for many row prices that differ from ``duals`` only on the
        rows marked ``moving``: the terms of the columns and rows they do not touch are
        summed once, so each call reads only the moving rows' non-zeros and columns.

        Examples:
            >>> b = ProgramBuilder()
            >>> _ = b.add_vars("x", lb=np.zeros(3), ub=np.array([3.0, 5.0, 1.0]),
            ...                obj=np.array([1.0, 2.0, 4.0]))
            >>> _ = b.add_rows("cap", 2, rows=np.array([0, 0, 1]), cols=np.array([0, 1, 2]),
            ...                vals=np.array([1.0, 1.0, 1.0]), ub=np.array([4.0, 2.0]))
            >>> lp = b.build()
            >>> bound = lp.dual_bounds(np.array([0.0, 3.0]), np.array([True, False]))
            >>> [bound(np.array([y, 3.0])) for y in (2.0, 0.0)]
            [15.0, 20.0]
            >>> [lp.dual_bound(np.array([y, 3.0])) for y in (2.0, 0.0)]
            [15.0, 20.0]
        """
        on = moving[self.rows]
        touched = np.zeros(self.n_vars, dtype=np.bool_)
        touched[self.cols[on]] = True
        off = np.flatnonzero(~on)
        reduced = self.obj - np.bincount(
            self.cols[off], weights=self.vals[off] * duals[self.rows[off]], minlength=self.n_vars
        )
        del off
        cols = np.flatnonzero(touched)
        constant = _column_terms(
            reduced[~touched], self.obj[~touched], self.lb[~touched], self.ub[~touched]
        )
        constant += _row_terms(duals[~moving], self.row_lb[~moving], self.row_ub[~moving])
        base, obj, lb, ub = reduced[cols], self.obj[cols], self.lb[cols], self.ub[cols]
        del reduced
        position = np.full(self.n_vars, -1, dtype=np.int64)
        position[cols] = np.arange(cols.size)
        hit = np.flatnonzero(on)
        m_pos, m_rows, m_vals = position[self.cols[hit]], self.rows[hit], self.vals[hit]
        del position, hit
        rows = np.flatnonzero(moving)
        row_lb, row_ub = self.row_lb[rows], self.row_ub[rows]

        def bound(y: FloatArray) -> float:
            red = base - np.bincount(m_pos, weights=m_vals * y[m_rows], minlength=cols.size)
            return constant + _column_terms(red, obj, lb, ub) + _row_terms(y[rows], row_lb, row_ub)

        return bound

    def relaxed(self) -> LinearProgram:
        """The LP relaxation (every variable continuous)."""
        return replace(self, integer=np.zeros_like(self.integer))

    def with_objective(self, obj: FloatArray) -> LinearProgram:
        return replace(self, obj=obj)

    def with_bounds(self, block: str, lb: FloatArray, ub: FloatArray) -> LinearProgram:
        """A copy with new bounds on every variable of ``block``."""
        new_lb, new_ub = self.lb.copy(), self.ub.copy()
        new_lb[self.var_blocks[block]] = lb
        new_ub[self.var_blocks[block]] = ub
        return replace(self, lb=new_lb, ub=new_ub)

    def with_row(self, name: str, coefs: FloatArray, lb: float, ub: float) -> LinearProgram:
        """A copy with one more (dense over ``coefs != 0``) row appended, as block ``name``."""
        (cols,) = np.nonzero(coefs)
        r = self.n_rows
        return replace(
            self,
            row_lb=np.append(self.row_lb, lb),
            row_ub=np.append(self.row_ub, ub),
            rows=np.concatenate([self.rows, np.full(cols.size, r, dtype=np.int64)]),
            cols=np.concatenate([self.cols, cols.astype(np.int64)]),
            vals=np.concatenate([self.vals, coefs[cols]]),
            row_blocks={**self.row_blocks, name: slice(r, r + 1)},
        )


class ProgramBuilder:
    """Collects variable and row blocks, then sorts the matrix once in :meth:`build`."""

    def __init__(self) -> None:
        self._lb: list[FloatArray] = []
        self._ub: list[FloatArray] = []
        self._obj: list[FloatArray] = []
        self._int: list[BoolArray] = []
        self._rlb: list[FloatArray] = []
        self._rub: list[FloatArray] = []
        self._r: list[IntArray] = []
        self._c: list[IntArray] = []
        self._v: list[FloatArray] = []
        self.var_blocks: dict[str, slice] = {}
        self.row_blocks: dict[str, slice] = {}
        self.n_vars = 0
        self.n_rows = 0

    def add_vars(
        self,
        name: str,
        lb: FloatArray,
        ub: FloatArray,
        obj: FloatArray | None = None,
        integer: bool = False,
    ) -> slice:
        """Append a block of ``len(lb)`` variables; returns its slice."""
        k = int(lb.size)
        self._lb.append(np.asarray(lb, np.float64))
        self._ub.append(np.asarray(ub, np.float64))
        self._obj.append(np.zeros(k) if obj is None else np.asarray(obj, np.float64))
        self._int.append(np.full(k, integer))
        block = slice(self.n_vars, self.n_vars + k)
        self.var_blocks[name] = block
        self.n_vars += k
        return block

    def add_rows(
        self,
        name: str,
        n: int,
        rows: IntArray,
        cols: IntArray,
        vals: FloatArray,
        lb: FloatArray | None = None,
        ub: FloatArray | None = None,
    ) -> slice:
        """Append ``n`` rows; ``rows`` are 0..n-1 within the block, ``cols`` global indices.

        Missing ``lb``/``ub`` mean unbounded on that side.
        """
        self._rlb.append(np.full(n, -INF) if lb is None else np.asarray(lb, np.float64))
        self._rub.append(np.full(n, INF) if ub is None else np.asarray(ub, np.float64))
        keep = vals != 0
        self._r.append(np.asarray(rows, np.int64)[keep] + self.n_rows)
        self._c.append(np.asarray(cols, np.int64)[keep])
        self._v.append(np.asarray(vals, np.float64)[keep])
        block = slice(self.n_rows, self.n_rows + n)
        self.row_blocks[name] = block
        self.n_rows += n
        return block

    def build(self) -> LinearProgram:
        """Concatenate the blocks and sort the matrix by (row, column)."""
        rows = _cat(self._r, np.int64)
        cols = _cat(self._c, np.int64)
        vals = _cat(self._v, np.float64)
        order = np.argsort(rows * max(self.n_vars, 1) + cols, kind="stable")
        return LinearProgram(
            lb=_cat(self._lb, np.float64),
            ub=_cat(self._ub, np.float64),
            obj=_cat(self._obj, np.float64),
            integer=_cat(self._int, np.bool_),
            row_lb=_cat(self._rlb, np.float64),
            row_ub=_cat(self._rub, np.float64),
            rows=rows[order],
            cols=cols[order],
            vals=vals[order],
            var_blocks=dict(self.var_blocks),
            row_blocks=dict(self.row_blocks),
        )


def _column_terms(reduced: FloatArray, obj: FloatArray, lb: FloatArray, ub: FloatArray) -> float:
    """The columns' part of :meth:`LinearProgram.dual_bound` (``reduced`` is changed)."""
    # Solver duals leave reduced costs of 1e-12 on unbounded columns: below this
    # tolerance a price is taken as zero (else any rounding would make the bound inf).
    reduced[np.abs(reduced) <= DUAL_TOL * (1.0 + np.abs(obj))] = 0.0
    return float(finite_product(reduced, np.where(reduced > 0, ub, lb)).sum())


def _row_terms(duals: FloatArray, row_lb: FloatArray, row_ub: FloatArray) -> float:
    """The rows' part of :meth:`LinearProgram.dual_bound`."""
    duals = np.where(np.abs(duals) <= DUAL_TOL, 0.0, duals)
    return float(finite_product(duals, np.where(duals > 0, row_ub, row_lb)).sum())


def finite_product(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a * b`` where a zero times an infinite bound is zero."""
    out = np.zeros(a.shape)
    live = a != 0
    out[live] = a[live] * b[live]
    return out


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
