"""The LP relaxation of a very large model, province by province, with a certified bound.

Neighborhoods are coupled only by a few rows: the budgets and worker pools shared by
provinces ("shared rows", every column of them in some province) and the definitions of
``workers_total`` / ``spend_total`` that the province quota rows refer to ("global
columns"). :func:`decomposed_relaxation`

1. solves the LP relaxation of a sample (every k-th neighborhood of every province, the
   shared amounts scaled to the sample) and reads how much of each shared row every
   province used and the sample's totals;
2. gives each province that share of every shared row (scaled back up; the whole amount
   is handed out) and the totals as constants in its quota rows, and solves the provinces'
   LPs, two at a time;
3. joins their values into a feasible solution of the whole relaxation (the totals and
   slacks are recomputed by :func:`~allocator.optimize.rounding.complete_values`), and
4. bounds the whole relaxation from above. The value V_p of province p is concave in its
   shares r_p and in the totals T, and the duals of its LP are a supergradient, so for any
   split that respects the shared amounts R

       sum_p V_p(r'_p, T') <= sum_p [V_p + pi_p (r'_p - r_p) + theta_p (T' - T)]
                           <= sum_p (V_p - pi_p r_p - theta_p T)
                              + sum_k R_k max_p pi_pk + max_{0 <= T' <= T_max} T' sum_p theta_p.

   The whole relaxation is such a split, so the right-hand side bounds it; the fast path
   reports its gap against this bound, never against a guess.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.model import build_model
    >>> from allocator.optimize.params import OptimizeParams
    >>> m = build_model(synthetic_demand(40, 6, seed=1), OptimizeParams(budget_total=4e11,
    ...     workers_agency={"relief_committee": 30.0}, quota_band=0.2))
    >>> d = decomposed_relaxation(m, SolveOptions(), sample_every=4)
    >>> d.objective <= d.bound
    True
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.constants import SolveResult, Termination
from allocator.optimize.demand import Demand
from allocator.optimize.lp import INF, LinearProgram, finite_product
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.rounding import complete_values
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.split import Partition, partition_of
from allocator.types import BoolArray, FloatArray, IntArray

#: The fast path decomposes models at least this large (about 22,000 neighborhoods).
DECOMPOSE_FROM_VARS = 2_000_000
#: The sample keeps about this many variables.
SAMPLE_VARS = 350_000


@dataclass
class Decomposed:
    """A feasible solution of the whole relaxation and an upper bound of its optimum."""

    values: FloatArray
    duals: FloatArray
    objective: float
    bound: float
    provinces: int
    seconds: float

    def result(self) -> SolveResult:
        """The whole relaxation's solution as one solver result (feasible, not optimal)."""
        return SolveResult(
            "highs",
            Termination.FEASIBLE,
            f"decomposed into {self.provinces} provinces",
            self.objective,
            self.bound,
            self.values,
            self.duals,
            self.seconds,
        )


def decomposed_relaxation(
    model: OptimizationModel, opts: SolveOptions, sample_every: int | None = None
) -> Decomposed:
    """The relaxation of ``model`` solved province by province (see the module doc)."""
    import time

    start = time.perf_counter()
    lp = model.program.relaxed()
    part = partition_of(model)
    every = sample_every or max(1, int(np.ceil(lp.n_vars / SAMPLE_VARS)))
    shares, totals, sample_pi = _split(model, part, every, opts)
    index = _Index.of(lp, part)
    n_cols = np.bincount(part.column_group[part.column_group >= 0], minlength=part.n_groups)
    largest_first = [int(p) for p in np.argsort(-n_cols, kind="stable")]
    # Each province's program is built just before it is solved and dropped after (all of
    # them at once were another copy of the whole matrix); its columns, rows and the
    # coefficients on the totals are kept to join the solutions.
    maps: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}

    def build(p: int) -> LinearProgram:
        program, cols, rows, shift = _province_program(lp, part, index, p, shares[p], totals)
        maps[p] = (cols, rows, shift)
        return program

    solved = dict(zip(largest_first, _solve_all(largest_first, build, opts), strict=True))
    values = np.zeros(lp.n_vars)
    duals = np.zeros(lp.n_rows)
    pi = np.zeros((part.n_groups, part.shared_rows.size))
    theta = np.zeros((part.n_groups, totals.size))
    v_sum = 0.0
    for p in range(part.n_groups):
        (cols, rows, shift), res = maps[p], solved[p]
        if not res.has_solution or res.termination is not Termination.OPTIMAL:
            raise RuntimeError(f"province {p}: {res.termination} {res.message}")
        values[cols] = res.values
        local = res.duals[: rows.size]
        duals[rows] = local
        pi[p] = res.duals[rows.size :]
        theta[p] = -(local @ shift)  # d V_p / d T_g: the totals sit in the rows' bounds
        v_sum += float(res.objective)
    vb = lp.var_blocks
    full = complete_values(model, values[vb["x"]], values[vb["w"]], _centres(lp, values))
    caps = lp.row_ub[part.shared_rows]
    best_pi = np.maximum(pi.max(axis=0), 0.0)
    duals[part.shared_rows] = best_pi
    bound = v_sum - _dot(pi, shares) - float(theta.sum(axis=0) @ totals)
    bound += _dot(best_pi, caps)
    bound += _dot(np.maximum(theta.sum(axis=0), 0.0), part.total_max)
    bound = min(bound, _priced_bound(lp, part, duals, pi, shares, sample_pi))
    objective = float(model.program.obj @ full)
    return Decomposed(full, duals, objective, bound, part.n_groups, time.perf_counter() - start)


#: (variable block, row block) pairs, row i defining variable i: their row price is set so
#: that the variable's reduced cost is zero (it has no upper bound), in this order.
DEFINITIONS = (
    ("workers_total", "workers_total_def"),
    ("spend_total", "spend_total_def"),
    ("spend", "spend_def"),
)


def _priced_bound(
    lp: LinearProgram,
    part: Partition,
    duals: FloatArray,
    pi: FloatArray,
    shares: FloatArray,
    sample_pi: FloatArray | None = None,
) -> float:
    """The whole relaxation's dual bound with one price per shared row for all provinces.

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

    def bound(prices: FloatArray) -> float:
        y[part.shared_rows] = prices
        for cols, rows, k, other, position, coef in pairs:
            paid = np.bincount(position, weights=lp.vals[other] * y[lp.rows[other]], minlength=k)
            y[rows] = (lp.obj[cols] - paid) / coef
        return lp.dual_bound(y)

    weights = np.where(np.isfinite(shares) & (shares > 0), shares, 0.0)
    total = weights.sum(axis=0)
    mean = np.where(total > 0, (pi * weights).sum(axis=0) / np.where(total > 0, total, 1), 0)
    prices = np.maximum(mean, 0.0)
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
    return best


def _centres(lp: LinearProgram, values: FloatArray) -> FloatArray | None:
    """The ``centres`` of a solution, if the model has them (it is not split: see
    :func:`~.split.partition_of`)."""
    return values[lp.var_blocks["centres"]] if "centres" in lp.var_blocks else None


def _solve_all(
    provinces: list[int], build: Callable[[int], LinearProgram], opts: SolveOptions
) -> list[SolveResult]:
    """Build and solve the province programs, two at a time. (Measured at 60,000
    neighborhoods: two threads 81 s, two forked processes 78 s; HiGHS keeps both cores
    busy either way.)"""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda p: _solve_one(build(p), opts), provinces))


def _solve_one(lp: LinearProgram, opts: SolveOptions) -> SolveResult:
    return get_backend("highs").solve(lp, opts)


def _dot(a: FloatArray, b: FloatArray) -> float:
    """``sum(a * b)`` where a zero times an infinite amount counts as zero."""
    a, b = np.broadcast_arrays(a, b)
    return float(finite_product(a, b).sum())


@dataclass(frozen=True, eq=False)
class _Index:
    """Per non-zero of the whole matrix: its column's province, and where rows go."""

    nnz_group: IntArray
    row_keep: np.ndarray  # rows that go into some province's program: local or shared
    global_nnz: IntArray  # non-zeros on a global total's column, in a province's row
    global_slot: IntArray  # which total

    @classmethod
    def of(cls, lp: LinearProgram, part: Partition) -> _Index:
        shared = np.zeros(lp.n_rows, dtype=np.bool_)
        shared[part.shared_rows] = True
        slot = np.full(lp.n_vars, -1, dtype=np.int64)
        slot[part.global_cols] = np.arange(part.global_cols.size)
        on_total = np.flatnonzero((slot[lp.cols] >= 0) & (part.row_group[lp.rows] >= 0))
        return cls(
            part.column_group[lp.cols],
            shared | (part.row_group >= 0),
            on_total,
            slot[lp.cols[on_total]],
        )


def _province_program(
    lp: LinearProgram,
    part: Partition,
    index: _Index,
    p: int,
    share: FloatArray,
    totals: FloatArray,
) -> tuple[LinearProgram, IntArray, IntArray, FloatArray]:
    """Province ``p``'s LP: its columns, its rows (totals moved into the bounds), then one
    row per shared row with ``share`` as its bound. Returns it with the columns and local
    rows it maps to and each local row's coefficients on the totals."""
    cols = np.flatnonzero(part.column_group == p)
    rows = np.flatnonzero(part.row_group == p)
    local = np.full(lp.n_vars, -1, dtype=np.int64)
    local[cols] = np.arange(cols.size)
    row_index = np.full(lp.n_rows, -1, dtype=np.int64)
    row_index[rows] = np.arange(rows.size)
    row_index[part.shared_rows] = rows.size + np.arange(part.shared_rows.size)
    keep = np.flatnonzero(index.nnz_group == p)
    keep = keep[index.row_keep[lp.rows[keep]] & (row_index[lp.rows[keep]] >= 0)]
    shift = np.zeros((rows.size, part.global_cols.size))
    mine = part.row_group[lp.rows[index.global_nnz]] == p
    hit = index.global_nnz[mine]
    shift[row_index[lp.rows[hit]], index.global_slot[mine]] = lp.vals[hit]
    moved = shift @ totals
    sub_rows = row_index[lp.rows[keep]]
    order = np.argsort(sub_rows, kind="stable")  # columns stay sorted within each row
    sub = LinearProgram(
        lb=lp.lb[cols],
        ub=lp.ub[cols],
        obj=lp.obj[cols],
        integer=np.zeros(cols.size, dtype=np.bool_),
        row_lb=np.concatenate([lp.row_lb[rows] - moved, np.full(part.shared_rows.size, -INF)]),
        row_ub=np.concatenate([lp.row_ub[rows] - moved, share]),
        rows=sub_rows[order],
        cols=local[lp.cols[keep]][order],
        vals=lp.vals[keep][order],
        var_blocks={"all": slice(0, cols.size)},
        row_blocks={"local": slice(0, rows.size)},
    )
    return sub, cols, rows, shift


def _split(
    model: OptimizationModel, part: Partition, every: int, opts: SolveOptions
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Each province's share of every shared row, the totals, and the sample's prices of
    the shared rows, from a sample's LP."""
    demand = model.demand
    keep = _sample(demand, every)
    scale = _scale(demand, keep)
    fix = model.fixings
    if fix.entitled_lb is not None:
        fix = replace(fix, entitled_lb=fix.entitled_lb[keep[demand.row_neighborhood]])
    sample = build_model(
        demand.take_neighborhoods(keep), part.scaled_params(model.params, scale), fix
    )
    lp = sample.program.relaxed()
    res = get_backend("highs").solve(lp, opts)
    n_p, n_k = part.n_groups, part.shared_rows.size
    caps = model.program.row_ub[part.shared_rows]
    if not res.has_solution:
        return _times(part.fallback_weights(), caps), part.total_max.copy(), None
    sample_part = partition_of(sample)
    x, w = res.values[lp.var_blocks["x"]], res.values[lp.var_blocks["w"]]
    values = complete_values(sample, x, w, _centres(lp, res.values))
    used = np.zeros((n_p, n_k))
    for k, row in enumerate(sample_part.shared_rows):
        hit = lp.rows == row
        group = sample_part.column_group[lp.cols[hit]]
        used[:, k] = np.bincount(group, weights=lp.vals[hit] * values[lp.cols[hit]], minlength=n_p)
    used /= _province_scale(demand, keep, n_p)[:, None]  # each province's sample, scaled up
    weight = used.sum(axis=0)
    shares = np.where(weight > 0, used / np.where(weight > 0, weight, 1.0), part.fallback_weights())
    totals = values[sample_part.global_cols] / scale
    return _times(shares, caps), totals, _sample_prices(model.program, lp, part, res.duals)


def _sample_prices(
    whole: LinearProgram, sample: LinearProgram, part: Partition, duals: FloatArray
) -> FloatArray | None:
    """The sample's duals of the rows that are shared rows of the whole program."""
    if duals.size != sample.n_rows:
        return None
    out = np.zeros(part.shared_rows.size)
    for k, row in enumerate(part.shared_rows):
        for name, sl in whole.row_blocks.items():
            if sl.start <= row < sl.stop and name in sample.row_blocks:
                there = sample.row_blocks[name].start + int(row) - sl.start
                if there < sample.row_blocks[name].stop:
                    out[k] = duals[there]
                break
    return out


def _times(weights: FloatArray, caps: FloatArray) -> FloatArray:
    """Shares of each cap (an infinite cap stays infinite for every province)."""
    return np.where(np.isfinite(caps), weights * np.where(np.isfinite(caps), caps, 0.0), INF)


def _sample(demand: Demand, every: int) -> BoolArray:
    """Every ``every``-th neighborhood of each province (at least one per province)."""
    order = np.argsort(demand.province, kind="stable")
    rank = np.empty_like(order)
    starts = np.searchsorted(demand.province[order], demand.province[order])
    rank[order] = np.arange(order.size) - starts
    keep: BoolArray = (rank % every) == 0
    return keep


def _scale(demand: Demand, keep: np.ndarray) -> float:
    """The sample's share of the demand (units of every row)."""
    rows = keep[demand.row_neighborhood]
    return float(demand.units[rows].sum() / max(demand.units.sum(), 1e-9))


def _province_scale(demand: Demand, keep: np.ndarray, n_p: int) -> FloatArray:
    """Each province's sampled share of its own demand (units)."""
    rows = keep[demand.row_neighborhood]
    province = demand.row_province
    sampled = np.bincount(province[rows], weights=demand.units[rows], minlength=n_p)
    total = np.bincount(province, weights=demand.units, minlength=n_p)
    return np.where(total > 0, sampled / np.where(total > 0, total, 1.0), 1.0)
