"""Outcome points of a plan: the efficiency a fair plan is measured against.

A plan's *outcome points* are what its discretionary (not entitled) service achieves on the
outcomes table's common scale, priority-weighted and without diminishing returns:

    points = sum over discretionary rows r of  weight_t(r) * value_s(r) * served_r

This is the fair objective with alpha = 0 (equal slopes) before workers and penalties, so
the plan with the most points under a scenario's resources is its alpha = 0 plan. The
*price of fairness* (Bertsimas, Farias and Trichakis, 2011) of a fair plan is then the share
of those points it gives up to spread need met across tiers, services and neighborhoods:

    price = 1 - points(fair plan) / points(alpha = 0 plan)

Entitled rows are left out: they are served in full in every plan that funds them.

Examples:
    >>> from allocator.optimize import optimize, synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> demand = synthetic_demand(6, 4, seed=1)
    >>> fair = optimize(demand, OptimizeParams(budget_total=5e9, objective="fair"))
    >>> efficient = optimize(demand, OptimizeParams(budget_total=5e9, objective="fair", alpha=0.0))
    >>> price = price_of_fairness(outcome_points(fair), outcome_points(efficient))
    >>> round(price, 2)  # the fair plan gives up this share of the points to spread
    0.38
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.outcomes import outcome_values
from allocator.optimize.plan import Plan


def outcome_points(plan: Plan) -> float:
    """Tier weight x outcome value x units served, summed over discretionary rows."""
    demand, params = plan.demand, plan.params
    if demand.n_rows == 0:
        return 0.0
    weights = np.asarray(params.tier_weights, dtype=np.float64)[demand.row_tier - 1]
    values = outcome_values(demand.service_ids, params.outcome_values)[demand.row_service]
    discretionary = ~demand.service_entitled[demand.row_service]
    return float(np.sum((weights * values * plan.served)[discretionary]))


def price_of_fairness(points: float, efficient_points: float) -> float | None:
    """The share of the efficient plan's outcome points a plan gives up (None: no points).

    >>> round(price_of_fairness(90.0, 100.0) or 0, 6)
    0.1
    >>> price_of_fairness(5.0, 0.0) is None
    True
    """
    if efficient_points <= 0:
        return None
    return max(0.0, 1.0 - points / efficient_points)
