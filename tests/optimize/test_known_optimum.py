"""A scenario small enough to solve by hand.

One neighborhood; service A costs 1 million toman and opens a case file per household,
service B costs 2 million and opens none. Demand rows (service, tier, units, case files):
A/1: 100 (100 files), B/1: 50, A/2: 200 (100 files: 0.5 per unit), B/3: 100.
One social worker (150 files), budget 280 million toman, weights 1000/100/10/1.

Value per million toman: A/1 1000, B/1 500, A/2 100, B/3 5. So A/1 (100 M, 100 files) and
B/1 (100 M) are served in full, the last 80 M go to A/2 (80 units, 40 files <= 50 left),
and B/3 gets nothing. Objective = 100*1000 + 50*1000 + 80*100 - 0.001 per worker.
The budget is the binding resource: one more million toman buys one more A/2 unit worth
100, i.e. 100,000 per billion toman; the worker pool is slack (dual 0).
(The LP relaxation hires 140/150 of a worker; fast and MIP one whole worker.)
"""

from __future__ import annotations

import pytest

from allocator.optimize import OptimizeParams, optimize

from .builders import hand_demand

ROWS = [("A", 1, 100, 100), ("B", 1, 50, 0), ("A", 2, 200, 100), ("B", 3, 100, 0)]
COSTS = {"A": 1e6, "B": 2e6}


@pytest.mark.parametrize("method", ["lp", "fast", "mip"])
def test_hand_solved_optimum(method):
    params = OptimizeParams(
        budget_total=280e6, workers_agency={"relief_committee": 1}, method=method
    )
    plan = optimize(hand_demand(ROWS, COSTS), params)
    assert plan.served.tolist() == pytest.approx([100, 50, 80, 0], abs=1e-6)
    workers = 1.0 if method != "lp" else 140 / 150  # the LP relaxation hires 140 files' worth
    assert plan.workers.tolist() == pytest.approx([workers])
    assert plan.objective == pytest.approx(158_000 - 0.001 * workers, abs=1e-6)
    assert plan.budget_used["total"] == pytest.approx(280e6)
    assert list(plan.binding) == ["", "", "budget", "lower_priority"]


def test_hand_solved_shadow_prices():
    params = OptimizeParams(budget_total=280e6, workers_agency={"relief_committee": 1}, method="lp")
    sp = optimize(hand_demand(ROWS, COSTS), params).shadow_prices
    assert sp.lookup("budget") == pytest.approx(100_000, rel=1e-6)  # per billion toman
    assert sp.lookup("worker_pool_agency", "relief_committee") == pytest.approx(0, abs=1e-6)
    per_tier = sp.per_tier[list(sp.constraint).index("budget")]
    assert per_tier.tolist() == pytest.approx([100, 1_000, 10_000, 100_000])


def test_hand_solved_with_workers_binding():
    """Budget 1 billion: now the worker's 150 files bind; A/2 gets the last 50 files."""
    params = OptimizeParams(budget_total=1e9, workers_agency={"relief_committee": 1})
    plan = optimize(hand_demand(ROWS, COSTS), params)
    assert plan.served.tolist() == pytest.approx([100, 50, 100, 100], abs=1e-6)
    assert plan.objective == pytest.approx(100_000 + 50_000 + 10_000 + 1_000 - 0.001, abs=1e-6)
    assert list(plan.binding) == ["", "", "workers", ""]
