"""Assemble a :class:`Plan` from a solution: need met, resources, slack, reasons, prices.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> plan = optimize(synthetic_demand(3, 4, 0), OptimizeParams(floor_tier1=1.0,
    ...                 budget_total=1e8))
    >>> plan.status.value, plan.slack[0].constraint
    ('warning', 'floor')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.optimize.binding import binding_reasons
from allocator.optimize.constants import Method, SolveResult, Status, Termination, TierMode
from allocator.optimize.entitlements import entitlement_report, staffing_report
from allocator.optimize.floor_stage import broken_rows
from allocator.optimize.model import OptimizationModel
from allocator.optimize.plan import Plan, SlackItem, TierNeed
from allocator.optimize.sets import MILLION
from allocator.optimize.shadow import shadow_prices
from allocator.types import FloatArray

SLACK_TOL = 1e-6


def make_plan(
    model: OptimizationModel,
    result: SolveResult,
    values: FloatArray,
    lp_duals: FloatArray,
    bound: float,
    lp_bound: float,
    stage_gap: float | None,
    build_s: float,
    solve_s: float,
    messages: list[str],
) -> Plan:
    """The plan of ``values`` (empty arrays when no solution was found)."""
    p, s, d, lp = model.params, model.sets, model.demand, model.program
    has = values.size == lp.n_vars
    v = values if has else np.zeros(lp.n_vars)
    x, w = v[lp.var_blocks["x"]], v[lp.var_blocks["w"]]
    objective = float(lp.obj @ v) if has else float("nan")
    gap = stage_gap if stage_gap is not None else _gap(objective, bound)
    if p.tier_mode is TierMode.LEXICOGRAPHIC:
        bound = float("nan")  # the weighted objective has no bound in this mode
    term = result.termination
    if has and p.method is not Method.LP and term is Termination.OPTIMAL:
        # a rounded (fast) plan is optimal only up to its proven gap
        term = Termination.OPTIMAL if gap <= p.relative_gap * (1 + 1e-6) else Termination.FEASIBLE
    if not has and term in (Termination.OPTIMAL, Termination.FEASIBLE):
        term = Termination.SOLVER_ERROR
    slack = slack_report(model, v) if has else []
    status = term.status
    broken = broken_rows(lp, v) if has else ""
    if broken and status is Status.OK:  # e.g. rounded salaries over a budget, unrepaired
        status = Status.WARNING
        messages = [*messages, f"the plan breaks a hard constraint: {broken}"]
    if status is Status.OK and slack:
        status = Status.WARNING
        messages = [*messages, f"{len(slack)} soft constraint(s) not met; see the slack report"]
    entitlements = entitlement_report(model, x)
    if has and status is not Status.ERROR and not entitlements["funded"]:
        status = Status.ENTITLEMENTS_UNFUNDED
        messages = [
            *messages,
            f"entitlements not funded: {entitlements['unfunded']:,.0f} {entitlements['unit']}, "
            f"{entitlements['unfunded_toman'] / 1e9:,.1f} billion toman and "
            f"{entitlements['unfunded_workers']:,.0f} workers would fund them",
        ]
    if not has:
        messages = [*messages, "no plan: nothing is served; see the termination and messages"]
    free = ~s.row_entitled
    tier_need = [
        TierNeed(
            t,
            float(s.units[s.row_t == t].sum()),
            float(x[s.row_t == t].sum()),
            float(s.units[(s.row_t == t) & free].sum()),
            float(x[(s.row_t == t) & free].sum()),
        )
        for t in (1, 2, 3, 4)
    ]
    spend = s.row_cost * x * MILLION
    wages = w * p.worker_cost
    return Plan(
        status=status,
        termination=term,
        method=p.method,
        tier_mode=p.tier_mode,
        solver=p.solver,
        lp_solver=p.lp_solver,
        objective=objective,
        best_bound=bound,
        lp_bound=lp_bound,
        relative_gap=gap,
        build_seconds=build_s,
        solve_seconds=solve_s,
        demand=d,
        params=p,
        served=x,
        binding=binding_reasons(model, v, lp_duals, term) if has else _all_unmet(s.n_rows),
        workers=w,
        need_met=tier_need,
        workers_available={
            "total": p.workers_total,
            "by_agency": dict(p.workers_agency),
            "by_province": dict(p.workers_province),
        },
        workers_used={
            "total": float(w.sum()),
            "by_agency": _by(d.agencies, s.staff_a, w),
            "by_province": _by(d.provinces, s.province[s.staff_n], w),
        },
        budget_available={"total": p.budget_total, "by_agency": dict(p.budget_agency)},
        budget_used={
            "total": float(spend.sum() + wages.sum()),
            "by_agency": _sum2(_by(d.agencies, s.row_a, spend), _by(d.agencies, s.staff_a, wages)),
            "by_province": _sum2(
                _by(d.provinces, s.row_p, spend), _by(d.provinces, s.province[s.staff_n], wages)
            ),
            "services": float(spend.sum()),
            "workers": float(wages.sum()),
        },
        slack=slack,
        entitlements=entitlements,
        staffing=staffing_report(model, x, w),
        floor_level=model.fixings.floor_level,
        shadow_prices=shadow_prices(model, v, lp_duals if p.shadow_prices else np.zeros(0)),
        penalties=dict(model.penalties),
        messages=[result.message] * bool(result.message and not has) + list(messages),
        model=model,
        model_size={"variables": lp.n_vars, "constraints": lp.n_rows, "nonzeros": lp.vals.size},
        centres=v[lp.var_blocks["centres"]] if has and "centres" in lp.var_blocks else None,
    )


def slack_report(model: OptimizationModel, values: FloatArray) -> list[SlackItem]:
    """Every soft constraint (floor, quotas) the plan does not meet, with the amount."""
    p, s, d, lp = model.params, model.sets, model.demand, model.program
    vb, items = lp.var_blocks, []
    if "floor_short" in vb:
        short = values[vb["floor_short"]]
        for n in np.nonzero(short > SLACK_TOL * np.maximum(1.0, s.tier1_need))[0]:
            need = p.floor_tier1 * s.tier1_need[n]
            items.append(
                SlackItem(
                    "floor",
                    f"neighborhood {d.neighborhood_id[n]}",
                    float(need),
                    float(need - short[n]),
                    float(short[n]),
                    "tier-1 units",
                )
            )
    band = p.quota_band or 0.0
    for name, unit, scale in (("workers", "workers", 1.0), ("budget", "toman", MILLION)):
        if f"quota_{name}_over" not in vb:
            continue
        total = float(values[vb["workers_total" if name == "workers" else "spend_total"]][0])
        for side, sign in (("over", 1), ("under", -1)):
            amount = values[vb[f"quota_{name}_{side}"]]
            for q in np.nonzero(amount > SLACK_TOL * max(1.0, total))[0]:
                allow = p.quota_worker_allowance if name == "workers" else 0.0
                limit = (1 + sign * band) * s.province_share[q] * total + sign * allow
                items.append(
                    SlackItem(
                        f"quota_{name}_{'max' if side == 'over' else 'min'}",
                        f"province {d.provinces[q]}",
                        float(limit * scale),
                        float((limit + sign * amount[q]) * scale),
                        float(amount[q] * scale),
                        unit,
                    )
                )
    return items


def _by(names: tuple[str, ...], group: Any, amount: FloatArray) -> dict[str, float]:
    sums = np.bincount(group, weights=amount, minlength=len(names))
    return {name: float(v) for name, v in zip(names, sums, strict=True)}


def _sum2(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a[k] + b.get(k, 0.0) for k in a}


def _gap(objective: float, bound: float) -> float:
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("nan")
    return max(0.0, (bound - objective) / max(abs(bound), 1e-9))


def _all_unmet(n: int) -> Any:
    return np.full(n, "not_optimal", dtype=object)
