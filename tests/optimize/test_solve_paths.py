"""The short cuts of the solve (issue 13's speed work) give the plans of the long way.

* the max-min stage's t* = 1 shown by construction (``floors_met``) is the LP's optimum;
* the LPs handed straight to HiGHS (``highs_io``) and through MathOpt agree;
* every stage's seconds are in the plan.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import allocator.optimize.highs_io as highs_io
from allocator.optimize import Demand, OptimizeParams, optimize
from allocator.optimize.constants import ObjectiveMode, SolveResult, Termination
from allocator.optimize.floor_stage import floors_met
from allocator.optimize.model import build_model
from allocator.optimize.objective import floor_level_objective
from allocator.optimize.solvers import SolveOptions, SolverBackend, get_backend

FAIR = OptimizeParams(
    budget_total=3e10,
    floor_tier1=0.1,
    worker_cost=1.8e8,
    quota_band=0.2,
    workers_agency={"relief_committee": 40.0},
)


def _stage_lp_optimum(demand: Demand, params: OptimizeParams) -> float:
    lp = build_model(demand, params).program.relaxed()
    res = get_backend("highs").solve(lp.with_objective(floor_level_objective(lp)), SolveOptions())
    assert res.termination is Termination.OPTIMAL
    return float(res.values[lp.var_blocks["floor_level"]][0])


@pytest.mark.parametrize("budget", [3e10, 1e9, 1e7])
def test_floors_met_by_construction_only_when_the_lp_says_one(
    small_demand: Demand, budget: float
) -> None:
    """Where the constructed point shows t* = 1, the stage's LP finds 1; where the LP finds
    less, the construction never claims 1 (it may miss a 1 the LP finds: then the LP runs)."""
    params = replace(FAIR, budget_total=budget, objective=ObjectiveMode.LINEAR)
    model = build_model(small_demand, params)
    optimum = _stage_lp_optimum(small_demand, params)
    if floors_met(model):
        assert optimum == pytest.approx(1.0, abs=1e-7)
    else:
        assert budget < 3e10, "the generous budget should meet every floor by construction"
    if optimum < 1 - 1e-6:
        assert not floors_met(model)


def test_tight_budget_still_solves_the_max_min_stage(small_demand: Demand) -> None:
    plan = optimize(small_demand, replace(FAIR, budget_total=1e7))
    assert plan.floor_level is not None and plan.floor_level < 1 - 1e-6
    assert plan.stage_seconds["floor_level"] >= 0


def test_every_stage_has_its_seconds(small_demand: Demand) -> None:
    plan = optimize(small_demand, replace(FAIR, polish=True, relative_gap=1e-12))
    assert plan.floor_level == pytest.approx(1.0, abs=1e-6)
    assert {"floor_level", "build", "relaxation", "rounding", "report"} <= set(plan.stage_seconds)
    assert all(v >= 0 for v in plan.stage_seconds.values())


@pytest.mark.skipif(not highs_io.available(), reason="highspy not installed")
def test_highspy_and_mathopt_give_the_same_plan(
    medium_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The direct HiGHS path and the MathOpt path (used without highspy) agree: objective,
    status, LP bound, and the relaxation's duals (the shadow prices)."""
    params = replace(FAIR, budget_total=2e11, workers_agency={"relief_committee": 400.0})
    direct = optimize(medium_demand, params)
    monkeypatch.setattr(highs_io, "available", lambda: False)
    calls: list[int] = []
    real = SolverBackend.solve

    def counted(self, lp, options, warm=None):  # type: ignore[no-untyped-def]
        calls.append(lp.n_vars)
        out: SolveResult = real(self, lp, options, warm)
        return out

    monkeypatch.setattr(SolverBackend, "solve", counted)
    through = optimize(medium_demand, params)
    assert calls, "the MathOpt path did not run"
    assert direct.status == through.status
    assert direct.termination == through.termination
    assert direct.objective == pytest.approx(through.objective, rel=1e-7)
    assert direct.lp_bound == pytest.approx(through.lp_bound, rel=1e-7)
    budget = "budget"
    assert direct.shadow_prices.lookup(budget) == pytest.approx(
        through.shadow_prices.lookup(budget), rel=1e-5, abs=1e-9
    )


@pytest.mark.skipif(not highs_io.available(), reason="highspy not installed")
def test_highspy_reports_infeasible_and_warm_starts(small_demand: Demand) -> None:
    model = build_model(small_demand, replace(FAIR, floor_tier1=0.0))
    lp = model.program.relaxed()
    first = highs_io.solve(lp, 60.0)
    assert first.termination is Termination.OPTIMAL and first.basis is not None
    w = np.floor(first.values[lp.var_blocks["w"]])
    fixed = lp.with_bounds("w", w, w)
    cold, warm = highs_io.solve(fixed, 60.0), highs_io.solve(fixed, 60.0, warm=first.basis)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    bad = replace(lp, row_ub=np.where(np.isfinite(lp.row_ub), -1.0, lp.row_ub))
    bad = replace(bad, lb=np.zeros_like(bad.lb))
    assert highs_io.solve(bad, 60.0).termination is Termination.INFEASIBLE


@pytest.mark.skipif(not highs_io.available(), reason="highspy not installed")
def test_a_barrier_lp_goes_to_highspy_with_a_basis_and_restarts_by_simplex(
    small_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LPs past ``BARRIER_FROM_VARS`` are solved by HiGHS's interior point with crossover
    straight through highspy (not MathOpt): the optimum the simplex finds, a basis, and
    basic duals; given that basis, the LP is re-solved by the dual simplex from it."""
    model = build_model(small_demand, replace(FAIR, floor_tier1=0.0))
    lp = model.program.relaxed()
    backend = get_backend("highs")
    simplex = backend.solve(lp, SolveOptions(lp_algorithm="simplex"))
    options: list[dict[str, object]] = []
    real = highs_io.solve

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        options.append(dict(args[5]) if len(args) > 5 else {})
        return real(*args, **kwargs)

    monkeypatch.setattr(highs_io, "solve", recorded)
    monkeypatch.setattr(SolverBackend, "solve", lambda *a, **k: pytest.fail("went to MathOpt"))
    barrier = backend.solve(lp, SolveOptions(lp_algorithm="barrier"))
    assert options[-1].get("solver") == "ipm"
    assert barrier.termination is Termination.OPTIMAL and barrier.basis is not None
    assert barrier.objective == pytest.approx(simplex.objective, rel=1e-9)
    # basic duals: the dual bound of the crossover's duals is the optimum
    assert lp.dual_bound(barrier.duals) == pytest.approx(simplex.objective, rel=1e-7)
    again = backend.solve(lp, SolveOptions(lp_algorithm="barrier"), warm=barrier.basis)
    assert "solver" not in options[-1]
    assert again.objective == pytest.approx(simplex.objective, rel=1e-9)
