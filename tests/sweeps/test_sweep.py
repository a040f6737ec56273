"""Sweeps: one row per variant, failures reported, Dask gives the same plans as local."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import allocator.sweeps
from allocator.outputs import atomic_output, verify_dir
from allocator.runs import Prepared, prepare
from allocator.scenarios import Scenario
from allocator.sweeps import DaskEngine, parse_vary, run_sweep, sweep_table, write_sweep
from allocator.sweeps import task as task_module

BUDGET = "budget=0.5:1.5:6"


def test_one_row_per_variant_and_need_met_grows_with_budget(
    prepared: Prepared, small: Scenario, tmp_path: Path
) -> None:
    result = run_sweep(prepared, small, [parse_vary(BUDGET)])
    with atomic_output(tmp_path / "sweep", kind="sweep", command=["test"]) as tmp:
        write_sweep(result, tmp)
    out = tmp_path / "sweep"
    assert verify_dir(out) == []
    table = pq.read_table(out / "sweep.parquet").to_pydict()
    assert table["variant"] == list(range(6))
    assert table["budget"] == [0.5, 0.7, 0.9, 1.1, 1.3, 1.5]
    # entitlements_unfunded: the small budgets cannot insure every uninsured member (issue 13)
    assert set(table["status"]) <= {"ok", "warning", "entitlements_unfunded"}
    assert table["error"] == [None] * 6
    for column in ("objective", "share_tier1", "met_tier1", "budget_available"):
        assert np.all(np.diff(table[column]) >= -1e-9 * np.abs(table[column][-1])), column
    assert table["share_tier1"][-1] > table["share_tier1"][0]
    assert all(u <= a + 1 for u, a in zip(table["budget_used"], table["budget_available"],
                                          strict=True))  # fmt: skip
    info = json.loads((out / "sweep.json").read_text())
    assert info["scenario"] == "small-sweep" and info["vary"][0]["count"] == 6
    assert (info["decision_date_jalali"], info["fiscal_year"]) == ("1402-01-01", 1402)
    variant = json.loads((out / "variants" / "5" / "summary.json").read_text())
    assert variant["values"] == {"budget": 1.5} and variant["scenario"] == "small-sweep"
    assert variant["budget"]["available"]["total"] == pytest.approx(1.2e11)


def test_a_failing_variant_is_reported_and_the_others_complete(
    prepared: Prepared, small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = task_module.optimize

    def flaky(demand: Any, params: Any, **kw: Any) -> Any:
        if params.budget_total == pytest.approx(0.9 * 8.0e10):
            raise RuntimeError("solver crashed")
        return real(demand, params, **kw)

    monkeypatch.setattr(task_module, "optimize", flaky)
    result = run_sweep(prepared, small, [parse_vary(BUDGET)])
    rows = sweep_table(result).to_pylist()
    assert result.failed == 1 and len(rows) == 6
    bad = rows[2]
    assert bad["status"] == "failed" and bad["error"] == "RuntimeError: solver crashed"
    assert bad["objective"] is None and bad["termination"] == "exception"
    assert bad["budget_available"] == pytest.approx(0.9 * 8.0e10)  # what it was given
    usable = ("ok", "warning", "entitlements_unfunded")
    assert all(r["status"] in usable for i, r in enumerate(rows) if i != 2)


def test_an_infeasible_plan_is_a_failed_variant() -> None:
    summary = {"status": "error", "termination": "infeasible", "messages": ["highs: no"]}
    assert task_module.failure_reason(summary) == "infeasible: highs: no"
    assert task_module.failure_reason({"status": "warning"}) is None


def test_dask_gives_the_same_objectives_as_local(
    prepared: Prepared, small: Scenario, scheduler: str
) -> None:
    specs = [parse_vary("budget=0.6:1.4:3"), parse_vary("workers=0.5:1.5:2")]
    local = sweep_table(run_sweep(prepared, small, specs)).to_pydict()
    dask = run_sweep(prepared, small, specs, engine=DaskEngine(scheduler))
    remote = sweep_table(dask).to_pydict()
    assert dask.engine == "dask" and remote["variant"] == list(range(6))
    assert remote["objective"] == pytest.approx(local["objective"], rel=1e-9)
    assert remote["share_tier1"] == pytest.approx(local["share_tier1"], rel=1e-9)


def test_cli_sweep_on_dask_writes_a_whole_directory(tmp_path: Path, scheduler: str) -> None:
    from allocator.cli import commands_sweep  # noqa: F401  (until app.py registers it)
    from allocator.cli.app import _register, app

    _register()

    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(_small_dict()))  # JSON is YAML
    out = tmp_path / "sweep"
    args = ["sweep", str(scenario), "--vary", "budget=0.5:1.5:3", "--vary", "floor=0:0.2:2",
            "--out", str(out), "--engine", "dask", "--scheduler", scheduler]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert verify_dir(out) == []
    assert json.loads((out / "manifest.json").read_text())["kind"] == "sweep"
    assert pq.read_table(out / "sweep.parquet").num_rows == 6
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    bad = CliRunner().invoke(app, [*args[:3], "money=1:2:2", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "unknown name" in bad.output


def _small_dict() -> dict[str, Any]:
    from tests.sweeps.conftest import SMALL

    return SMALL


def test_exported_members() -> None:
    assert allocator.sweeps.__all__ == [
        "VARY_NAMES", "DaskEngine", "LocalEngine", "SweepEngine", "SweepResult",
        "VariantResult", "VariantTask", "VarySpec", "grid", "parse_vary", "run_sweep",
        "solve_variant", "sweep_json", "sweep_table", "vary_scenario", "write_sweep",
    ]  # fmt: skip


def test_a_sweep_over_alpha_shows_the_money_spread_to_the_lower_tiers(small: Scenario) -> None:
    # a budget above the entitlements' cost, so that discretionary money is left to spread
    budget = small.resources.budget.model_copy(update={"total": 3e11})
    richer = small.model_copy(update={"resources": small.resources.model_copy(
        update={"budget": budget})})  # fmt: skip
    result = run_sweep(prepare(richer, Path.cwd()), richer, [parse_vary("alpha=0:3:2")])
    table = sweep_table(result).to_pydict()
    assert table["alpha"] == [0.0, 3.0]
    assert table["met_tier4"][1] > 1.1 * table["met_tier4"][0]  # α = 3 spreads to tier 4...
    assert table["met_tier1"][1] < table["met_tier1"][0]  # ...what α = 0 gives to tier 1
    # what spreading costs: the points α = 3 gives up against α = 0, the most points
    points, price = table["outcome_points"], table["price_of_fairness"]
    assert points[1] < points[0]
    assert price[0] == 0.0 and price[1] == pytest.approx(1 - points[1] / points[0])


def test_without_an_alpha_zero_variant_there_is_no_price_of_fairness(small: Scenario) -> None:
    result = run_sweep(prepare(small, Path.cwd()), small, [parse_vary("alpha=1:2:2")])
    table = sweep_table(result).to_pydict()
    assert table["price_of_fairness"] == [None, None]
    assert all(p is not None for p in table["outcome_points"])
