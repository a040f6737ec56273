"""The provinces' plans combined by a master program (Dantzig-Wolfe), for the split relaxation.

The province split (:mod:`~allocator.optimize.decompose`) gives each province a fixed share
of every shared row, taken from a sample: on ``national-2020`` that joined plan was 0.66%
below the whole relaxation's optimum, although the Lagrangian bound was within 0.01% of
it. Each province's plans (the one with its share, and those re-solved with the shared
rows priced, :func:`~allocator.optimize.bounds.lagrangian_pass`) are columns of a small
LP, the master:

    max  sum_pj V_pj mu_pj
    s.t. sum_pj U_pjk mu_pj <= R_k      (every shared row k with an amount)
         sum_j mu_pj = 1                (every province p)
         mu >= 0

where V_pj is plan j's worth in the model's objective and U_pj what it uses of the shared
rows. A mix of a province's plans keeps its own rows (they are convex), and the master
keeps the shared rows, so the joined mix is a feasible plan of the whole relaxation, at
least as good as the first one. The master's prices of the shared rows price the next
pass, whose bound is certified like any Lagrangian bound; the rounds stop when the plan
is within ``relative_gap`` of the best bound, or gains less than that in a round.

Examples:
    >>> import numpy as np
    >>> one = [Proposal(np.array([1.0]), 3.0, np.array([2.0]))]  # worth 3, uses 2 of row 0
    >>> two = [Proposal(np.array([0.0]), 0.0, np.array([0.0])),
    ...        Proposal(np.array([1.0]), 4.0, np.array([2.0]))]
    >>> m = master([one, two], np.array([3.0]))  # 3 to share: the second gets half a plan
    >>> round(m.objective, 6), [np.round(w, 6).tolist() for w in m.weights]
    (5.0, [[1.0], [0.5, 0.5]])
    >>> np.round(m.prices, 6).tolist()  # a unit of row 0 is worth 4 / 2 to the second
    [2.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from allocator.optimize.bounds import (
    LagrangianPass,
    lagrangian_pass,
    shared_entries,
    totals_term,
    use_of,
)
from allocator.optimize.constants import Termination
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.provinces import ProvinceIndex, dot, province_program, solve_all
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.split import Partition
from allocator.types import FloatArray, IntArray

#: Rounds run, unless the bound is reached, before a round that gains less than the gap
#: stops them (the first prices, from the
#: provinces' own duals, may add nothing the master can use; at 10,000 neighborhoods the
#: first round gained nothing and the next five 0.25%).
MIN_ROUNDS = 3


@dataclass
class Proposal:
    """One plan of a province: its columns' values, its worth, its use of the shared rows."""

    values: FloatArray
    value: float
    use: FloatArray


@dataclass(frozen=True)
class TotalParts:
    """Each province's part of the totals (``workers_total``, ``spend_total``): a total
    T is defined by a row a T + sum_j d_j x_j = b outside every province, so province p's
    plan adds -sum_{j in p} d_j x_j / a to it.

    The provinces plan with the totals as constants in their quota rows, and the joined
    plan is judged against the totals it reaches (:func:`at_reached_totals`).
    """

    entries: list[tuple[IntArray, IntArray, FloatArray]]  # (total, local column, coefficient)
    n_totals: int
    offset: FloatArray  # b / a of each total's row: a total is this plus the parts

    @classmethod
    def of(cls, lp: LinearProgram, part: Partition) -> TotalParts:
        n_g = part.global_cols.size
        slot = np.full(lp.n_vars, -1, dtype=np.int64)
        slot[part.global_cols] = np.arange(n_g)
        shared = np.zeros(lp.n_rows, dtype=np.bool_)
        shared[part.shared_rows] = True
        on_total = np.flatnonzero(slot[lp.cols] >= 0)
        defining = on_total[(part.row_group[lp.rows[on_total]] < 0) & ~shared[lp.rows[on_total]]]
        row_total = np.full(lp.n_rows, -1, dtype=np.int64)
        row_total[lp.rows[defining]] = slot[lp.cols[defining]]
        a = np.zeros(lp.n_rows)
        a[lp.rows[defining]] = lp.vals[defining]
        hit = np.flatnonzero((row_total[lp.rows] >= 0) & (slot[lp.cols] < 0))
        group = part.column_group[lp.cols[hit]]
        entries = []
        for p in range(part.n_groups):
            mine = hit[group == p]
            cols = np.flatnonzero(part.column_group == p)
            local = np.searchsorted(cols, lp.cols[mine])
            coef = -lp.vals[mine] / a[lp.rows[mine]]
            entries.append((row_total[lp.rows[mine]], local, coef))
        offset = np.zeros(n_g)
        offset[slot[lp.cols[defining]]] = lp.row_ub[lp.rows[defining]] / lp.vals[defining]
        return cls(entries, n_g, offset)

    def reached(self, plans: list[Proposal]) -> FloatArray:
        """The totals of the joined ``plans`` (one per province)."""
        out: FloatArray = self.offset + sum(
            (self.of_plan(p, plan.values) for p, plan in enumerate(plans)), np.zeros(self.n_totals)
        )
        return out

    def of_plan(self, p: int, values: FloatArray) -> FloatArray:
        """Province ``p``'s part of every total at ``values`` (its own columns)."""
        total, local, coef = self.entries[p]
        out = np.bincount(total, weights=coef * values[local], minlength=self.n_totals)
        return np.asarray(out, dtype=np.float64)


@dataclass
class Master:
    """The master program's answer: each province's weights on its plans, the shared
    rows' prices and the mix's worth."""

    weights: list[FloatArray]
    prices: FloatArray
    objective: float

    def use(self, plans: list[Proposal], p: int) -> FloatArray:
        """What province ``p``'s mix of its ``plans`` uses of every shared row."""
        out: FloatArray = self.weights[p] @ np.array([plan.use for plan in plans])
        return out


def master(proposals: list[list[Proposal]], caps: FloatArray) -> Master:
    """Solve the master program over every province's ``proposals`` (see the module doc);
    ``caps``: the shared rows' amounts (an infinite one is left out)."""
    sizes = [len(plans) for plans in proposals]
    n = int(sum(sizes))
    owner = np.repeat(np.arange(len(proposals)), sizes)
    value = np.array([plan.value for plans in proposals for plan in plans])
    finite = np.flatnonzero(np.isfinite(caps))
    use = np.array([plan.use for plans in proposals for plan in plans]).reshape(n, caps.size)
    use = use[:, finite]
    # Scaled to worths and uses of order 1 (HiGHS's tolerances are absolute).
    v_scale = max(float(np.abs(value).max(initial=0.0)), 1.0)
    u_scale = np.maximum(np.abs(use).max(axis=0, initial=0.0), 1.0)
    m = finite.size
    k_rows, k_cols = np.nonzero(use.T)
    rows = np.concatenate([k_rows, m + owner])
    cols = np.concatenate([k_cols, np.arange(n)])
    vals = np.concatenate([use[k_cols, k_rows] / u_scale[k_rows], np.ones(n)])
    order = np.lexsort((cols, rows))
    lp = LinearProgram(
        lb=np.zeros(n),
        ub=np.full(n, INF),
        obj=value / v_scale,
        integer=np.zeros(n, dtype=np.bool_),
        row_lb=np.concatenate([np.full(m, -INF), np.ones(len(proposals))]),
        row_ub=np.concatenate([caps[finite] / u_scale, np.ones(len(proposals))]),
        rows=rows[order],
        cols=cols[order],
        vals=vals[order],
        var_blocks={"mu": slice(0, n)},
        row_blocks={"shared": slice(0, m), "convexity": slice(m, None)},
    )
    res = get_backend("highs").solve(lp, SolveOptions(lp_algorithm="simplex"))
    if res.termination is not Termination.OPTIMAL:
        raise RuntimeError(f"master program: {res.termination} {res.message}")
    mu = np.clip(res.values, 0.0, 1.0)
    prices = np.zeros(caps.size)
    prices[finite] = np.maximum(res.duals[:m], 0.0) * v_scale / u_scale
    bounds = np.cumsum([0, *sizes])
    weights = [mu[bounds[p] : bounds[p + 1]] for p in range(len(proposals))]
    return Master(weights, prices, float(value @ mu))


def coordinate(
    price: Callable[[FloatArray, dict[int, object | None]], LagrangianPass],
    plans: list[list[Proposal]],
    caps: FloatArray,
    prices: FloatArray,
    bases: dict[int, object | None],
    bound: float,
    relative_gap: float,
    max_rounds: int,
) -> tuple[Master | None, float, int]:
    """One pass of the provinces at ``prices`` (its Lagrangian bound), then up to
    ``max_rounds`` rounds of mixing and pricing (see the module doc), from every province's
    first plan (``plans``, one each, kept with its share).

    ``price(prices, starts)``: a pass of the provinces at those prices, each started from
    its basis in ``starts`` (the first pass from ``bases``, the next from the last pass's).
    Returns the last master's answer (``None`` without a round), the least bound
    (``bound`` or a pass's), and how many rounds ran. ``plans`` gets every pass's plans.
    """
    first = float(sum(own[0].value for own in plans))
    best: Master | None = None
    passed = price(prices, bases)
    bound = min(bound, passed.bound)
    rounds = 0
    while passed.provinces is not None and rounds < max_rounds:
        starts: dict[int, object | None] = {}
        for p, priced in enumerate(passed.provinces):
            plans[p].append(Proposal(priced.values, priced.value, priced.use))
            starts[p] = priced.basis
        passed.provinces = None  # the plans are the master's now
        found = master(plans, caps)
        rounds += 1
        gained = found.objective - (first if best is None else best.objective)
        best = found
        scale = max(abs(found.objective), 1e-9)
        if bound - found.objective <= relative_gap * scale or rounds == max_rounds:
            break
        if rounds >= MIN_ROUNDS and gained <= relative_gap * scale:
            break
        passed = price(found.prices, starts)
        bound = min(bound, passed.bound)
    return best, bound, rounds


@dataclass
class ProvincePass:
    """Every province solved with its share of the shared rows: each one's plan (its own
    columns), where those columns and rows are in the whole program, and the duals."""

    plans: list[Proposal]
    columns: list[IntArray]
    duals: FloatArray  # the whole program's rows: the provinces' own, then max pi shared
    pi: FloatArray  # province x shared row
    theta: FloatArray  # province x total
    bases: dict[int, object | None]

    def bound(
        self,
        lp: LinearProgram,
        part: Partition,
        shares: FloatArray,
        totals: FloatArray,
        ceilings: FloatArray,
    ) -> float:
        """The bound from the concavity of each province's value in its shares and the
        totals (the module doc)."""
        v_sum = float(sum(plan.value for plan in self.plans))
        caps = lp.row_ub[part.shared_rows]
        out = v_sum - dot(self.pi, shares) + dot(self.duals[part.shared_rows], caps)
        low = lp.lb[part.global_cols]
        return out + totals_term(self.theta.sum(axis=0), totals, low, ceilings)


def province_pass(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    shares: FloatArray,
    totals: FloatArray,
    opts: SolveOptions,
    bases: dict[int, object | None] | None = None,
) -> ProvincePass:
    """Solve every province with ``shares`` (from ``bases``, if given)."""
    # Each province's program is built just before it is solved and dropped after (all of
    # them at once were another copy of the whole matrix); its columns, rows and the
    # coefficients on the totals are kept to join the solutions.
    maps: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}
    entries: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}

    def build(p: int) -> LinearProgram:
        program, cols, rows, shift = province_program(lp, part, index, p, shares[p], totals)
        maps[p] = (cols, rows, shift)
        entries[p] = shared_entries(program, rows.size)
        return program

    solved = solve_all(part, build, opts, None if bases is None else bases.get)
    n_p = part.n_groups
    out = ProvincePass([], [], np.zeros(lp.n_rows), np.zeros((n_p, part.shared_rows.size)),
                       np.zeros((n_p, totals.size)), {})  # fmt: skip
    failed = [
        f"province {p}: {res.termination} {res.message}"
        for p, res in enumerate(solved)
        if not res.has_solution or res.termination is not Termination.OPTIMAL
    ]
    if failed:
        raise RuntimeError("; ".join(failed))
    for p in range(part.n_groups):
        (cols, rows, shift), res = maps.pop(p), solved[p]
        use = use_of(entries.pop(p), res.values, part.shared_rows.size)
        out.plans.append(Proposal(res.values, float(res.objective), use))
        out.columns.append(cols)
        out.bases[p] = res.basis
        local = res.duals[: rows.size]
        out.duals[rows] = local
        out.pi[p] = res.duals[rows.size :]
        out.theta[p] = -(local @ shift)  # d V_p / d T_g: the totals sit in the rows' bounds
    solved.clear()  # the provinces' plans are kept once
    out.duals[part.shared_rows] = np.maximum(out.pi.max(axis=0), 0.0)
    return out


def settle(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    first: ProvincePass,
    shares: FloatArray,
    totals: FloatArray,
    opts: SolveOptions,
    ceilings: FloatArray,
    prices: FloatArray,
    bound: float,
    rounds: int,
) -> tuple[ProvincePass, float, int]:
    """From the ``first`` pass (each province with its ``shares``): the Lagrangian pass at
    ``prices`` and up to ``rounds`` rounds of the master (:func:`coordinate`), then every
    province solved again with the share its mix used, at the totals the joined plan
    reaches (:func:`at_reached_totals`). Returns that pass (``first`` without a round),
    the least bound and how many rounds ran.

    The re-solve is needed: the master's mix is feasible but not a vertex, its workers
    spread over many cells, which rounding turned into workers over the quota bands; each
    province's vertex with its mix's share is at least as good."""
    plans = [[plan] for plan in first.plans]
    found, bound, done = coordinate(
        lambda lam, starts: lagrangian_pass(lp, part, index, totals, lam, opts, ceilings, starts),
        plans, lp.row_ub[part.shared_rows], prices, dict(first.bases), bound,
        opts.relative_gap, rounds,
    )  # fmt: skip
    if found is None:
        return first, bound, done
    mixed = np.array([found.use(own, p) for p, own in enumerate(plans)])
    del plans, found
    final = province_pass(lp, part, index, mixed, totals, opts, first.bases)
    final, reached = at_reached_totals(lp, part, index, final, mixed, totals, opts)
    return final, min(bound, final.bound(lp, part, mixed, reached, ceilings)), done


def at_reached_totals(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    done: ProvincePass,
    shares: FloatArray,
    totals: FloatArray,
    opts: SolveOptions,
    parts: TotalParts | None = None,
    tries: int = 3,
) -> tuple[ProvincePass, FloatArray]:
    """``done`` (the provinces solved with the totals as constants), solved again against
    the totals the joined plan reached, until they agree (at most ``tries`` passes, each
    from the last one's bases). Returns the pass and its totals.

    The joined plan is judged against the totals it reaches: a province that planned at
    the edge of its quota band with other totals is short of it (``informal-330`` by the
    split, its polish by province with rounds of the master: nine provinces short of their
    spending band by 11 million toman each, at the quota penalty: 5% of the objective)."""
    if not part.global_cols.size:
        return done, totals
    parts = parts or TotalParts.of(lp, part)
    for _ in range(tries):
        reached = parts.reached(done.plans)
        if np.allclose(reached, totals, rtol=1e-9, atol=1e-6):
            break
        totals = reached
        done = province_pass(lp, part, index, shares, totals, opts, done.bases)
    return done, totals
