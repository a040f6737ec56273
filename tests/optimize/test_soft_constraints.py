"""Over-constrained scenarios still give a plan, with a slack report."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from allocator.optimize import Status, optimize
from allocator.scenarios import load_scenario, to_params

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def test_over_constrained_scenario_yields_a_plan_and_a_slack_report(tmp_path, monkeypatch):
    from allocator.runs import stage_demand

    monkeypatch.setenv("ALLOCATOR_CACHE", str(tmp_path))
    scenario = load_scenario(SCENARIOS / "over-constrained.yaml")
    prepared = stage_demand(scenario, SCENARIOS.parent)
    plan = optimize(prepared.demand, to_params(scenario, prepared.rule_parameters))
    assert plan.status is Status.WARNING
    # max-min: every neighborhood gets the same share of its floor before any gets more
    d = plan.demand
    need = np.bincount(d.row_neighborhood, np.where(d.row_tier == 1, d.units, 0.0))
    met = np.bincount(d.row_neighborhood, np.where(d.row_tier == 1, plan.served, 0.0))
    has = need > 0
    assert plan.floor_level is not None and plan.floor_level > 0
    assert (met[has] >= plan.floor_level * 0.9 * need[has] * (1 - 1e-6) - 1e-6).all()
    assert plan.served.sum() > 0
    assert plan.slack, "the slack report must name what could not be met"
    kinds = {s.constraint for s in plan.slack}
    assert "floor" in kinds
    for item in plan.slack:
        assert item.shortfall > 0
        assert str(item).startswith(item.constraint)
    assert any("soft constraint" in m for m in plan.messages)


def test_floor_is_met_when_it_can_be(small_demand):
    from .builders import scaled_params

    params = scaled_params(small_demand.n_neighborhoods, floor_tier1=0.3)
    plan = optimize(small_demand, params)
    assert [s for s in plan.slack if s.constraint == "floor"] == []
