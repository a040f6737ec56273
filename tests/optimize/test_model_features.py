"""Hand-solved instances of the allocation model's features (docs/model.md).

Each instance is small enough to solve on paper; the expected plan is derived in the
test's docstring.
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest

from allocator.optimize import OptimizeParams, Status, optimize, synthetic_demand
from allocator.optimize.efficiency import outcome_points, price_of_fairness
from allocator.optimize.mps import write_mps
from allocator.optimize.outcomes import segment_slopes, segment_widths
from allocator.optimize.prices import price_checks

from .builders import hand_demand, two_neighborhoods

M = 1e6  # one million toman


def test_entitlement_is_served_before_anything_discretionary():
    """A (entitled, tier 4) and B (tier 1), 10 units each at 1 M; budget 15 M.

    Without the entitlement B (weight 1000) takes 10 and A 5; with it A is served in
    full (10) and B gets the 5 M left."""
    d = hand_demand([("A", 4, 10, 0), ("B", 1, 10, 0)], {"A": M, "B": M})
    params = OptimizeParams(budget_total=15 * M, method="lp")
    plain = optimize(d, params)
    assert plain.served.tolist() == pytest.approx([5, 10])
    plan = optimize(d.with_entitlements(["A"]), params)
    assert plan.served.tolist() == pytest.approx([10, 5])
    assert plan.status is Status.OK and plan.entitlements["funded"]
    tier1, tier4 = plan.need_met[0], plan.need_met[3]
    assert (tier4.share, tier4.discretionary_demand) == (1.0, 0.0)  # A is all entitled
    assert (tier1.discretionary_demand, tier1.discretionary_served) == (10, pytest.approx(5))
    assert tier1.discretionary_share == pytest.approx(0.5)


def test_unfunded_entitlement_is_reported_with_its_price():
    """Budget 6 M < the 10 M entitlement: phase 1 funds 6 units of A, B gets nothing;
    the plan says 4 units, 4 M toman are missing."""
    d = hand_demand([("A", 4, 10, 0), ("B", 1, 10, 0)], {"A": M, "B": M})
    plan = optimize(d.with_entitlements(["A"]), OptimizeParams(budget_total=6 * M, method="lp"))
    assert plan.status is Status.ENTITLEMENTS_UNFUNDED
    assert plan.served.tolist() == pytest.approx([6, 0], abs=1e-6)
    ent = plan.entitlements
    assert ent["unfunded"] == pytest.approx(4, abs=1e-6)
    assert ent["unfunded_toman"] == pytest.approx(4 * M, rel=1e-6)
    assert ent["by_province"]["Tehran"]["unfunded"] == pytest.approx(4, abs=1e-6)
    assert plan.binding.tolist()[0] == "unfunded_entitlement"


def test_concave_value_spreads_money_over_services():
    """S1 (value 2) and S2 (value 1), 100 tier-1 units each at 1 M; budget 100 M.

    Linear: everything to S1. Fair (alpha 1, K = 4, slopes s1 > s2 > s3 > s4, pieces of
    100 w_k units): the pieces are bought by decreasing value 2 s_k or s_k until the 100
    units are spent: S1:s1, S2:s1, S1:s2, S2:s2, S1:s3, S2:s3 (s3 > 2 s4), then part of
    S1:s4, so S1 gets 53 1/3 and S2 46 2/3."""
    d = hand_demand([("S1", 1, 100, 0), ("S2", 1, 100, 0)], {"S1": M, "S2": M})
    values = {"S1": 2.0, "S2": 1.0}
    base = OptimizeParams(budget_total=100 * M, method="lp", outcome_values=values)
    assert optimize(d, base).served.tolist() == pytest.approx([100, 0])
    s, w = segment_slopes(1.0, 4), segment_widths(1.0, 4)
    pieces = sorted(
        [(2 * v, "S1", 100 * u) for v, u in zip(s, w, strict=True)]
        + [(v, "S2", 100 * u) for v, u in zip(s, w, strict=True)],
        reverse=True,
    )
    left, got = 100.0, {"S1": 0.0, "S2": 0.0}
    for _, name, units in pieces:
        take = min(units, left)
        got[name] += take
        left -= take
    expected = [got["S1"], got["S2"]]
    assert expected == pytest.approx([1280 / 17, 420 / 17])  # pieces of 1, 4, 16, 64 / 85
    fair = optimize(d, replace(base, objective="fair", alpha=1.0, segments=4))
    assert fair.served.tolist() == pytest.approx(expected)
    linear_like = optimize(d, replace(base, objective="fair", alpha=0.0))
    assert linear_like.served.tolist() == pytest.approx([100, 0])


def test_a_worker_is_paid_from_the_budget():
    """300 units at 1 M with a case file each (2 workers at 150); a worker-year costs 50 M;
    budget 200 M. Serving x costs x M + 50 M x / 150, so x = 150 and one worker."""
    d = hand_demand([("A", 1, 300, 300)], {"A": M})
    params = OptimizeParams(budget_total=200 * M, worker_cost=50 * M, method="lp")
    plan = optimize(d, params)
    assert plan.served.tolist() == pytest.approx([150])
    assert plan.workers.tolist() == pytest.approx([1.0])
    assert plan.budget_used["workers"] == pytest.approx(50 * M)
    assert plan.budget_used["total"] == pytest.approx(200 * M)


def test_workers_are_booked_to_the_employing_agency():
    """Neighborhood 2's custodian is the Imam Khomeini Order, but its case files are
    delivered by the relief committee: the workers are the committee's."""
    d = two_neighborhoods([(2, "A", 1, 150, 150)], {"A": M})
    plan = optimize(d, OptimizeParams(workers_agency={"relief_committee": 1}, method="mip"))
    assert plan.workers_used["by_agency"]["relief_committee"] == 1
    assert plan.workers_used["by_agency"]["imam_order"] == 0
    assert plan.served.tolist() == pytest.approx([150])


def test_floor_shortfall_is_spread_max_min():
    """Floors of 100 tier-1 units in both neighborhoods; a unit costs 1 M in 1 and 3 M in
    2; budget 100 M. A penalty on total shortfall serves neighborhood 1 only (100 units);
    max-min gives both the same share t: 100 t + 300 t = 100, t = 0.25, 25 units each."""
    d = two_neighborhoods([(1, "A", 1, 100, 0), (2, "B", 1, 100, 0)], {"A": M, "B": 3 * M})
    params = OptimizeParams(budget_total=100 * M, floor_tier1=1.0, method="lp")
    plan = optimize(d, params)
    assert plan.served.tolist() == pytest.approx([25, 25], rel=1e-5)
    assert plan.floor_level == pytest.approx(0.25, rel=1e-5)
    old = optimize(d, replace(params, floor_maxmin=False))
    assert old.served.tolist() == pytest.approx([100, 0], abs=1e-6)


def test_budget_price_is_checked_by_resolving():
    """One service, 10,000 tier-1 households at 1 M, budget 1 billion: one more billion
    buys 1,000 more households. The total equals the agency budget: the total's price is
    degenerate (one less billion loses 1,000 households, one more buys nothing)."""
    d = hand_demand([("A", 1, 10_000, 0)], {"A": M})
    params = OptimizeParams(budget_total=1e9, budget_agency={"relief_committee": 1e9}, method="lp")
    checks = {c["constraint"]: c for c in price_checks(optimize(d, params).model)}
    total = checks["budget"]
    assert total["minus"]["households"]["A"] == pytest.approx(1000)
    assert total["plus"]["households"] == {}
    assert total["degenerate"] is True
    solo = price_checks(optimize(d, replace(params, budget_agency={})).model)[0]
    assert solo["plus"]["households"]["A"] == pytest.approx(1000)
    assert solo["degenerate"] is False
    assert "1,000 households of A" in solo["sentence"]


@pytest.mark.parametrize("method", ["lp", "mip"])
def test_exported_mps_resolves_to_the_same_optimum(method, tmp_path):
    """The exported model, read and solved by HiGHS (highspy) from the MPS text alone."""
    highspy = pytest.importorskip("highspy")
    d = synthetic_demand(8, 10, seed=4).with_entitlements(["health_insurance"])
    params = OptimizeParams(
        budget_total=3e11, floor_tier1=0.2, objective="fair", worker_cost=1.8e8,
        workers_agency={"relief_committee": 6}, quota_band=0.2, method=method,
    )  # fmt: skip
    plan = optimize(d, params)
    program = plan.model.program if method == "mip" else plan.model.program.relaxed()
    buf = io.StringIO()
    write_mps(program, buf)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    path = tmp_path / "model.mps"
    path.write_text(buf.getvalue())
    h.readModel(str(path))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = h.getInfo().objective_function_value
    expected = plan.lp_bound if method == "lp" else plan.objective
    assert value == pytest.approx(expected, rel=1e-4 if method == "mip" else 1e-7)
    assert np.isfinite(value)


def test_price_of_fairness_of_the_concave_plan():
    """The instance above: the alpha = 0 plan serves S1 only, 100 units worth 2 points, the
    fair plan 1280/17 of S1 and 420/17 of S2 (worth 1): it gives up 1 - (2 x 1280 + 420) /
    (17 x 200) = 420 / 3400 of the points. An entitled row counts in neither."""
    d = hand_demand(
        [("S1", 1, 100, 0), ("S2", 1, 100, 0), ("E", 4, 10, 0)], {"S1": M, "S2": M, "E": M}
    ).with_entitlements(["E"])
    values = {"S1": 2.0, "S2": 1.0}
    base = OptimizeParams(
        budget_total=110 * M, method="lp", outcome_values=values, objective="fair"
    )
    fair = optimize(d, replace(base, alpha=1.0, segments=4))
    efficient = optimize(d, replace(base, alpha=0.0))
    weight = base.tier_weights[0]
    assert outcome_points(efficient) == pytest.approx(weight * 200)
    assert outcome_points(fair) == pytest.approx(weight * 2980 / 17)
    price = price_of_fairness(outcome_points(fair), outcome_points(efficient))
    assert price == pytest.approx(420 / 3400)
