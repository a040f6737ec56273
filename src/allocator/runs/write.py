"""Stages 2 and 3 of a run: solve the scenario on the prepared demand, write the run.

A run directory holds ``summary.json``, ``resolved_scenario.json``, ``allocation.parquet``,
``neighborhoods.parquet``, ``shadow_prices.parquet``, ``served.parquet``, ``centres.parquet``
(with a ``centres`` section) and ``manifest.json``, published atomically (complete, or not at all).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from allocator.calendar import fiscal_year, to_jalali
from allocator.optimize import Plan, optimize, write_plan
from allocator.optimize.centres import CENTRES_FILE, centre_plan, centres_table
from allocator.optimize.outputs import ALLOCATION_FILE, SUMMARY_FILE
from allocator.outputs import atomic_output
from allocator.runs.cache import Step
from allocator.runs.prepare import Prepared
from allocator.runs.served import eligible_pairs, served_table
from allocator.scenarios import Scenario, resolve, to_params


def solve(prepared: Prepared, scenario: Scenario, step: Step | None = None) -> Plan:
    """Build and solve the scenario's model on the prepared demand."""
    params = to_params(scenario, prepared.rule_parameters)
    return optimize(prepared.demand, params, progress=step)


def run_summary(
    prepared: Prepared, scenario: Scenario, plan_summary: dict[str, Any]
) -> dict[str, Any]:
    """``summary.json``: the plan's figures with the scenario, rules and data they came from."""
    return {
        "scenario": scenario.name,
        "ruleset": prepared.identity,
        "decision_date": prepared.day.isoformat(),
        "decision_date_jalali": to_jalali(prepared.day),
        "fiscal_year": fiscal_year(prepared.day),
        "data_seed": prepared.data_seed,
        "data_source": scenario.data.source,
        "households": prepared.counts,
        **plan_summary,
    }


def write_run(
    prepared: Prepared,
    scenario: Scenario,
    plan: Plan,
    out_dir: Path,
    *,
    force: bool = False,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Write the run directory atomically; returns the summary."""
    with atomic_output(
        out_dir,
        kind="run",
        force=force,
        command=command,
        ruleset_hash=prepared.identity.get("hash"),
        data_seed=prepared.data_seed,
    ) as tmp:
        write_plan(plan, prepared.demand, tmp)
        plan_summary = json.loads((tmp / SUMMARY_FILE).read_text(encoding="utf-8"))
        summary = run_summary(prepared, scenario, plan_summary)
        (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        resolved = resolve(scenario, prepared.rule_parameters)
        (tmp / "resolved_scenario.json").write_text(
            json.dumps(resolved, indent=2, ensure_ascii=False, default=str) + "\n"
        )
        if scenario.centres is not None:  # whole centres per county (optimize/centres.py)
            plan_of = centre_plan(plan.demand, to_params(scenario, prepared.rule_parameters).slots)
            pq.write_table(centres_table(plan_of), tmp / CENTRES_FILE)
        if prepared.classification_dir is not None:
            allocation = pq.read_table(tmp / ALLOCATION_FILE)
            served = served_table(allocation, eligible_pairs(prepared.classification_dir))
            pq.write_table(served, tmp / "served.parquet")
    return summary
