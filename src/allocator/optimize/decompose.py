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
                              + sum_k R_k max_p pi_pk + max_{T' in range} T' sum_p theta_p.

   The range of the totals is capped by the shared rows that hold what defines them
   (:func:`~.bounds.total_ceilings`: the workers under the pools, the spending under the
   budget). Two more bounds (:mod:`.bounds`) price the shared rows once for all provinces:
   with the provinces' own duals kept, and as a Lagrangian bound (every province re-solved
   with the shared rows priced in its objective: one more pass of province LPs, each
   started from its final basis of step 2; at 2,020 neighborhoods it took the bound from
   15% to 0.3% above the LP optimum). The smallest is reported; the fast path's gap is
   against it, never against a guess.

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

from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.bounds import (
    priced_bound,
    shared_entries,
    total_ceilings,
    use_of,
)
from allocator.optimize.constants import SolveResult, Termination
from allocator.optimize.coordinate import settle
from allocator.optimize.demand import Demand
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.province_passes import province_pass
from allocator.optimize.provinces import (
    ProvinceIndex,
    province_program,
    solve_all,
)
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
    rounds: int = 0  # passes of the provinces at the master's prices (.coordinate)

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
    index = ProvinceIndex.of(lp, part)
    ceilings = total_ceilings(lp, part, index)
    # The sample's totals scaled up can pass what the budget and pools allow (a sample of
    # every 7th neighborhood with entitled pensions: 11,130 workers of at most 2,095), and
    # the bound's totals term then grew with the distance (89 times the optimum).
    totals = np.clip(totals, lp.lb[part.global_cols], ceilings)
    if model.sets.row_entitled.any():  # what each province cannot do without comes first
        shares = reserve(shares, requirements(lp, part, index, totals, opts), part, lp)
    first = province_pass(lp, part, index, shares, totals, opts)
    bound = first.bound(lp, part, shares, totals, ceilings)
    priced, prices = priced_bound(lp, part, first.duals, first.pi, shares, sample_pi)
    bound = min(bound, priced)
    # The Lagrangian passes solve the same programs with another objective and the shared
    # rows free: each starts from its province's final basis here (docs/notes/h13warm.md).
    final, bound, rounds = settle(lp, part, index, first, shares, totals, opts, ceilings, prices,
                                  bound, model.params.coordination_rounds)  # fmt: skip
    values = final.joined(lp.n_vars)
    vb = lp.var_blocks
    full = complete_values(model, values[vb["x"]], values[vb["w"]], _centres(lp, values))
    objective = float(model.program.obj @ full)
    seconds = time.perf_counter() - start
    return Decomposed(full, final.duals, objective, bound, part.n_groups, seconds, rounds)


def requirements(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    totals: FloatArray,
    opts: SolveOptions,
) -> FloatArray:
    """What each province needs of every shared row at least: the use of the shared rows by
    a plan of the province that takes as little of them as it can (an LP with the shared
    rows free, minimising their use, each scaled by its amount), with its own hard rows and
    bounds kept (entitled demand served in full, the workers its files need, its quota rows
    with the sample's totals).

    The sample's shares follow how much the sampled neighborhoods used, not what the others
    must have: with ``national-2020``'s entitlements, 15 of 31 provinces got less money or
    fewer workers than their entitled demand needs and their LPs were infeasible.
    """
    caps = lp.row_ub[part.shared_rows]
    scale = np.where(np.isfinite(caps) & (caps > 0), 1.0 / np.where(caps > 0, caps, 1.0), 0.0)
    free = np.full((part.n_groups, part.shared_rows.size), INF)
    uses: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}  # the shared rows' entries

    def build(p: int) -> LinearProgram:
        program, _cols, rows, _shift = province_program(lp, part, index, p, free[p], totals)
        k, cols, vals = uses[p] = shared_entries(program, rows.size)
        use = np.bincount(cols, weights=vals * scale[k], minlength=program.n_vars).astype(
            np.float64
        )
        use /= max(float(np.abs(use).max(initial=0.0)), 1e-300)  # HiGHS: costs of order 1
        return program.with_objective(-use)  # maximised: the least use

    # Without presolve: on one province of national-2020 HiGHS's presolve took 4.8 s and the
    # simplex after it 6 iterations; without, 676 iterations in 0.06 s.
    solved = solve_all(part, build, replace(opts, highs_options=(("presolve", "off"),)))
    need = np.zeros((part.n_groups, part.shared_rows.size))
    for p, res in enumerate(solved):
        if not res.has_solution or res.termination is not Termination.OPTIMAL:
            raise RuntimeError(f"province {p} cannot meet its own rows: {res.termination}")
        need[p] = use_of(uses.pop(p), res.values, need.shape[1])
    return np.maximum(need, 0.0)


def reserve(shares: FloatArray, need: FloatArray, part: Partition, lp: LinearProgram) -> FloatArray:
    """``shares`` redrawn so that each province first gets what it ``need``s of every shared
    row, and the rest of the row in proportion to its former share.

    Rows whose needs add up to more than the row's amount keep their former shares (the
    whole LP may still be feasible: the provinces' needs are each at their own minimum).

    Examples:
        >>> import numpy as np
        >>> from types import SimpleNamespace
        >>> lp = SimpleNamespace(row_ub=np.array([0.0, 10.0]))
        >>> part = SimpleNamespace(shared_rows=np.array([1]))
        >>> reserve(np.array([[8.0], [2.0]]), np.array([[1.0], [4.0]]), part, lp).ravel()
        array([5., 5.])
    """
    caps = lp.row_ub[part.shared_rows]
    total = shares.sum(axis=0)
    weight = np.where(total > 0, shares / np.where(total > 0, total, 1.0), 0.0)
    rest = caps - need.sum(axis=0)
    ok = np.isfinite(caps) & (rest >= 0)
    return np.where(ok, need + weight * np.where(ok, rest, 0.0), shares)


def _centres(lp: LinearProgram, values: FloatArray) -> FloatArray | None:
    """The ``centres`` of a solution, if the model has them (it is not split: see
    :func:`~.split.partition_of`)."""
    return values[lp.var_blocks["centres"]] if "centres" in lp.var_blocks else None


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
    res = get_backend("highs").solve(lp, replace(opts, condense=True))
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
