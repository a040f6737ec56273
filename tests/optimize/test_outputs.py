"""Run-directory writers, compare_runs, solver failures and the public API."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow.parquet as pq
import pytest

import allocator.optimize as opt
from allocator.optimize import Status, Termination, compare_runs, optimize, write_plan
from allocator.optimize.model import build_model
from allocator.optimize.solvers import SolveOptions, get_backend

from .builders import scaled_params


def test_write_plan_files_and_columns(small_demand, tmp_path):
    plan = optimize(small_demand, scaled_params(small_demand.n_neighborhoods))
    write_plan(plan, small_demand, tmp_path)
    alloc = pq.read_table(tmp_path / "allocation.parquet")
    assert alloc.column_names == [
        "neighborhood_id", "service_id", "tier", "agency", "demand", "served", "unit_cost",
        "binding_reason", "households", "case_files", "unit_kind", "entitled", "outcome_value",
    ]  # fmt: skip
    assert alloc.num_rows == small_demand.n_rows
    nb = pq.read_table(tmp_path / "neighborhoods.parquet")
    assert {"neighborhood_id", "province", "agency", "workers", "case_files", "budget_spent",
            "met_tier1", "need_tier4"} <= set(nb.column_names)  # fmt: skip
    sp = pq.read_table(tmp_path / "shadow_prices.parquet")
    assert {"constraint", "dual", "households_tier1", "households_tier4"} <= set(sp.column_names)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == plan.status.value
    assert [t["tier"] for t in summary["need_met"]] == [1, 2, 3, 4]
    assert summary["budget"]["used"]["total"] == round(plan.budget_used["total"])
    assert summary["units"]["budget.*"] == "toman"
    assert all(isinstance(t["served"], int) for t in summary["need_met"])


def test_compare_runs_reports_what_moved(small_demand, tmp_path):
    params = scaled_params(small_demand.n_neighborhoods)
    write_plan(optimize(small_demand, params), small_demand, tmp_path / "a")
    richer = replace(params, budget_total=2 * params.budget_total, budget_agency={})
    write_plan(optimize(small_demand, richer), small_demand, tmp_path / "b")
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert diff["budget"]["total"]["delta"] > 0
    assert diff["need_met"]["tier1"]["delta"] >= -1e-6
    assert set(diff["agencies"]) <= set(small_demand.agencies)
    assert diff["budget"]["moved"] >= diff["budget"]["total"]["delta"] - 1e-3
    points = diff["outcome_points"]
    assert points["delta"] == pytest.approx(points["b"] - points["a"]) and points["delta"] >= 0
    json.dumps(diff)


def test_solver_failure_is_a_status_naming_the_solver(small_demand, monkeypatch):
    def boom(*args: object) -> None:
        raise RuntimeError("HighsStatus: kError [INTERNAL]")

    monkeypatch.setattr("allocator.optimize.solvers.core.solve", boom)  # MathOpt
    monkeypatch.setattr("allocator.optimize.highs_io.to_highs_lp", boom)  # highspy's LPs
    plan = optimize(small_demand, scaled_params(small_demand.n_neighborhoods))
    assert plan.status is Status.ERROR
    assert plan.termination is Termination.SOLVER_ERROR
    assert any("highs" in m and "kError" in m for m in plan.messages)
    assert plan.served.sum() == 0 and set(plan.binding) == {"not_optimal"}


def test_backend_without_mip_support_reports_instead_of_raising(small_demand):
    model = build_model(small_demand, scaled_params(small_demand.n_neighborhoods))
    res = get_backend("glop").solve(model.program, SolveOptions())
    assert res.termination is Termination.SOLVER_ERROR and "glop" in res.message


@pytest.mark.parametrize("solver", ["scip", "cpsat"])
def test_other_mip_solvers(small_demand, solver):
    params = scaled_params(small_demand.n_neighborhoods, method="mip", solver=solver,
                           time_limit_s=20)  # fmt: skip
    plan = optimize(small_demand, params)
    assert plan.ok
    reference = optimize(small_demand, replace(params, solver="highs"))
    # CP-SAT scales the continuous variables (approximate); with a worker count per
    # (neighborhood, agency) it lands about 0.1 % off
    assert plan.objective == pytest.approx(
        reference.objective, rel=1e-3 if solver == "scip" else 5e-3
    )


def test_exported_members():
    assert sorted(opt.__all__) == sorted(
        ["BACKENDS", "BindingReason", "Demand", "Method", "OptimizationModel", "OptimizeParams",
         "Plan", "ShadowPrices", "SlackItem", "SlotParams", "SolveResult", "SolverBackend",
         "Status", "Termination", "TierMode", "TierNeed", "build_model", "compare_runs",
         "get_backend", "optimize", "summary_fields", "synthetic_demand", "write_plan"]
    )  # fmt: skip
