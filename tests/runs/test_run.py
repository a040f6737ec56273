"""allocator run end to end: data, classification, demand, optimization, files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from allocator.cli.app import _register, app
from allocator.outputs import verify_dir
from tests.conftest import ROOT

_register()
runner = CliRunner()
SCENARIO = ROOT / "scenarios" / "over-constrained.yaml"
RUN_FILES = {
    "workers.parquet",
    "allocation.parquet",
    "manifest.json",
    "neighborhoods.parquet",
    "resolved_scenario.json",
    "served.parquet",
    "shadow_prices.parquet",
    "summary.json",
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    out = tmp_path_factory.mktemp("runs") / "oc"
    mp = pytest.MonkeyPatch()
    mp.setenv("ALLOCATOR_CACHE", str(cache))
    try:
        result = runner.invoke(app, ["run", str(SCENARIO), "--out", str(out)])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    assert "not met: floor" in result.output
    return out


def test_the_run_writes_every_output_and_verifies(run_dir: Path) -> None:
    assert {p.name for p in run_dir.iterdir()} == RUN_FILES
    assert verify_dir(run_dir) == []
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["scenario"] == "over-constrained"
    assert len(summary["ruleset"]["hash"]) == 64 and summary["data_seed"] == 7
    assert summary["households"]["read"] == 2000
    assert summary["status"] == "warning" and summary["slack"]
    assert summary["entitlements"]["services"] == []  # the scenario reserves none
    # max-min floors: nobody is left at zero while others pass (issue 13)
    assert summary["floor_level"] is not None and summary["floor_level"] > 0
    assert summary["units"]["budget.*"] == "toman"
    assert summary["prices"] and all("sentence" in p for p in summary["prices"])
    assert summary["budget"]["used"]["total"] <= summary["budget"]["available"]["total"] + 1
    resolved = json.loads((run_dir / "resolved_scenario.json").read_text())
    assert resolved["resources"]["workers"]["caseload"] == 150


def test_served_households_match_the_plan_and_come_by_need(run_dir: Path) -> None:
    allocation = pq.read_table(run_dir / "allocation.parquet").to_pandas()
    served = pq.read_table(run_dir / "served.parquet").to_pandas()
    keys = ["neighborhood_id", "service_id", "tier", "agency"]
    planned = allocation[allocation.served > 1e-9].groupby(keys).served.sum()
    given = served.groupby(keys).units_served.sum()
    assert not given.empty
    joined = planned.to_frame().join(given, how="outer").fillna(0)
    assert np.allclose(joined.served, joined.units_served, atol=1e-6)
    for _, group in served.groupby(keys):
        ordered = group.sort_values("rank")
        assert (np.diff(ordered.need_score.to_numpy()) <= 0).all()


def test_the_same_scenario_again_reuses_its_run(run_dir: Path) -> None:
    before = (run_dir / "manifest.json").read_text()
    result = runner.invoke(app, ["run", str(SCENARIO), "--out", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert "reused" in result.output and "--force" in result.output
    assert (run_dir / "manifest.json").read_text() == before


def test_another_scenario_into_an_existing_run_needs_force(run_dir: Path, tmp_path: Path) -> None:
    before = (run_dir / "manifest.json").read_text()
    other = tmp_path / "other.yaml"
    other.write_text(SCENARIO.read_text().replace("total: 2.0e+9", "total: 3.0e+9"))
    result = runner.invoke(app, ["run", str(other), "--out", str(run_dir)])
    assert result.exit_code == 2
    assert f"{run_dir} already exists: pass --force to replace it" in result.output
    assert (run_dir / "manifest.json").read_text() == before


def test_compare_two_runs(run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SCENARIO.read_text().replace("total: 2.0e+9", "total: 8.0e+9")
    richer = tmp_path / "richer.yaml"
    richer.write_text(text)
    monkeypatch.setenv("ALLOCATOR_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "richer"
    result = runner.invoke(app, ["run", str(richer), "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["compare", str(run_dir), str(out)])
    assert result.exit_code == 0, result.output
    assert "need met" in result.output
    a = pq.read_table(run_dir / "allocation.parquet")
    b = pq.read_table(out / "allocation.parquet")
    assert pc.sum(b.column("served")).as_py() > pc.sum(a.column("served")).as_py()


def test_a_bad_scenario_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.read_text().replace("total: 2.0e+9", "total: -1"))
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "resources.budget.total" in result.output
    assert not (tmp_path / "x").exists()


def test_entitlements_come_from_the_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the scenario's ``entitlements: []`` the rules' entitlement applies: 2 billion
    toman cannot insure every uninsured member, and the plan says what is missing."""
    from allocator.optimize import Status, optimize
    from allocator.runs import stage_demand
    from allocator.scenarios import load_scenario, to_params

    monkeypatch.setenv("ALLOCATOR_CACHE", str(tmp_path))
    root = Path(__file__).parents[2]
    scenario = load_scenario(root / "scenarios" / "over-constrained.yaml")
    scenario = scenario.model_copy(update={"entitlements": None})
    stage = stage_demand(scenario, root)
    assert "neighborhoods_2020" in stage.entitlements["health_insurance"]
    plan = optimize(stage.demand, to_params(scenario, stage.rule_parameters))
    assert plan.status is Status.ENTITLEMENTS_UNFUNDED
    ent = plan.entitlements
    assert ent["services"] == ["health_insurance"] and ent["unit"] == "members"
    assert ent["unfunded"] > 0 and ent["unfunded_toman"] > 0
