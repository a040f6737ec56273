"""Upper bounds of the whole relaxation from the provinces' solutions.

Both are weak duality, so both hold for any prices; the better one is reported.

- :func:`priced_bound`: one price per shared row for all provinces, the provinces' own row
  duals kept (no solve; loose when the provinces' duals differ).
- :func:`lagrangian_pass`: the shared rows moved into the objective at one price each,
  every province re-solved with only its own rows (one more pass of province LPs). For
  prices ``lam >= 0`` on the rows ``A x <= R``, any solution of the whole relaxation with
  totals ``T'`` has ``c x = (c - lam A) x + lam A x <= sum_p V_p(lam, T') + lam R``, and
  each province's value is concave in the totals, so its duals ``theta_p`` give
  ``V_p(lam, T') <= V_p(lam, T) + theta_p (T' - T)``. At the whole relaxation's optimal
  prices the bound is its optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.optimize.constants import Termination
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.provinces import ProvinceIndex, dot, province_program, solve_all
from allocator.optimize.solvers import SolveOptions
from allocator.optimize.split import Partition
from allocator.types import FloatArray, IntArray

#: (variable block, row block) pairs, row i defining variable i: their row price is set so
#: that the variable's reduced cost is zero (it has no upper bound), in this order.
DEFINITIONS = (
    ("workers_total", "workers_total_def"),
    ("spend_total", "spend_total_def"),
    ("spend", "spend_def"),
)


def share_weighted_prices(pi: FloatArray, shares: FloatArray) -> FloatArray:
    """One price per shared row: the provinces' duals ``pi`` weighted by their ``shares``
    (not below zero).

    Examples:
        >>> share_weighted_prices(np.array([[1.0], [4.0]]), np.array([[3.0], [1.0]]))
        array([1.75])
    """
    weights = np.where(np.isfinite(shares) & (shares > 0), shares, 0.0)
    total = weights.sum(axis=0)
    mean = np.where(total > 0, (pi * weights).sum(axis=0) / np.where(total > 0, total, 1), 0)
    out: FloatArray = np.maximum(mean, 0.0)
    return out


def priced_bound(
    lp: LinearProgram,
    part: Partition,
    duals: FloatArray,
    pi: FloatArray,
    shares: FloatArray,
    sample_pi: FloatArray | None = None,
) -> tuple[float, FloatArray]:
    """The whole relaxation's dual bound with one price per shared row for all provinces,
    and those prices.

    The provinces' own row duals are kept; each shared row tries a few prices among its
    provinces' duals (coordinate descent); every definition row passes the prices on to
    the variable it defines (:data:`DEFINITIONS`).
    """
    y = duals.copy()
    pairs = []
    for v, r in DEFINITIONS:
        if v not in lp.var_blocks or r not in lp.row_blocks:
            continue
        cols, rows = lp.var_blocks[v], lp.row_blocks[r]
        k = cols.stop - cols.start
        hit = np.flatnonzero((lp.cols >= cols.start) & (lp.cols < cols.stop))
        own = lp.rows[hit] - rows.start == lp.cols[hit] - cols.start
        coef = np.bincount(lp.cols[hit[own]] - cols.start, weights=lp.vals[hit[own]], minlength=k)
        other = hit[~own]
        pairs.append(
            (cols, rows, k, other, lp.cols[other] - cols.start, np.where(coef != 0, coef, 1.0))
        )

    # Only the shared rows and the definition rows change price from one trial to the
    # next: the other rows' and columns' terms are summed once (at 60,000 neighborhoods
    # the trials read 5.5 M of the 37.8 M non-zeros; docs/notes/h13warm.md).
    moving = np.zeros(lp.n_rows, dtype=np.bool_)
    moving[part.shared_rows] = True
    for _, rows, *_ in pairs:
        moving[rows] = True
    dual_bound = lp.dual_bounds(y, moving)

    def bound(prices: FloatArray) -> float:
        y[part.shared_rows] = prices
        for cols, rows, k, other, position, coef in pairs:
            paid = np.bincount(position, weights=lp.vals[other] * y[lp.rows[other]], minlength=k)
            y[rows] = (lp.obj[cols] - paid) / coef
        return dual_bound(y)

    prices = share_weighted_prices(pi, shares)
    best = bound(prices)
    if sample_pi is not None:  # the sample's own prices (exact when the sample is everything)
        value = bound(np.maximum(sample_pi, 0.0))
        if value < best:
            best, prices = value, np.maximum(sample_pi, 0.0)
    for k in range(prices.size):
        candidates = {float(np.median(pi[:, k])), float(pi[:, k].max()), 0.0}
        for candidate in sorted(candidates - {float(prices[k])}):
            trial = prices.copy()
            trial[k] = max(candidate, 0.0)
            value = bound(trial)
            if value < best:
                best, prices = value, trial
    return best, prices


@dataclass
class Priced:
    """One province re-solved with the shared rows priced: its plan (its own columns), what
    the plan is worth in the model's objective, and what it uses of every shared row."""

    values: FloatArray
    value: float
    use: FloatArray
    basis: object | None


@dataclass
class LagrangianPass:
    """A pass of province LPs at one set of shared-row prices: the bound it proves and
    each province's plan (``None`` when the bound does not apply)."""

    bound: float
    provinces: list[Priced] | None


def lagrangian_pass(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    totals: FloatArray,
    prices: FloatArray,
    opts: SolveOptions,
    ceilings: FloatArray,
    bases: dict[int, object | None] | None = None,
) -> LagrangianPass:
    """The bound at shared-row ``prices`` (see the module doc), the totals at most
    ``ceilings`` (:func:`total_ceilings`), with each province's plan at those prices (the
    columns a master program combines: :mod:`~allocator.optimize.coordinate`). The bound
    is ``inf`` (and no plans) when it does not apply (a shared row with a lower bound) or
    a province's program has no optimum.

    ``bases``: each province's final basis from its program with shares
    (:func:`~allocator.optimize.provinces.province_program`), taken (and dropped) as the
    province's start. The program here is the same but for its objective and the shared
    rows' bounds (free), so that basis is still a basis of it and its point still feasible:
    at 10,000 neighborhoods the pass took 4.1 s from these bases against 16.9 s cold, with
    the same bound.
    """
    shared = part.shared_rows
    if np.any(np.isfinite(lp.row_lb[shared])):
        return LagrangianPass(INF, None)
    lam = np.maximum(prices, 0.0)
    free = np.full(shared.size, INF)
    shifts: dict[int, FloatArray] = {}
    entries: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}
    costs: dict[int, FloatArray] = {}

    def build(p: int) -> LinearProgram:
        program, cols, rows, shift = province_program(lp, part, index, p, free, totals)
        shifts[p] = shift
        entries[p] = shared_entries(program, rows.size)
        costs[p] = lp.obj[cols]
        return program.with_objective(lp.obj[cols] - priced_costs(program, rows.size, lam))

    value, theta = 0.0, np.zeros(totals.size)
    start = None if bases is None else (lambda p: bases.pop(p, None))
    provinces: list[Priced] = []
    for p, res in enumerate(solve_all(part, build, opts, start)):
        if not res.has_solution or res.termination is not Termination.OPTIMAL:
            return LagrangianPass(INF, None)
        value += float(res.objective)
        shift = shifts.pop(p)
        theta -= res.duals[: shift.shape[0]] @ shift
        provinces.append(
            Priced(res.values, float(costs.pop(p) @ res.values),
                   use_of(entries.pop(p), res.values, shared.size), res.basis)
        )  # fmt: skip
    low = lp.lb[part.global_cols]
    bound = value + dot(lam, lp.row_ub[shared]) + totals_term(theta, totals, low, ceilings)
    return LagrangianPass(bound, provinces)


def shared_entries(program: LinearProgram, own_rows: int) -> tuple[IntArray, IntArray, FloatArray]:
    """A province's ``program``'s entries on the shared rows: (which shared row, column,
    coefficient)."""
    on = program.rows >= own_rows
    return program.rows[on] - own_rows, program.cols[on], program.vals[on]


def use_of(
    entries: tuple[IntArray, IntArray, FloatArray], values: FloatArray, n_shared: int
) -> FloatArray:
    """What ``values`` use of every shared row, from :func:`shared_entries`."""
    k, cols, vals = entries
    return np.bincount(k, weights=vals * values[cols], minlength=n_shared).astype(np.float64)


def priced_costs(program: LinearProgram, own_rows: int, lam: FloatArray) -> FloatArray:
    """Each column's cost on the shared rows at prices ``lam``, ``sum_k lam_k a_kj``, for a
    province's ``program`` (:func:`~allocator.optimize.provinces.province_program`: its
    own rows, then one row per shared row, holding every non-zero of its columns there).

    Per province, so that no array as long as the whole program's columns or shared
    non-zeros is held through the pass (at 60,000 neighborhoods, hundreds of MB)."""
    on = np.flatnonzero(program.rows >= own_rows)
    weights = program.vals[on] * lam[program.rows[on] - own_rows]
    return np.bincount(program.cols[on], weights=weights, minlength=program.n_vars).astype(
        np.float64, copy=False
    )


def totals_term(theta: FloatArray, at: FloatArray, low: FloatArray, high: FloatArray) -> float:
    """``max (T' - at) theta`` over ``low <= T' <= high``: what the provinces' values could
    gain if the totals moved from ``at`` (their values are concave in the totals)."""
    return dot(np.maximum(theta, 0.0), high) + dot(np.minimum(theta, 0.0), low) - float(theta @ at)


def total_ceilings(lp: LinearProgram, part: Partition, index: ProvinceIndex) -> FloatArray:
    """The largest value each total can take: its :attr:`Partition.total_max`, or less
    when a shared row caps what defines it.

    A total ``T = b/a - sum_j (d_j/a) x_j`` (its defining row ``a T + d x = b``) with
    ``t_j = -d_j/a >= 0`` and ``x >= 0`` is at most ``b/a + cap_k / r_k`` for a shared row
    ``sum_j c_kj x_j <= cap_k`` (coefficients >= 0) with ``c_kj >= r_k t_j`` on every
    ``j`` (e.g. the spending under the budget), or at most the sum of such bounds over
    shared rows that each hold a part of the ``x_j`` (the workers under the agencies'
    pools).
    """
    high = part.total_max.astype(float).copy()
    is_global = np.zeros(lp.n_vars, dtype=np.bool_)
    is_global[part.global_cols] = True
    shared_slot = np.full(lp.n_rows, -1, dtype=np.int64)
    shared_slot[part.shared_rows] = np.arange(part.shared_rows.size)
    for row in np.flatnonzero(~index.row_keep):
        if lp.row_lb[row] != lp.row_ub[row] or not np.isfinite(lp.row_ub[row]):
            continue
        hit = np.flatnonzero(lp.rows == row)
        mine = hit[is_global[lp.cols[hit]]]
        if mine.size != 1 or lp.vals[mine[0]] == 0:
            continue
        a = float(lp.vals[mine[0]])
        cols = lp.cols[hit[~is_global[lp.cols[hit]]]]
        t = -lp.vals[hit[~is_global[lp.cols[hit]]]] / a
        if np.any(t < 0) or np.any(lp.lb[cols] < 0):
            continue
        slot = int(np.searchsorted(part.global_cols, lp.cols[mine[0]]))
        b = float(lp.row_ub[row]) / a
        high[slot] = min(high[slot], b + _covered(lp, part, shared_slot, cols[t > 0], t[t > 0]))
    return high


def _covered(
    lp: LinearProgram, part: Partition, shared_slot: IntArray, cols: IntArray, t: FloatArray
) -> float:
    """The largest ``t @ x[cols]`` the shared rows allow (``inf`` if they do not bound it):
    one row holding every column, or rows that together hold them all (a column under two
    rows is counted under both: looser, still valid since ``x >= 0``)."""
    position = np.full(lp.n_vars, -1, dtype=np.int64)
    position[cols] = np.arange(cols.size)
    on = np.flatnonzero((position[lp.cols] >= 0) & (shared_slot[lp.rows] >= 0))
    best, parts, seen = INF, 0.0, np.zeros(cols.size, dtype=np.int64)
    for k in np.unique(shared_slot[lp.rows[on]]):
        mine = on[shared_slot[lp.rows[on]] == k]
        where = position[lp.cols[mine]]
        cap = float(lp.row_ub[part.shared_rows[k]])
        ratio = float(np.min(lp.vals[mine] / t[where]))
        if ratio <= 0 or not np.isfinite(cap):
            parts = INF
            continue
        seen[where] += 1
        parts += cap / ratio
        if where.size == cols.size:
            best = min(best, cap / ratio)
    if np.all(seen >= 1):
        best = min(best, parts)
    return best
