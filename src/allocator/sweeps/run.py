"""Run a sweep and write its directory: ``sweep.parquet``, ``sweep.json``, ``variants/``.

``sweep.parquet`` has one row per variant: ``variant`` (its number, as in
``variants/<k>/summary.json``), one column per varied name (the factor, the floor or α),
``status`` (ok, warning or failed), ``termination`` (``exception`` when the solve raised),
``objective``, ``best_bound``, ``relative_gap``, ``outcome_points`` (the plan's
discretionary need met in outcome points, :mod:`allocator.optimize.efficiency`),
``price_of_fairness`` (the share of outcome points given up against the variant with alpha =
0 and the same other values; null when the sweep has none), ``need_tier<t>``,
``met_tier<t>`` and ``share_tier<t>`` for tiers 1 to 4, ``discretionary_share_tier<t>`` (the
share of the tier's demand that is not entitled, which the tiers' priorities divide),
``workers_available``, ``workers_used``, ``budget_available``, ``budget_used`` (totals: the
``total`` field, else the sum per agency), ``build_seconds``, ``solve_seconds``,
``task_seconds`` and ``error`` (why a failed variant failed).

Examples:
    >>> from datetime import date
    >>> from allocator.optimize import synthetic_demand
    >>> from allocator.runs import Prepared
    >>> from allocator.scenarios import parse_scenario
    >>> from allocator.sweeps.spec import parse_vary
    >>> s = parse_scenario({"name": "demo", "data": {"source": "synthetic-demand"},
    ...                     "resources": {"budget": {"total": 2e10}}})
    >>> prepared = Prepared(synthetic_demand(4, 4, 0), {}, {}, date(2023, 3, 21))
    >>> result = run_sweep(prepared, s, [parse_vary("budget=0.5:1:2")])
    >>> [r.values for r in result.results], result.failed
    ([{'budget': 0.5}, {'budget': 1.0}], 0)
    >>> sweep_table(result).column("budget_available").to_pylist()
    [10000000000.0, 20000000000.0]
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.calendar import fiscal_year, to_jalali
from allocator.optimize.efficiency import price_of_fairness
from allocator.runs import Prepared, run_summary
from allocator.scenarios import Scenario
from allocator.sweeps.engines import Done, LocalEngine, SweepEngine
from allocator.sweeps.scale import vary_scenario
from allocator.sweeps.spec import VarySpec, grid
from allocator.sweeps.task import VariantResult, VariantTask

SWEEP_FILE = "sweep.parquet"
SWEEP_JSON = "sweep.json"
VARIANTS_DIR = "variants"
TIERS = (1, 2, 3, 4)


@dataclass
class SweepResult:
    """Every variant's result, in grid order, and what the sweep was."""

    prepared: Prepared
    scenario: Scenario
    specs: list[VarySpec]
    results: list[VariantResult]
    engine: str
    seconds: float

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.results)


def run_sweep(
    prepared: Prepared,
    scenario: Scenario,
    specs: list[VarySpec],
    *,
    engine: SweepEngine | None = None,
    done: Done | None = None,
) -> SweepResult:
    """Solve every variant of ``scenario`` on the demand prepared (classified) once.

    Args:
        prepared: :func:`allocator.runs.prepare` of the scenario: the demand, the rules'
            parameters at the decision date (the caseload) and the provenance.
        scenario: the base scenario; each variant scales its resources.
        specs: what to vary; several specs make a grid.
        engine: where to solve (default: :class:`LocalEngine`).
        done: called with each result as it arrives.

    Raises:
        ScenarioError: a bad grid, or a varied resource the scenario does not set.
    """
    engine = engine or LocalEngine()
    params = dict(prepared.rule_parameters)
    tasks = [
        VariantTask(k, values, vary_scenario(scenario, values), params)
        for k, values in enumerate(grid(specs))
    ]
    t0 = time.perf_counter()
    results = engine.map(prepared.demand, tasks, done)
    return SweepResult(prepared, scenario, specs, results, engine.name, time.perf_counter() - t0)


def _total(block: Mapping[str, Any] | None) -> float | None:
    """A resource's total: the ``total`` field, else the sum of ``by_agency``."""
    if not block:
        return None
    if block.get("total") is not None:
        return float(block["total"])
    by = block.get("by_agency") or {}
    return float(sum(by.values())) if by else None


def _row(result: VariantResult, names: list[str]) -> dict[str, Any]:
    s = result.summary or {}
    row: dict[str, Any] = {"variant": result.index}
    row.update({n: result.values[n] for n in names})
    row["status"] = "failed" if result.failed else s.get("status")
    row["termination"] = s.get("termination", "exception")
    for key in ("objective", "best_bound", "relative_gap", "outcome_points"):
        row[key] = s.get(key)
    need = {t["tier"]: t for t in s.get("need_met") or []}
    for t in TIERS:
        row[f"need_tier{t}"] = need.get(t, {}).get("demand")
        row[f"met_tier{t}"] = need.get(t, {}).get("served")
        row[f"share_tier{t}"] = need.get(t, {}).get("share")
        row[f"discretionary_share_tier{t}"] = need.get(t, {}).get("discretionary_share")
    workers, budget = s.get("workers") or {}, s.get("budget") or {}
    row["workers_available"] = _total(workers.get("available"))
    row["workers_used"] = _total(workers.get("used"))
    row["budget_available"] = _total(budget.get("available"))
    row["budget_used"] = _total(budget.get("used"))
    row["build_seconds"] = s.get("build_seconds")
    row["solve_seconds"] = s.get("solve_seconds")
    row["task_seconds"] = result.seconds
    row["error"] = result.error
    return row


def sweep_table(result: SweepResult) -> pa.Table:
    """One row per variant (the columns are listed in the module's docstring)."""
    names = [s.name for s in result.specs]
    rows = [_row(r, names) for r in result.results]
    for r, row in zip(result.results, rows, strict=True):
        if r.summary is None:  # a failed variant: what it was given, from its scenario
            res = vary_scenario(result.scenario, r.values).resources.model_dump()
            row["workers_available"] = _total(res["workers"])
            row["budget_available"] = _total(res["budget"])
    _prices_of_fairness(rows, names)
    schema = [pa.field("variant", pa.int32())]
    schema += [pa.field(n, pa.float64()) for n in names]
    schema += [pa.field("status", pa.string()), pa.field("termination", pa.string())]
    floats = ["objective", "best_bound", "relative_gap", "outcome_points", "price_of_fairness"]
    floats += [
        f"{k}_tier{t}" for t in TIERS for k in ("need", "met", "share", "discretionary_share")
    ]
    floats += [f"{r}_{k}" for r in ("workers", "budget") for k in ("available", "used")]
    floats += ["build_seconds", "solve_seconds", "task_seconds"]
    schema += [pa.field(k, pa.float64()) for k in floats]
    schema += [pa.field("error", pa.string())]
    return pa.Table.from_pylist(rows, schema=pa.schema(schema))


def _prices_of_fairness(rows: list[dict[str, Any]], names: list[str]) -> None:
    """``price_of_fairness`` of each row: the outcome points it gives up against the row
    with alpha = 0 and the same other values (None without such a row)."""
    others = [n for n in names if n != "alpha"]
    efficient = {
        tuple(r[n] for n in others): r.get("outcome_points")
        for r in rows
        if "alpha" in names and r["alpha"] == 0 and r.get("outcome_points") is not None
    }
    for r in rows:
        ref = efficient.get(tuple(r[n] for n in others))
        points = r.get("outcome_points")
        r["price_of_fairness"] = (
            None if ref is None or points is None else price_of_fairness(points, ref)
        )


def sweep_json(result: SweepResult) -> dict[str, Any]:
    """The fields of ``sweep.json``."""
    return {
        "scenario": result.scenario.name,
        "vary": [s.to_json() for s in result.specs],
        "variants": len(result.results),
        "failed": result.failed,
        "engine": result.engine,
        "seconds": result.seconds,
        "ruleset": result.prepared.identity,
        "decision_date": result.prepared.day.isoformat(),
        "decision_date_jalali": to_jalali(result.prepared.day),
        "fiscal_year": fiscal_year(result.prepared.day),
        "data_seed": result.prepared.data_seed,
        "base_scenario": result.scenario.model_dump(mode="json"),
    }


def write_sweep(result: SweepResult, out_dir: Path) -> list[Path]:
    """Write the sweep's files into ``out_dir`` (an atomic work directory); their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / SWEEP_FILE, out_dir / SWEEP_JSON]
    pq.write_table(sweep_table(result), paths[0])
    paths[1].write_text(_dumps(sweep_json(result)), encoding="utf-8")
    for r in result.results:
        path = out_dir / VARIANTS_DIR / str(r.index) / "summary.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        variant = vary_scenario(result.scenario, r.values)
        fields = {"variant": r.index, "values": r.values, "error": r.error}
        fields.update(r.summary or {"status": "failed"})
        summary = run_summary(result.prepared, variant, fields)
        path.write_text(_dumps(summary), encoding="utf-8")
        paths.append(path)
    return paths


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
