"""Shadow prices against re-solving with one more unit of the resource (LP: exact).

The objective is concave in each right-hand side, so for any optimal dual y:
(f(b + d) - f(b)) / d <= y <= (f(b) - f(b - d)) / d; at a non-degenerate point both
difference quotients equal y.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from allocator.optimize import OptimizeParams, optimize

from .builders import scaled_params


@pytest.fixture(scope="module")
def params(medium_demand) -> OptimizeParams:
    return scaled_params(
        medium_demand.n_neighborhoods, method="lp", quota_band=None, floor_tier1=0.0,
        workers_province={}, budget_agency={},
    )  # fmt: skip


def _quotients(demand, params, change) -> tuple[float, float, float]:
    base = optimize(demand, params).objective
    up = optimize(demand, change(params, +1)).objective
    down = optimize(demand, change(params, -1)).objective
    return base, up - base, base - down


def test_budget_dual_is_the_value_of_one_more_billion_toman(medium_demand, params):
    plan = optimize(medium_demand, params)
    dual = plan.shadow_prices.lookup("budget")  # per billion toman
    assert dual > 0
    step = 1e8  # 0.1 billion toman: small enough to stay in the same basis

    def change(p: OptimizeParams, sign: int) -> OptimizeParams:
        return replace(p, budget_total=p.budget_total + sign * step)

    _, right, left = _quotients(medium_demand, params, change)
    right, left = right * 1e9 / step, left * 1e9 / step
    assert right <= dual * (1 + 1e-6) + 1e-6 and dual <= left * (1 + 1e-6) + 1e-6
    assert right == pytest.approx(dual, rel=1e-3)


def test_worker_pool_dual_is_the_value_of_one_more_worker(medium_demand, params):
    scarce = replace(params, workers_agency={**params.workers_agency, "red_crescent": 5})
    plan = optimize(medium_demand, scarce)
    dual = plan.shadow_prices.lookup("worker_pool_agency", "red_crescent")
    assert dual > 0

    step = 0.05  # the LP relaxation takes fractional workers: a small step stays in the basis

    def change(p: OptimizeParams, sign: int) -> OptimizeParams:
        pools = dict(p.workers_agency)
        pools["red_crescent"] += sign * step
        return replace(p, workers_agency=pools)

    _, right, left = _quotients(medium_demand, scarce, change)
    right, left = right / step, left / step
    assert right <= dual * (1 + 1e-6) + 1e-6 and dual <= left * (1 + 1e-6) + 1e-6
    assert right == pytest.approx(dual, rel=1e-3)


def test_per_tier_prices_divide_by_the_weights(medium_demand, params):
    sp = optimize(medium_demand, params).shadow_prices
    weights = params.tier_weights
    for t in range(4):
        assert sp.per_tier[:, t] == pytest.approx(sp.dual / weights[t])
