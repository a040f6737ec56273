"""The fast path's polish (re-solve with whole workers fixed) never makes a plan worse."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import allocator.optimize.solve as solve_module
from allocator.optimize import Demand, OptimizeParams, optimize
from allocator.optimize.constants import Termination


def test_a_polish_stopped_early_keeps_the_better_rounded_plan(
    small_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A polish that stops at its time limit with a worse plan (here: nothing served) must
    not replace the feasible rounded plan; the run says so."""
    params = OptimizeParams(method="fast", polish=True, relative_gap=1e-12, worker_cost=0.0)
    real = solve_module._run
    calls: list[int] = []

    def stopped_polish(lp, model, backend, opts, warm=None):  # type: ignore[no-untyped-def]
        out = real(lp, model, backend, opts, warm)
        calls.append(lp.n_vars)
        if len(calls) == 1:  # the LP relaxation
            return out
        nothing = np.zeros_like(out.values)
        result = replace(
            out.result,
            termination=Termination.TIME_LIMIT,
            objective=float(model.program.obj @ nothing),
        )
        return solve_module.Outcome(result, nothing, out.duals, [])

    monkeypatch.setattr(solve_module, "_run", stopped_polish)
    plan = optimize(small_demand, params)
    assert len(calls) == 2, "the polish did not run: the instance no longer tests it"
    assert plan.served.sum() > 0
    assert plan.objective > 0
    assert any("rounded plan is kept" in m for m in plan.messages)


def _salaries_over_budget(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers rounded 1,000 above the LP's (salaries no budget can pay); returns the list
    the number of variables of every LP solved is appended to."""
    real_round, real_run = solve_module.round_workers, solve_module._run
    calls: list[int] = []

    def counted_run(lp, model, backend, opts, warm=None):  # type: ignore[no-untyped-def]
        calls.append(lp.n_vars)
        return real_run(lp, model, backend, opts, warm)

    def far_up(model, x, w):  # type: ignore[no-untyped-def]
        return real_round(model, x, w) + 1_000.0

    monkeypatch.setattr(solve_module, "round_workers", far_up)
    monkeypatch.setattr(solve_module, "_run", counted_run)
    return calls


def test_without_a_polish_salaries_over_budget_round_the_workers_down(
    small_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the workers rounded up break a budget and the plan is not polished (too large,
    or ``polish=False``), the LP's workers rounded down are used: the plan stays within
    every budget and no whole-model LP is solved again."""
    params = OptimizeParams(method="fast", polish=False, worker_cost=1.8e8, budget_total=2e11)
    calls = _salaries_over_budget(monkeypatch)
    plan = optimize(small_demand, params)
    assert any("worker counts rounded down" in m for m in plan.messages), plan.messages
    assert len(calls) == 1, "a polish ran"
    assert plan.ok and plan.served.sum() > 0
    assert plan.budget_used["total"] <= 2e11 * (1 + 1e-7)


def test_a_rounded_plan_over_budget_is_polished_even_when_it_looks_optimal(
    small_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rounded plan that breaks a hard row is never kept for its value, however close to
    the bound it scores (it scores high *because* it spends more than the budget)."""
    params = OptimizeParams(
        method="fast", polish=True, relative_gap=0.99, worker_cost=1.8e8, budget_total=2e11
    )
    calls = _salaries_over_budget(monkeypatch)
    plan = optimize(small_demand, params)
    assert len(calls) >= 2, "the infeasible rounded plan was kept without a polish"
    assert plan.budget_used["total"] <= 2e11 * (1 + 1e-7)
