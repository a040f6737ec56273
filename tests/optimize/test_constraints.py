"""Every constraint, recomputed from the written outputs of small and medium plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from allocator.optimize import Demand, Plan, optimize, write_plan
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import slot_capacity

from .builders import scaled_params

TOL = 1e-5


def check_outputs(plan: Plan, demand: Demand, params: OptimizeParams, out: Path) -> None:
    """Recompute every hard constraint from allocation.parquet / neighborhoods.parquet."""
    write_plan(plan, demand, out)
    alloc = pq.read_table(out / "allocation.parquet").to_pydict()
    nb = pq.read_table(out / "neighborhoods.parquet").to_pydict()
    served = np.array(alloc["served"])
    dem = np.array(alloc["demand"])
    cost = np.array(alloc["unit_cost"])
    # bounds
    assert (served >= -TOL).all() and (served <= dem + TOL).all()
    # integer workers and caseload, per staff cell (neighborhood, employing agency)
    wk = pq.read_table(out / "workers.parquet").to_pydict()
    workers = np.array(wk["workers"])
    if params.method != "lp":
        assert np.allclose(workers, np.round(workers))
    assert (np.array(wk["case_files_served"]) <= params.caseload * workers + TOL).all()
    assert np.isclose(np.array(nb["workers"]).sum(), workers.sum())
    # worker pools: booked to the agency that employs the workers
    for agency, pool in params.workers_agency.items():
        assert workers[np.array(wk["agency"]) == agency].sum() <= pool + TOL
    for province, pool in params.workers_province.items():
        assert workers[np.array(wk["province"]) == province].sum() <= pool + TOL
    # budgets: services plus worker salaries of the employing agency
    spent = served * cost
    wages = np.array(wk["worker_cost_toman"])
    assert params.budget_total is not None
    assert spent.sum() + wages.sum() <= params.budget_total * (1 + 1e-9) + 1
    for agency, budget in params.budget_agency.items():
        mine = spent[np.array(alloc["agency"]) == agency].sum()
        mine += wages[np.array(wk["agency"]) == agency].sum()
        assert mine <= budget * (1 + 1e-9) + 1
    assert np.isclose(np.array(nb["budget_spent"]).sum(), spent.sum())
    # slots
    cap = slot_capacity(demand, params.slots, _files(demand))
    pos = np.searchsorted(demand.neighborhood_id, np.array(alloc["neighborhood_id"]))
    sid = np.array([demand.service_ids.index(s) for s in alloc["service_id"]])
    used = np.zeros(cap.shape)
    np.add.at(used, (pos, sid), served)
    assert (used <= cap + TOL).all()
    # reasons exactly on the short rows
    short = served < dem - 1e-6 * np.maximum(1, dem)
    reasons = np.array([r or "" for r in alloc["binding_reason"]], dtype=object)
    assert (reasons[short] != "").all() and (reasons[~short] == "").all()
    # the floor: every neighborhood short of it is in the slack report
    floor_short = params.floor_tier1 * np.array(nb["need_tier1"]) - np.array(nb["met_tier1"])
    reported = {s.key for s in plan.slack if s.constraint == "floor"}
    for nid, gap in zip(nb["neighborhood_id"], floor_short, strict=True):
        assert (gap <= 1e-4 * max(1.0, params.floor_tier1)) or f"neighborhood {nid}" in reported


def _files(demand: Demand) -> np.ndarray:
    return np.bincount(demand.row_neighborhood, demand.case_files, demand.n_neighborhoods)


@pytest.mark.parametrize("method", ["lp", "fast", "mip"])
def test_small_plan_respects_every_constraint(small_demand, method, tmp_path):
    params = scaled_params(small_demand.n_neighborhoods, method=method, time_limit_s=20)
    plan = optimize(small_demand, params)
    assert plan.ok, plan.messages
    check_outputs(plan, small_demand, params, tmp_path)


@pytest.mark.parametrize("method", ["fast", "lp"])
def test_medium_plan_respects_every_constraint(medium_demand, method, tmp_path):
    params = scaled_params(medium_demand.n_neighborhoods, method=method)
    plan = optimize(medium_demand, params)
    assert plan.ok, plan.messages
    assert plan.relative_gap < 0.01
    check_outputs(plan, medium_demand, params, tmp_path)


def test_fast_path_is_close_to_the_lp_bound(medium_demand):
    plan = optimize(medium_demand, scaled_params(medium_demand.n_neighborhoods))
    assert plan.objective <= plan.lp_bound * (1 + 1e-9)
    assert plan.relative_gap == pytest.approx((plan.lp_bound - plan.objective) / plan.lp_bound)


def test_quotas_hold_within_the_band(medium_demand):
    params = scaled_params(medium_demand.n_neighborhoods, floor_tier1=0.0)
    plan = optimize(medium_demand, params)
    quota_items = [s for s in plan.slack if s.constraint.startswith("quota")]
    assert quota_items == []
    d = plan.demand
    files = np.bincount(d.province, _files(d), len(d.provinces))
    share = files / files.sum()
    by_p = np.bincount(d.row_province, plan.served * d.unit_cost[d.row_service], len(d.provinces))
    spent_share = by_p / by_p.sum()
    assert (spent_share <= 1.2 * share + 1e-6).all() and (spent_share >= 0.8 * share - 1e-6).all()
