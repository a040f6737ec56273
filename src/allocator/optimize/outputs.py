"""Writers of a plan's run directory.

``allocation.parquet``, ``neighborhoods.parquet``, ``shadow_prices.parquet`` and
``summary.json`` (:func:`summary_fields`). The lead's pipeline adds ``resolved_scenario.json``.

Examples:
    >>> import tempfile
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> d = synthetic_demand(3, 4, 0)
    >>> plan = optimize(d, OptimizeParams(budget_total=1e9))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(p.name for p in write_plan(plan, d, Path(tmp)))
    ['allocation.parquet', 'neighborhoods.parquet', 'shadow_prices.parquet', 'summary.json', \
'workers.parquet']
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from allocator.errors import DataError
from allocator.optimize.centres import centres_summary, plan_centres
from allocator.optimize.demand import Demand
from allocator.optimize.efficiency import outcome_points
from allocator.optimize.entitlements import neighborhood_workers, staff_table_columns
from allocator.optimize.outcomes import outcome_values, resolved_outcomes
from allocator.optimize.plan import Plan

ALLOCATION_FILE = "allocation.parquet"
NEIGHBORHOODS_OUT_FILE = "neighborhoods.parquet"
SHADOW_PRICES_FILE = "shadow_prices.parquet"
SUMMARY_FILE = "summary.json"
WORKERS_FILE = "workers.parquet"


def write_plan(plan: Plan, demand: Demand | None, out_dir: Path) -> list[Path]:
    """Write the four files of ``plan`` into ``out_dir`` (created); returns their paths.

    ``demand`` is the demand given to :func:`~allocator.optimize.solve.optimize` (or None);
    rows are written from ``plan.demand``, which applies the scenario's agency filter and
    unit-cost overrides to it.
    """
    if demand is not None and not np.array_equal(
        demand.neighborhood_id, plan.demand.neighborhood_id
    ):
        raise DataError("write_plan: the demand is not the one this plan was made from")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f for f in (ALLOCATION_FILE, NEIGHBORHOODS_OUT_FILE, SHADOW_PRICES_FILE)]
    pq.write_table(allocation_table(plan), paths[0])
    pq.write_table(neighborhoods_table(plan), paths[1])
    pq.write_table(shadow_prices_table(plan), paths[2])
    if plan.model is not None:
        paths.append(out_dir / WORKERS_FILE)
        pq.write_table(workers_table(plan), paths[-1])
    summary = out_dir / SUMMARY_FILE
    summary.write_text(json.dumps(summary_fields(plan), indent=2, ensure_ascii=False) + "\n")
    return [*paths, summary]


def workers_table(plan: Plan) -> pa.Table:
    """One row per staff cell (neighborhood, employing agency): files, workers, use."""
    d = plan.demand
    cols = staff_table_columns(plan.model, plan.served, plan.workers)
    n = cols.pop("neighborhood")
    a = cols.pop("agency")
    head = {
        "area": pa.array(cols.pop("area"), pa.string()),
        "neighborhood_id": pa.array(d.neighborhood_id[n], pa.int32()),
        "province": _words(d.provinces, d.province[n]),
        "custodian": _words(d.agencies, d.custodian[n]),
        "agency": _words(d.agencies, a),
        "worker_cost_toman": plan.workers * plan.params.worker_cost,
    }
    return pa.table({**head, **cols})


def allocation_table(plan: Plan) -> pa.Table:
    """One row per demand row: demand, served, unit cost and binding reason."""
    d = plan.demand
    return pa.table(
        {
            "neighborhood_id": pa.array(d.neighborhood_id[d.row_neighborhood], pa.int32()),
            "service_id": _words(d.service_ids, d.row_service),
            "tier": pa.array(d.row_tier, pa.int8()),
            "agency": _words(d.agencies, d.row_agency),
            "demand": d.units,
            "served": plan.served,
            "unit_cost": d.unit_cost[d.row_service],
            "binding_reason": pa.array(
                [r or None for r in plan.binding.tolist()], pa.string()
            ).dictionary_encode(),
            "households": d.households,
            "case_files": d.case_files,
            "unit_kind": _words(
                ("household", "member"),
                (np.array(d.service_entity)[d.row_service] == "member").astype(np.int32),
            ),
            "entitled": d.service_entitled[d.row_service],
            "outcome_value": outcome_values(d.service_ids, plan.params.outcome_values)[
                d.row_service
            ],
        }
    )


def neighborhoods_table(plan: Plan) -> pa.Table:
    """One row per neighborhood: workers, case files, money spent and need met by tier."""
    d, n = plan.demand, plan.demand.n_neighborhoods
    rn = d.row_neighborhood
    row_cf = d.row_case_files()  # one file per household (optimize/casefiles.py)
    cf_served = np.where(d.units > 0, plan.served * row_cf / d.units, 0.0)
    cols: dict[str, Any] = {
        "neighborhood_id": pa.array(d.neighborhood_id, pa.int32()),
        "province": _words(d.provinces, d.province),
        "agency": _words(d.agencies, d.custodian),
        "workers": neighborhood_workers(plan.model, plan.served, plan.workers)
        if plan.model is not None
        else np.zeros(n),
        "case_files": np.bincount(rn, weights=cf_served, minlength=n),
        "case_files_demand": np.bincount(rn, weights=row_cf, minlength=n),
        "budget_spent": np.bincount(
            rn, weights=plan.served * d.unit_cost[d.row_service], minlength=n
        ),  # services only; worker salaries are in workers.parquet
    }
    for t in (1, 2, 3, 4):
        in_t = d.row_tier == t
        cols[f"need_tier{t}"] = np.bincount(rn, weights=np.where(in_t, d.units, 0.0), minlength=n)
        cols[f"met_tier{t}"] = np.bincount(
            rn, weights=np.where(in_t, plan.served, 0.0), minlength=n
        )
    return pa.table(cols)


def shadow_prices_table(plan: Plan) -> pa.Table:
    """The shadow prices, with the per-tier conversions as ``households_tier1..4``."""
    sp = plan.shadow_prices
    cols: dict[str, Any] = {
        "constraint": pa.array(sp.constraint.tolist(), pa.string()),
        "key": pa.array(sp.key.tolist(), pa.string()),
        "neighborhood_id": pa.array(np.where(sp.neighborhood_id >= 0, sp.neighborhood_id, 0),
                                    pa.int32(), mask=sp.neighborhood_id < 0),
        "service_id": pa.array([s or None for s in sp.service_id.tolist()], pa.string()),
        "unit": pa.array(sp.unit.tolist(), pa.string()),
        "rhs": sp.rhs,
        "activity": sp.activity,
        "dual": sp.dual,
    }  # fmt: skip
    for t in range(4):
        cols[f"households_tier{t + 1}"] = sp.per_tier[:, t] if len(sp) else np.zeros(0)
    return pa.table(cols)


def summary_fields(plan: Plan) -> dict[str, Any]:
    """The fields of ``summary.json`` (JSON-ready: NaN becomes null), with a ``units`` map."""
    p = plan.params
    fields: dict[str, Any] = _clean(
        {
            "status": plan.status.value,
            "termination": plan.termination.value,
            "method": plan.method.value,
            "tier_mode": plan.tier_mode.value,
            "objective_mode": p.objective.value,
            "alpha": p.alpha,
            "segments": p.segments,
            "value_cells": "neighborhood x service x tier"
            if p.value_by_tier
            else "neighborhood x service",
            "tier_weights": list(p.tier_weights),
            "outcome_values": resolved_outcomes(plan.demand.service_ids, p.outcome_values),
            "worker_cost": p.worker_cost,
            "worker_epsilon": p.worker_epsilon,
            "caseload": p.caseload,
            "floor_tier1": p.floor_tier1,
            "floor_level": plan.floor_level,
            "solver": plan.solver,
            "lp_solver": plan.lp_solver,
            "objective": plan.objective,
            "best_bound": plan.best_bound,
            "lp_bound": plan.lp_bound,
            "relative_gap": plan.relative_gap,
            "outcome_points": outcome_points(plan),
            "build_seconds": plan.build_seconds,
            "solve_seconds": plan.solve_seconds,
            "model_size": plan.model_size,
            "stage_seconds": plan.stage_seconds,
            "need_met": [
                {
                    "tier": t.tier,
                    "demand": round(t.demand),
                    "served": round(t.served),
                    "share": t.share,
                    "discretionary_demand": round(t.discretionary_demand),
                    "discretionary_served": round(t.discretionary_served),
                    "discretionary_share": t.discretionary_share,
                }
                for t in plan.need_met
            ],
            "need_met_by_service": _by_service(plan),
            "workers": {"available": plan.workers_available, "used": plan.workers_used},
            "budget": {
                "available": _money(plan.budget_available),
                "used": _money(plan.budget_used),
            },
            "entitlements": plan.entitlements,
            "staffing": plan.staffing,
            "slack": [
                {
                    "constraint": s.constraint,
                    "key": s.key,
                    "required": s.required,
                    "achieved": s.achieved,
                    "shortfall": s.shortfall,
                    "unit": s.unit,
                }
                for s in plan.slack
            ],
            "binding_reasons": _counts(plan.binding),
            "penalties": plan.penalties,
            "messages": plan.messages,
            "source": plan.demand.source,
        }
    )
    centres = plan_centres(plan)
    if centres is not None:
        fields["centres"] = centres_summary(centres)
    fields["units"] = SUMMARY_UNITS
    return fields


#: The unit of every figure of ``summary.json`` (key or dotted path; ``*`` any name).
SUMMARY_UNITS: dict[str, str] = {
    "objective": "outcome points (fair) or tier-weighted units (linear)",
    "best_bound": "same as objective",
    "lp_bound": "same as objective",
    "relative_gap": "fraction",
    "outcome_points": (
        "outcome points: tier weight x outcome value x discretionary units served "
        "(the alpha = 0 objective, what the price of fairness is measured in)"
    ),
    "price_of_fairness.outcome_points": "outcome points",
    "price_of_fairness.alpha0_outcome_points": "outcome points (the plan solved with alpha = 0)",
    "price_of_fairness.alpha0_need_met_share": "fraction of discretionary demand, tiers 1-4",
    "price_of_fairness.price": "fraction of the alpha = 0 plan's outcome points given up",
    "build_seconds": "seconds",
    "solve_seconds": "seconds",
    "stage_seconds.*": "seconds",
    "alpha": "dimensionless",
    "outcome_values": "outcome points per unit (household or member, as the service)",
    "worker_cost": "toman per worker-year",
    "caseload": "case files per worker",
    "floor_tier1": "fraction of tier-1 need",
    "floor_level": "fraction of every floor",
    "need_met.demand": "units (households or members, per service kind)",
    "need_met.served": "units (households or members, per service kind)",
    "need_met.share": "fraction",
    "need_met.discretionary_demand": "units (households or members, per service kind)",
    "need_met.discretionary_served": "units (households or members, per service kind)",
    "need_met.discretionary_share": "fraction",
    "need_met_by_service.*.demand": "households or members (see .unit)",
    "need_met_by_service.*.served": "households or members (see .unit)",
    "need_met_by_service.*.toman": "toman",
    "workers.*": "workers",
    "budget.*": "toman",
    "entitlements.demand": "see entitlements.unit",
    "entitlements.served": "see entitlements.unit",
    "entitlements.unfunded": "see entitlements.unit",
    "entitlements.*unfunded_toman": "toman",
    "entitlements.*workers": "workers",
    "staffing.*.workers": "workers",
    "staffing.*.case_files_served": "case files",
    "staffing.*.case_files_eligible": "case files",
    "staffing.*.files_per_worker": "case files per worker",
    "staffing.*.utilisation": "fraction of caseload x workers",
    "staffing.*.workers_short": "workers",
    "staffing.*.workers_idle": "workers",
    "slack.*": "see slack[].unit",
    "centres.total": "centres",
    "centres.counties": "counties",
    "centres.moved": "centres",
    "centres.by_province.*": "centres",
    "penalties.floor": "objective per tier-1 unit short",
    "penalties.quota_workers": "objective per worker",
    "penalties.quota_budget": "objective per million toman",
}


def _by_service(plan: Plan) -> dict[str, dict[str, Any]]:
    """Demand, served units and money per service, with the kind of unit."""
    d = plan.demand
    dem = np.bincount(d.row_service, d.units, d.n_services)
    srv = np.bincount(d.row_service, plan.served, d.n_services)
    money = srv * d.unit_cost
    return {
        sid: {"unit": "members" if d.service_entity[i] == "member" else "households",
              "demand": round(float(dem[i])), "served": round(float(srv[i])),
              "share": float(srv[i] / dem[i]) if dem[i] > 0 else None,
              "toman": round(float(money[i]))}
        for i, sid in enumerate(d.service_ids) if dem[i] > 0
    }  # fmt: skip


def _money(value: Any) -> Any:
    """Money rounded to whole toman (nested dicts)."""
    if isinstance(value, dict):
        return {k: _money(v) for k, v in value.items()}
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return value


def _counts(binding: np.ndarray) -> dict[str, int]:
    words, counts = np.unique(binding.astype(str), return_counts=True)
    return {str(w): int(c) for w, c in zip(words, counts, strict=True) if w}


def _words(vocabulary: tuple[str, ...], codes: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(list(vocabulary), pa.string())
    )


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
