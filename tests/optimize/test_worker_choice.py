"""Whole workers chosen by their worth at the LP's prices (``worker_choice.py``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from allocator.optimize import Demand, OptimizeParams, optimize
from allocator.optimize.model import build_model
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.worker_choice import choose_workers, worker_options

from .builders import scaled_params, two_neighborhoods

WAGE = 1.8e8  # toman per worker-year, as the scenarios


def small_cell() -> Demand:
    """Neighborhood 1 (Tehran): 300 tier-1 households of a visit, 300 case files (two
    workers at 150 files each). Neighborhood 2 (Fars): 30 of them, 30 case files: a fifth
    of a worker, which rounding to the nearest worker hires no one for."""
    return two_neighborhoods([(1, "visit", 1, 300, 300), (2, "visit", 1, 30, 30)], {"visit": 1e6})


def test_a_fifth_of_a_caseload_keeps_its_worker() -> None:
    """Hand-solved: the budget (1,000 billion toman) pays for every visit and three
    workers, so the optimum serves all 330 households with workers (2, 1). The nearest
    whole worker per cell is (2, 0): neighborhood 2's 30 households lose their worker and
    are not served."""
    params = OptimizeParams(
        method="fast", worker_cost=WAGE, budget_total=1e12, polish=True, worker_rounding="priced"
    )
    plan = optimize(small_cell(), params)
    assert plan.ok
    assert plan.workers.tolist() == [2.0, 1.0]
    assert plan.served.tolist() == pytest.approx([300.0, 30.0], abs=1e-6)
    before = optimize(small_cell(), replace(params, worker_rounding="nearest"))
    assert before.workers.tolist() == [2.0, 0.0]
    assert before.served.tolist() == pytest.approx([300.0, 0.0], abs=1e-6)
    assert plan.objective > before.objective


def test_options_are_consecutive_and_concave(small_demand: Demand) -> None:
    """Every staff cell has consecutive whole counts around the LP's, with gains that fall
    from step to step (what the MIP's steps need), and the LP's own count is no option
    better than the LP (a gain is a change against the relaxation's optimum)."""
    params = scaled_params(small_demand.n_neighborhoods, worker_cost=WAGE)
    model = build_model(small_demand, params)
    relax = model.program.relaxed()
    res = get_backend("highs").solve(relax, SolveOptions())
    opts = worker_options(model, relax, res.values, res.duals)
    assert np.unique(opts.cell).size == model.sets.n_staff
    same = opts.cell[1:] == opts.cell[:-1]
    assert np.all(np.diff(opts.count)[same] == 1)
    steps = np.diff(opts.gain)
    assert np.all(np.diff(steps)[same[1:] & same[:-1]] <= 1e-6 * (1 + np.abs(steps[1:])).max())
    chosen = choose_workers(model, opts, get_backend("highs"), SolveOptions())
    assert chosen is not None and np.all(chosen == np.round(chosen))
    assert np.all(chosen <= model.sets.w_max)


def test_priced_workers_never_score_less_than_the_nearest(medium_demand: Demand) -> None:
    """Scaled national resources (paid workers, province quotas, floors): the plan with
    the priced counts meets every quota and scores at least the nearest rounding's plan."""
    params = scaled_params(medium_demand.n_neighborhoods, worker_cost=WAGE, method="fast",
                           polish=True, worker_rounding="priced")  # fmt: skip
    plan = optimize(medium_demand, params)
    assert plan.ok
    assert not [s for s in plan.slack if s.constraint.startswith("quota_workers")]
    before = optimize(medium_demand, replace(params, worker_rounding="nearest"))
    assert plan.objective >= before.objective - 1e-9 * abs(before.objective)


def test_the_scenario_chooses_the_rounding() -> None:
    """``solver.worker_rounding`` reaches the optimizer; nearest is the default."""
    from allocator.scenarios import parse_scenario, to_params

    raw = {"name": "t", "data": {"source": "synthetic", "preset": "tiny"}}
    assert to_params(parse_scenario(raw)).worker_rounding == "nearest"
    raw["solver"] = {"worker_rounding": "priced"}
    assert to_params(parse_scenario(raw)).worker_rounding == "priced"
    with pytest.raises(ValueError):
        OptimizeParams(worker_rounding="up")
