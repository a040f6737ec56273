"""The LP relaxation province by province: a feasible plan, and a bound that holds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from allocator.optimize import Demand, decompose, optimize, synthetic_demand
from allocator.optimize.bounds import lagrangian_pass, priced_costs, total_ceilings
from allocator.optimize.constants import Method
from allocator.optimize.decompose import Decomposed, decomposed_relaxation
from allocator.optimize.lp import LinearProgram
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.provinces import ProvinceIndex, province_program
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.split import partition_of
from allocator.optimize.variables import Fixings

from .builders import scaled_params
from .test_constraints import check_outputs


@pytest.fixture(scope="module")
def larger_demand() -> Demand:
    return synthetic_demand(300, n_services=22, seed=3)


@pytest.mark.parametrize(
    ("quota_band", "floor", "every"), [(0.2, 0.1, 1), (None, 0.0, 1), (0.2, 0.1, 3), (0.1, 0.3, 7)]
)
def test_bound_holds_and_the_solution_is_feasible(
    larger_demand: Demand, quota_band: float | None, floor: float, every: int
) -> None:
    params = scaled_params(larger_demand.n_neighborhoods, quota_band=quota_band, floor_tier1=floor)
    model = build_model(larger_demand, params, Fixings(floor_level=0.0))
    found, exact = check_split(model, every)
    scale = abs(exact)
    # the provinces re-solved with the shared rows priced (a Lagrangian bound) and the
    # totals' range capped by the budget and pools: within a few percent (it was 60-160%)
    assert (found.bound - exact) / scale < 0.05
    if every == 1:
        # the bound is certified but not tight: since workers are per (neighborhood,
        # employing agency), the provinces' duals of the agency pools are degenerate
        assert (found.bound - found.objective) / scale < 1e-2


def check_split(model: OptimizationModel, every: int) -> tuple[Decomposed, float]:
    """The province split of ``model``'s relaxation, checked against the whole one: a plan
    no better than the optimum (equal to it when the sample is the whole model), a bound no
    lower, and every row and bound of the whole relaxation kept. Returns the split and the
    whole relaxation's optimum."""
    lp = model.program.relaxed()
    exact = get_backend("highs").solve(lp, SolveOptions())
    found = decomposed_relaxation(model, SolveOptions(), sample_every=every)
    scale = abs(exact.objective)
    assert found.objective <= exact.objective + 1e-9 * scale
    assert found.bound >= exact.objective - 1e-9 * scale
    if every == 1:  # the sample is the whole model: its split is the optimal one
        assert abs(found.objective - exact.objective) < 1e-6 * scale
    # the joined solution satisfies every row and bound of the whole relaxation
    activity = lp.row_activity(found.values)
    tol = 1e-6 * np.maximum(1.0, np.abs(activity))
    assert np.all(activity >= lp.row_lb - tol) and np.all(activity <= lp.row_ub + tol)
    assert np.all(found.values >= lp.lb - 1e-9) and np.all(found.values <= lp.ub + 1e-6)
    return found, float(exact.objective)


@pytest.mark.parametrize("every", [3, 7])
def test_each_province_gets_what_its_entitled_demand_needs_first(
    larger_demand: Demand, every: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Home visits served in full need workers in every province; the sample's shares of
    # the pools and budgets follow what its neighborhoods used, so some provinces got less
    # than their entitled demand needs and their LPs were infeasible (national-2020: 15
    # of 31, and the run fell back to the whole relaxation).
    demand = larger_demand.with_entitlements(["home_visit"])
    params = scaled_params(demand.n_neighborhoods, quota_band=0.2, floor_tier1=0.1)
    model = build_model(demand, params, Fixings(floor_level=0.0))
    check_split(model, every)
    monkeypatch.setattr(decompose, "reserve", lambda shares, *_: shares)
    with pytest.raises(RuntimeError, match="infeasible"):
        decomposed_relaxation(model, SolveOptions(), sample_every=every)


def test_rounds_of_the_master_move_the_shares_towards_the_optimum(larger_demand: Demand) -> None:
    """With a sample of every 7th neighborhood, the provinces' shares are off; rounds of
    the master program over their plans (coordinate.py) give a better plan that still
    keeps every row, and a bound that still holds."""
    params = scaled_params(larger_demand.n_neighborhoods, quota_band=0.2, floor_tier1=0.1)
    kept = build_model(larger_demand, params, Fixings(floor_level=0.0))
    moved = build_model(
        larger_demand, dataclasses.replace(params, coordination_rounds=6), Fixings(floor_level=0.0)
    )
    alone, exact = check_split(kept, 7)
    mixed, _ = check_split(moved, 7)
    assert alone.rounds == 0 and mixed.rounds >= 3
    scale = abs(exact)
    assert mixed.objective > alone.objective + 1e-4 * scale
    assert (exact - mixed.objective) < 0.1 * (exact - alone.objective)  # 12.8% -> 0.25%


def test_the_sample_totals_stay_within_what_the_budget_and_pools_allow(
    larger_demand: Demand,
) -> None:
    # Entitled pensions and a sample of every 7th neighborhood: the sample's totals scaled
    # up were 11,130 workers and 4.5e7 of spending against ceilings of 2,095 and 3.0e6; the
    # bound was 89 times the optimum and the plan 7.7% below it.
    demand = larger_demand.with_entitlements(["continuous_pension"])
    params = scaled_params(demand.n_neighborhoods, quota_band=0.2, floor_tier1=0.1)
    model = build_model(demand, params, Fixings(floor_level=0.0))
    found, exact = check_split(model, 7)
    assert (found.bound - exact) / abs(exact) < 0.01
    assert (exact - found.objective) / abs(exact) < 0.01


def test_dual_bound_is_weak_duality() -> None:
    model = build_model(synthetic_demand(40, 22, seed=2), scaled_params(40))
    lp = model.program.relaxed()
    exact = get_backend("highs").solve(lp, SolveOptions())
    assert lp.dual_bound(exact.duals) == pytest.approx(exact.objective, rel=1e-9)
    rng = np.random.default_rng(0)
    for _ in range(5):  # any prices bound the optimum from above
        prices = exact.duals * rng.uniform(0.0, 2.0, exact.duals.size)
        assert lp.dual_bound(prices) >= exact.objective * (1 - 1e-12)


def test_dual_bounds_with_moving_rows_are_the_dual_bound() -> None:
    """Summing the fixed rows' and columns' terms once gives :meth:`dual_bound` itself for
    any prices that differ only on the moving rows (including prices at zero, and
    inside the tolerance)."""
    lp = build_model(synthetic_demand(40, 22, seed=2), scaled_params(40)).program.relaxed()
    exact = get_backend("highs").solve(lp, SolveOptions())
    rng = np.random.default_rng(1)
    moving = rng.uniform(size=lp.n_rows) < 0.2
    bound = lp.dual_bounds(exact.duals, moving)
    for scale in (1.0, 0.0, 0.5, 2.0, 1e-12):
        y = exact.duals.copy()
        y[moving] = exact.duals[moving] * scale + rng.uniform(0, 1e-3, moving.sum()) * (scale != 1)
        assert bound(y) == pytest.approx(lp.dual_bound(y), rel=1e-12, abs=1e-9)


def test_every_column_and_row_has_its_province(larger_demand: Demand) -> None:
    model = build_model(
        larger_demand, scaled_params(larger_demand.n_neighborhoods), Fixings(floor_level=0.0)
    )
    part = partition_of(model)
    lp = model.program
    blocks = {name for name, b in lp.row_blocks.items() if b.start in part.shared_rows}
    assert blocks <= {"budget", "agency_budget", "worker_pool_agency", "worker_pool_total"}
    assert set(part.column_group[lp.var_blocks["x"]]) == set(model.sets.row_p)
    assert part.global_cols.size == 2  # workers_total, spend_total (quotas are on)


def test_fast_path_plan_by_province_meets_every_constraint(
    larger_demand: Demand, tmp_path: Path
) -> None:
    params = dataclasses.replace(
        scaled_params(larger_demand.n_neighborhoods), decompose=True, polish=False
    )
    plan = optimize(larger_demand, params)
    assert plan.ok, plan.messages
    assert any("province by province" in m for m in plan.messages)
    whole = optimize(larger_demand, dataclasses.replace(params, decompose=False))
    assert plan.lp_bound >= whole.lp_bound * (1 - 1e-9)
    assert plan.objective <= plan.lp_bound
    check_outputs(plan, larger_demand, params, tmp_path)


def test_the_fast_path_decomposes_large_models_only(
    larger_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    import allocator.optimize.solve as solve

    params = scaled_params(larger_demand.n_neighborhoods)
    assert not any("province" in m for m in optimize(larger_demand, params).messages)
    monkeypatch.setattr(solve, "DECOMPOSE_FROM_VARS", 1_000)  # "large" for this test
    fast = optimize(larger_demand, params)
    assert any("province by province" in m for m in fast.messages)
    lp = optimize(larger_demand, dataclasses.replace(params, method=Method.LP))
    assert not any("province" in m for m in lp.messages)


def test_the_lagrangian_bound_at_the_optimal_prices_is_the_optimum(larger_demand: Demand) -> None:
    params = scaled_params(larger_demand.n_neighborhoods, quota_band=None, floor_tier1=0.1)
    model = build_model(larger_demand, params, Fixings(floor_level=0.0))
    lp = model.program.relaxed()
    part = partition_of(model)
    exact = get_backend("highs").solve(lp, SolveOptions())
    index = ProvinceIndex.of(lp, part)
    totals = exact.values[part.global_cols]
    ceilings = total_ceilings(lp, part, index)
    at_optimum = lagrangian_pass(
        lp, part, index, totals, exact.duals[part.shared_rows], SolveOptions(), ceilings
    ).bound
    scale = abs(exact.objective)
    assert exact.objective - 1e-7 * scale <= at_optimum <= exact.objective + 1e-4 * scale
    # any other prices give a bound too, never below the optimum
    for factor in (0.0, 0.5, 2.0):
        other = exact.duals[part.shared_rows] * factor
        found = lagrangian_pass(lp, part, index, totals, other, SolveOptions(), ceilings)
        assert found.bound >= exact.objective - 1e-7 * scale


def test_the_lagrangian_pass_starts_from_the_first_pass_bases(
    larger_demand: Demand, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each province's second solve starts from its basis of the first, and the bound is
    the one a cold pass gives."""
    from allocator.optimize import bounds, coordinate, provinces

    params = scaled_params(larger_demand.n_neighborhoods, quota_band=0.2, floor_tier1=0.1)
    model = build_model(larger_demand, params, Fixings(floor_level=0.0))
    seen: dict[str, object] = {}
    starts: list[object | None] = []
    solve_one = provinces.solve_one

    def recording(lp: object, opts: SolveOptions, warm: object | None = None) -> object:
        starts.append(warm)
        return solve_one(lp, opts, warm)  # type: ignore[arg-type]

    def both(*args: object, bases: dict[int, object] | None = None) -> bounds.LagrangianPass:
        assert bases is not None
        first = "provinces" not in seen  # later rounds start from the last round's bases
        if first:
            seen["provinces"] = len(bases)
            seen["all given"] = all(b is not None for b in bases.values())
        starts.clear()
        warm = bounds.lagrangian_pass(*args, bases=dict(bases))  # type: ignore[arg-type]
        if first:
            seen["warm starts"] = sum(s is not None for s in starts)
            seen["warm"] = warm.bound
            seen["cold"] = bounds.lagrangian_pass(*args).bound  # type: ignore[arg-type]
        return warm

    monkeypatch.setattr(provinces, "solve_one", recording)
    monkeypatch.setattr(
        coordinate,
        "lagrangian_pass",
        lambda lp, part, index, totals, prices, opts, ceilings, bases: both(
            lp, part, index, totals, prices, opts, ceilings, bases=bases
        ),
    )
    found = decomposed_relaxation(model, SolveOptions(), sample_every=3)
    n = partition_of(model).n_groups
    assert seen["provinces"] == n and seen["all given"] and seen["warm starts"] == n
    warm, cold = float(seen["warm"]), float(seen["cold"])  # type: ignore[arg-type]
    assert abs(warm - cold) <= 1e-7 * abs(cold)
    assert found.bound <= warm


def test_each_province_prices_its_columns_as_the_whole_program_does(
    larger_demand: Demand,
) -> None:
    """The Lagrangian pass prices a province's columns on the shared rows from its own
    program (no array as long as the whole program is held): the same costs as the whole
    program's, for every province; the index per non-zero takes two bytes, not eight."""
    model = build_model(
        larger_demand, scaled_params(larger_demand.n_neighborhoods), Fixings(floor_level=0.0)
    )
    lp = model.program.relaxed()
    part = partition_of(model)
    index = ProvinceIndex.of(lp, part)
    assert index.nnz_group.itemsize == 2
    lam = np.random.default_rng(3).uniform(0.0, 5.0, part.shared_rows.size)
    whole = np.zeros(lp.n_vars)
    for k, row in enumerate(part.shared_rows):
        on = lp.rows == row
        np.add.at(whole, lp.cols[on], lam[k] * lp.vals[on])
    free = np.full(part.shared_rows.size, np.inf)
    totals = np.zeros(part.global_cols.size)
    for p in range(part.n_groups):
        program, cols, rows, _ = province_program(lp, part, index, p, free, totals)
        np.testing.assert_allclose(priced_costs(program, rows.size, lam), whole[cols], rtol=1e-12)


def test_the_totals_are_capped_by_the_budget_and_the_pools(larger_demand: Demand) -> None:
    params = scaled_params(larger_demand.n_neighborhoods)
    model = build_model(larger_demand, params, Fixings(floor_level=0.0))
    lp = model.program.relaxed()
    part = partition_of(model)
    high = total_ceilings(lp, part, ProvinceIndex.of(lp, part))
    names = [n for n in ("workers_total", "spend_total") if n in lp.var_blocks]
    ceiling = dict(zip(names, high, strict=True))
    assert np.all(high <= part.total_max)
    assert ceiling["workers_total"] <= sum(params.workers_agency.values()) + 1e-6
    budget = lp.row_ub[lp.row_blocks["budget"].start]
    assert ceiling["spend_total"] <= budget * (1 + 1e-9)


def rounded_split(
    demand: Demand, every: int
) -> tuple[OptimizationModel, Decomposed, np.ndarray, LinearProgram]:
    """``demand``'s model with national-2020's resources scaled (floors met), its split
    relaxation (a sample of every ``every``-th neighborhood), its workers rounded and the
    relaxation with them fixed: what a decomposed plan's polish starts from."""
    from allocator.optimize.rounding import round_workers

    params = scaled_params(demand.n_neighborhoods)
    model = build_model(demand, params, Fixings(floor_level=0.999))
    found = decomposed_relaxation(model, SolveOptions(), sample_every=every)
    vb = model.program.var_blocks
    w = round_workers(model, found.values[vb["x"]], found.values[vb["w"]])
    return model, found, w, model.program.relaxed().with_bounds("w", w, w)


def test_the_polish_by_province_keeps_every_row_and_nears_the_whole_polish(
    larger_demand: Demand,
) -> None:
    from allocator.optimize.floor_stage import satisfies_hard_rows
    from allocator.optimize.province_polish import polish_by_province

    model, found, w, fixed = rounded_split(larger_demand, 3)
    vb = model.program.var_blocks
    values, why = polish_by_province(model, fixed, found.values, SolveOptions())
    assert values is not None, why
    assert satisfies_hard_rows(model.program, values)
    assert np.array_equal(values[vb["w"]], w)
    whole = get_backend("highs").solve(fixed, SolveOptions())
    objective = float(model.program.obj @ values)
    # each province keeps its share: no better than the whole polish, and not far below
    assert objective <= whole.objective * (1 + 1e-9)
    assert objective >= whole.objective * 0.97


def test_rounds_of_the_master_bring_the_polish_by_province_nearer_the_whole_polish(
    larger_demand: Demand,
) -> None:
    from allocator.optimize.floor_stage import satisfies_hard_rows
    from allocator.optimize.province_polish import polish_by_province

    model, found, w, fixed = rounded_split(larger_demand, 7)
    vb = model.program.var_blocks
    whole = get_backend("highs").solve(fixed, SolveOptions()).objective
    kept, _ = polish_by_province(model, fixed, found.values, SolveOptions())
    moving = build_model(
        larger_demand,
        dataclasses.replace(model.params, coordination_rounds=6),
        Fixings(floor_level=0.999),
    )
    moved, why = polish_by_province(moving, fixed, found.values, SolveOptions())
    assert kept is not None and moved is not None, why
    assert satisfies_hard_rows(model.program, moved)
    assert np.array_equal(moved[vb["w"]], w)
    before, after = (float(model.program.obj @ v) for v in (kept, moved))
    assert after <= whole * (1 + 1e-9)
    assert whole - after < 0.05 * (whole - before)  # 0.77% below the whole polish -> 0.004%


def test_the_provinces_are_solved_again_at_the_totals_their_joined_plan_reaches(
    larger_demand: Demand,
) -> None:
    """The polish by province starts from the relaxation's totals with the workers
    rounded, not those its plan reaches; a province planned at its quota band's edge is
    then judged against another band. ``TotalParts`` gives the joined plan's totals as
    ``complete_values`` does, and ``at_reached_totals`` solves until they agree."""
    from allocator.optimize.province_passes import TotalParts, at_reached_totals, province_pass
    from allocator.optimize.province_polish import _shares
    from allocator.optimize.rounding import complete_values

    model, found, w, fixed = rounded_split(larger_demand, 3)
    vb = model.program.var_blocks
    part = partition_of(model)
    index = ProvinceIndex.of(fixed, part)
    begin = complete_values(model, found.values[vb["x"]], w, None)
    shares, totals = _shares(fixed, part, begin), begin[part.global_cols]
    assert not isinstance(shares, str)
    done = province_pass(fixed, part, index, shares, totals, SolveOptions())
    parts = TotalParts.of(fixed, part)

    def joined(plans: object) -> np.ndarray:
        values = np.zeros(fixed.n_vars)
        for p, cols in enumerate(done.columns):
            values[cols] = plans[p].values  # type: ignore[index]
        return complete_values(model, values[vb["x"]], w, None)[part.global_cols]

    assert np.allclose(parts.reached(done.plans), joined(done.plans), rtol=1e-9)
    assert not np.allclose(parts.reached(done.plans), totals, rtol=1e-9, atol=1e-6)
    again, reached = at_reached_totals(fixed, part, index, done, shares, totals, SolveOptions())
    assert np.allclose(parts.reached(again.plans), reached, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("rounds", [0, 2])
def test_a_decomposed_plan_is_polished_province_by_province(
    larger_demand: Demand, tmp_path: Path, rounds: int
) -> None:
    params = dataclasses.replace(
        scaled_params(larger_demand.n_neighborhoods),
        decompose=True,
        polish=True,
        coordination_rounds=rounds,
    )
    plan = optimize(larger_demand, params)
    assert plan.ok, plan.messages
    said = " | ".join(plan.messages)
    assert "polished province by province" in said
    # the plan says whether the shares stayed as the sample gave them or were moved
    assert ("rounds of a master program" in said) == (rounds > 0), said
    assert ("pools fixed" in said) == (rounds == 0), said
    assert plan.objective <= plan.lp_bound
    check_outputs(plan, larger_demand, params, tmp_path)


def test_a_plan_that_breaks_a_hard_row_is_not_ok() -> None:
    from allocator.optimize.floor_stage import broken_rows
    from allocator.optimize.report import make_plan

    model = build_model(synthetic_demand(40, 22, seed=2), scaled_params(40))
    lp = model.program.relaxed()
    res = get_backend("highs").solve(lp, SolveOptions())
    assert broken_rows(model.program, res.values) == ""
    over = res.values.copy()
    over[lp.var_blocks["w"]] += 1e6  # a million workers more than any pool holds
    assert "worker_pool" in broken_rows(model.program, over)
    args = (res.duals, res.objective, res.objective, None, 0.0, 0.0, [])
    assert make_plan(model, res, res.values, *args).status.value == "ok"
    plan = make_plan(model, res, over, *args)
    assert plan.status.value == "warning"
    assert any("breaks a hard constraint" in m and "worker_pool" in m for m in plan.messages)


def test_a_definition_row_is_checked_to_the_size_of_its_terms() -> None:
    from allocator.optimize.floor_stage import broken_rows, satisfies_hard_rows
    from allocator.optimize.lp import LinearProgram

    n = 60_000  # spend of 60,000 cells, and their total: sum - total = 0
    lp = LinearProgram(
        lb=np.zeros(n + 1), ub=np.full(n + 1, np.inf), obj=np.zeros(n + 1),
        integer=np.zeros(n + 1, dtype=np.bool_), row_lb=np.zeros(1), row_ub=np.zeros(1),
        rows=np.zeros(n + 1, dtype=np.int64), cols=np.arange(n + 1, dtype=np.int64),
        vals=np.r_[np.ones(n), -1.0], var_blocks={"spend": slice(0, n), "total": slice(n, n + 1)},
        row_blocks={"spend_total_def": slice(0, 1)},
    )  # fmt: skip
    spend = np.random.default_rng(0).uniform(1e4, 2e4, n)
    rounded = np.r_[spend, spend.sum() + 1e-6]  # the sum's rounding, far below its terms
    assert satisfies_hard_rows(lp, rounded) and broken_rows(lp, rounded) == ""
    wrong = np.r_[spend, spend.sum() * (1 + 1e-5)]
    assert not satisfies_hard_rows(lp, wrong)
    assert broken_rows(lp, wrong) == "1 spend_total_def row"
