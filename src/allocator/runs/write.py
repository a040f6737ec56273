"""Stages 2 and 3 of a run: solve the scenario on the prepared demand, write the run.

A run directory holds ``summary.json``, ``resolved_scenario.json``, ``allocation.parquet``,
``neighborhoods.parquet``, ``shadow_prices.parquet``, ``workers.parquet``,
``served.parquet``, ``centres.parquet`` (with a ``centres`` section), ``model.mps`` and
``manifest.json``, published atomically (complete, or not at all).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from allocator.calendar import fiscal_year, to_jalali
from allocator.optimize import Plan, optimize
from allocator.optimize.centres import CENTRES_FILE, centres_table, plan_centres
from allocator.optimize.constants import ObjectiveMode
from allocator.optimize.efficiency import outcome_points, price_of_fairness
from allocator.optimize.mps import export_mps
from allocator.optimize.outputs import (
    ALLOCATION_FILE,
    NEIGHBORHOODS_OUT_FILE,
    SHADOW_PRICES_FILE,
    SUMMARY_FILE,
    WORKERS_FILE,
    allocation_table,
    neighborhoods_table,
    shadow_prices_table,
    summary_fields,
    workers_table,
)
from allocator.optimize.prices import price_checks
from allocator.outputs import atomic_output
from allocator.runs.cache import Step
from allocator.runs.demand_stage import DemandStage
from allocator.runs.served import eligible_pairs, served_table
from allocator.scenarios import Scenario, resolve, to_params

MODEL_FILE = "model.mps"
PRICE_CHECK_MAX_VARS = 200_000


def solve(stage: DemandStage, scenario: Scenario, step: Step | None = None) -> Plan:
    """Build and solve the scenario's model on the staged demand."""
    params = to_params(scenario, stage.rule_parameters)
    return optimize(stage.demand, params, progress=step)


def fairness_price(
    stage: DemandStage, scenario: Scenario, plan: Plan, step: Step | None = None
) -> dict[str, Any] | None:
    """The price of fairness of a fair plan: the scenario solved again with alpha = 0 (the
    plan with the most outcome points), and the share of its points the plan gives up
    (:mod:`allocator.optimize.efficiency`). None for a linear or alpha = 0 plan."""
    params = plan.params
    if params.objective is not ObjectiveMode.FAIR or params.alpha == 0:
        return None
    if step is not None:
        step("solving again with alpha = 0 for the price of fairness")
    efficient = optimize(plan.demand, replace(params, alpha=0.0, shadow_prices=False))
    points, best = outcome_points(plan), outcome_points(efficient)
    return {
        "alpha": params.alpha,
        "outcome_points": points,
        "alpha0_outcome_points": best,
        "alpha0_status": efficient.status.value,
        "alpha0_need_met_share": [t.discretionary_share for t in efficient.need_met],
        "price": price_of_fairness(points, best),
    }


def run_summary(
    stage: DemandStage, scenario: Scenario, plan_summary: dict[str, Any]
) -> dict[str, Any]:
    """``summary.json``: the plan's figures with the scenario, rules and data they came from."""
    out = {
        "scenario": scenario.name,
        "ruleset": stage.identity,
        "decision_date": stage.day.isoformat(),
        "decision_date_jalali": to_jalali(stage.day),
        "fiscal_year": fiscal_year(stage.day),
        "data_seed": stage.data_seed,
        "data_source": scenario.data.source,
        "households": stage.counts,
        **plan_summary,
    }
    if isinstance(out.get("entitlements"), dict):
        out["entitlements"] = {**out["entitlements"], "provenance": stage.entitlements}
    return out


def write_run(
    stage: DemandStage,
    scenario: Scenario,
    plan: Plan,
    out_dir: Path,
    *,
    force: bool = False,
    command: list[str] | None = None,
    prices: bool | None = None,
    export_model: Path | None = None,
    fairness: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the run directory atomically; returns the summary.

    ``prices``: re-solve with every budget row moved by one billion toman both ways
    (``prices`` in summary.json); None: as the scenario's ``solver.price_checks`` says
    (auto: models up to :data:`PRICE_CHECK_MAX_VARS` variables). ``export_model``: also
    write the exact model solved, in MPS, to this file (and ``model.mps`` in the run).
    ``fairness``: the plan's :func:`fairness_price` (``price_of_fairness`` in summary.json).
    """
    with atomic_output(
        out_dir,
        kind="run",
        force=force,
        command=command,
        ruleset_hash=stage.identity.get("hash"),
        data_seed=stage.data_seed,
    ) as tmp:
        allocation = allocation_table(plan)
        pq.write_table(allocation, tmp / ALLOCATION_FILE)
        pq.write_table(neighborhoods_table(plan), tmp / NEIGHBORHOODS_OUT_FILE)
        pq.write_table(shadow_prices_table(plan), tmp / SHADOW_PRICES_FILE)
        fields = summary_fields(plan)
        if plan.model is not None:
            pq.write_table(workers_table(plan), tmp / WORKERS_FILE)
            if prices is None:
                prices = scenario.solver.price_checks
            if prices is None:
                prices = plan.model.program.n_vars <= PRICE_CHECK_MAX_VARS
            if prices and plan.ok:
                fields["prices"] = price_checks(plan.model)
            if export_model is not None:
                export_mps(plan.model.program, tmp / MODEL_FILE, scenario.name)
        if fairness is not None:
            fields["price_of_fairness"] = fairness
        summary = run_summary(stage, scenario, fields)
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        resolved = resolve(scenario, stage.rule_parameters)
        (tmp / "resolved_scenario.json").write_text(
            json.dumps(resolved, indent=2, ensure_ascii=False, default=str) + "\n"
        )
        centres = plan_centres(plan) if scenario.centres is not None else None
        if centres is not None:  # whole centres per county (optimize/centres.py)
            pq.write_table(centres_table(centres), tmp / CENTRES_FILE)
        if stage.classification_dir is not None:
            served = served_table(allocation, eligible_pairs(stage.classification_dir))
            pq.write_table(served, tmp / "served.parquet")
    if export_model is not None and plan.model is not None:
        export_model.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out_dir / MODEL_FILE, export_model)
    return summary
