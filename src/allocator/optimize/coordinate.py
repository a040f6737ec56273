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
is within ``relative_gap`` of the best bound, or gains less than that in a round. Then
each province is solved again with the share its mix used, at the totals the joined plan
reaches (:func:`settle`).

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

from allocator.optimize.bounds import LagrangianPass, lagrangian_pass
from allocator.optimize.constants import Termination
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.province_passes import (
    Proposal,
    ProvincePass,
    at_reached_totals,
    province_pass,
)
from allocator.optimize.provinces import ProvinceIndex
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.split import Partition
from allocator.types import FloatArray

#: Rounds run, unless the bound is reached, before a round that gains less than the gap
#: stops them: the first prices, from the provinces' own duals, may add nothing the master
#: can use (at 10,000 neighborhoods the first round gained nothing, the next five 0.25%).
MIN_ROUNDS = 3


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
