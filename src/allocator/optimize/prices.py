"""Prices a planner can read: what one more (or one less) billion toman buys, by re-solving.

A dual is exact only while the basis stays optimal and is not unique when rows are
redundant (a total budget equal to the sum of the agency budgets). So every budget row's
price is measured: the LP relaxation is solved again with the row's limit moved by −Δ
and +Δ, and the change in units served is read by service (households or members) and
tier. Where the two rates differ the price is degenerate (or at a kink), and both are
reported.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> plan = optimize(synthetic_demand(6, 5, 0), OptimizeParams(budget_total=2e10))
    >>> checks = price_checks(plan.model)
    >>> checks[0]["constraint"], checks[0]["plus"]["toman"]
    ('budget', 1000000000.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.optimize.lp import LinearProgram
from allocator.optimize.model import OptimizationModel
from allocator.optimize.sets import MILLION
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.types import FloatArray

BILLION = 1e9
ROUND_TO = 1e-6  # units bought below this are noise


def price_checks(model: OptimizationModel, delta: float = BILLION) -> list[dict[str, Any]]:
    """Re-solve with every budget row moved by −``delta`` and +``delta`` toman."""
    lp = model.program.relaxed()
    backend = get_backend("highs")
    opts = SolveOptions(time_limit_s=model.params.time_limit_s)
    base = backend.solve(lp, opts)
    if not base.has_solution:
        return []
    x0 = base.values[lp.var_blocks["x"]]
    out = []
    for block in ("budget", "agency_budget"):
        if block not in lp.row_blocks:
            continue
        sl = lp.row_blocks[block]
        for i, key in enumerate(model.keys[block].tolist()):
            row = sl.start + i
            name = model.demand.agencies[key] if block == "agency_budget" else ""
            sides: dict[str, dict[str, Any]] = {}
            for side, sign in (("minus", -1.0), ("plus", 1.0)):
                moved = _moved(lp, row, sign * delta / MILLION)
                res = backend.solve(moved, opts)
                if not res.has_solution:
                    sides[side] = {"toman": sign * delta, "status": res.termination.value}
                    continue
                dx = res.values[lp.var_blocks["x"]] - x0
                sides[side] = {
                    "toman": sign * delta,
                    "objective_per_billion": float((res.objective - base.objective) / sign)
                    * BILLION
                    / delta,
                    **_bought(model, dx * sign),
                }
            rates = [sides[k].get("objective_per_billion") for k in ("minus", "plus")]
            known = [float(r) for r in rates if isinstance(r, float)]
            out.append(
                {
                    "constraint": block,
                    "key": name,
                    **sides,
                    "degenerate": None
                    if len(known) < 2
                    else not bool(np.isclose(known[0], known[1], rtol=1e-6, atol=1e-9)),
                    "sentence": _sentence(name, sides["plus"], delta),
                }
            )
    return out


def _moved(lp: LinearProgram, row: int, by: float) -> LinearProgram:
    from dataclasses import replace

    ub = lp.row_ub.copy()
    ub[row] = max(0.0, ub[row] + by)
    return replace(lp, row_ub=ub)


def _bought(model: OptimizationModel, dx: FloatArray) -> dict[str, Any]:
    """Units gained per service (households or members) and per tier."""
    s, d = model.sets, model.demand
    by_s = np.bincount(s.row_s, dx, d.n_services)
    households: dict[str, float] = {}
    members: dict[str, float] = {}
    for i in np.flatnonzero(np.abs(by_s) > ROUND_TO):
        kind = members if d.service_entity[i] == "member" else households
        kind[d.service_ids[i]] = round(float(by_s[i]), 1)
    by_t = np.bincount(s.row_t - 1, dx, 4)
    return {
        "households": households,
        "members": members,
        "by_tier": {str(t + 1): round(float(by_t[t]), 1) for t in range(4)},
    }


def _sentence(agency: str, plus: dict[str, Any], delta: float) -> str:
    """ "One more billion toman for A buys …", from the +Δ re-solve."""
    if "households" not in plus:
        return f"re-solve with +{delta / BILLION:g} billion toman failed"
    who = f"for {agency}" if agency else "in total"
    parts = []
    for kind in ("households", "members"):
        items = sorted(plus[kind].items(), key=lambda kv: -abs(kv[1]))
        gained = [f"{v:,.0f} {kind} of {k}" for k, v in items if v > 0.5][:4]
        parts += gained
    tiers = ", ".join(f"tier {t}: {v:,.0f}" for t, v in plus["by_tier"].items() if v > 0.5)
    if not parts:
        return f"one more {delta / BILLION:g} billion toman {who} buys nothing (not binding)"
    return (
        f"one more {delta / BILLION:g} billion toman {who} buys "
        + "; ".join(parts)
        + (f" (units by tier: {tiers})" if tiers else "")
    )
