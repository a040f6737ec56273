"""Scenario files: validation errors name the field; every shipped file validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from allocator.errors import ScenarioError
from allocator.scenarios import load_scenario, parse_scenario, resolve, to_params

SCENARIOS = Path(__file__).parents[2] / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
BASE = {"name": "t", "data": {"source": "synthetic", "preset": "tiny"}}


def test_the_five_scenarios_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {
        "national-2020", "zendegi-staffing", "mazandaran-56", "informal-330", "over-constrained"
    } <= names  # fmt: skip


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates_and_resolves(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    resolved = resolve(scenario)
    json.dumps(resolved)  # JSON-ready, for resolved_scenario.json
    assert resolved["resources"]["workers"]["caseload"] > 0
    assert to_params(resolved) == to_params(scenario)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"name": "Has Spaces"}, "name"),
        ({"data": {"source": "synthetic", "preset": "nowhere"}}, "data.preset"),
        ({"data": {"source": "ftp"}}, "data"),
        ({"resources": {"budget": {"total": -5}}}, "resources.budget.total"),
        ({"resources": {"workers": {"by_agency": {"police": 3}}}},
         "resources.workers.by_agency.police.[key]"),
        ({"resources": {"workers": {"caseload": 0}}}, "resources.workers.caseload"),
        ({"solver": {"threads": 1}}, "solver"),
        ({"resources": {"slots": {"per_center": {"x": 1}}}}, "resources.slots"),
        ({"quotas": {"band": 1.5}}, "quotas.band"),
        ({"equity_floor": {"tier1_fraction": -0.1}}, "equity_floor.tier1_fraction"),
        ({"tiers": {"weights": [1, 10, 100, 1000]}}, "tiers"),
        ({"tiers": {"mode": "random"}}, "tiers.mode"),
        ({"solver": {"name": "gurobi"}}, "solver.name"),
        ({"solver": {"time_limit_s": 0}}, "solver.time_limit_s"),
        ({"solver": {"method": "guess"}}, "solver.method"),
    ],
)  # fmt: skip
def test_validation_errors_name_the_field(change, field):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({**BASE, **change})
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_file_errors_name_the_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**BASE, "quotas": {"band": "wide"}}))
    with pytest.raises(ScenarioError, match=r"bad\.yaml: quotas\.band") as info:
        load_scenario(path)
    assert info.value.field == "quotas.band"
    path.write_text("name: [unclosed")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:1:16: not valid YAML"):
        load_scenario(path)


def test_caseload_comes_from_the_rules_unless_overridden():
    scenario = parse_scenario(BASE)
    got = resolve(scenario, {"caseload.files_per_worker": 120})["resources"]["workers"]
    assert got["caseload"] == 120 and got["caseload_source"].startswith("rules parameter")
    assert to_params(scenario, {"caseload.files_per_worker": 120}).caseload == 120
    own = parse_scenario({**BASE, "resources": {"workers": {"caseload": 90}}})
    assert (
        resolve(own, {"caseload.files_per_worker": 120})["resources"]["workers"]["caseload"] == 90
    )


@pytest.mark.parametrize(("value", "shown"), [(None, "auto"), (True, True), (False, False)])
def test_decompose_is_a_solver_setting(value, shown):
    scenario = parse_scenario({**BASE, "solver": {"decompose": value}})
    resolved = resolve(scenario)
    assert resolved["solver"]["decompose"] == shown
    assert to_params(resolved).decompose is value
    assert to_params(scenario).decompose is value


@pytest.mark.parametrize(
    "typed", ["decision_date: 1402-01-01", "decision_date: ۱۴۰۲/۰۱/۰۱", "decision_date: 2023-03-21"]
)
def test_a_scenario_date_is_read_in_its_calendar(tmp_path, typed):
    # YAML would read 1402-01-01 as the year 1402 AD; the scenario reads it as 1 Farvardin 1402
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\ndata: {source: synthetic, preset: tiny}\nrules:\n  " + typed + "\n",
        encoding="utf-8",
    )
    assert str(load_scenario(path).rules.decision_date) == "2023-03-21"


@pytest.mark.parametrize(("typed", "why"), [("02-01-01", "ambiguous"), ("1402-12-31", "jalali")])
def test_an_ambiguous_or_impossible_scenario_date_is_refused(tmp_path, typed, why):
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: s\ndata: {{source: synthetic, preset: tiny}}\nrules:\n  decision_date: {typed}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=f"rules.decision_date: .*{why}") as caught:
        load_scenario(path)
    assert caught.value.field == "rules.decision_date"
