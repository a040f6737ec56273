from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from allocator.api.ruleset import default_rules_dir
from allocator.cli.app import _register, app
from tests.conftest import ROOT

_register()
runner = CliRunner()
EXAMPLES = ROOT / "examples"


def test_check_prints_a_table_with_why_and_why_not() -> None:
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "household-poor-family.json"), "--date", "2025-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "Food package" in result.output
    assert "why not" in result.output
    assert "Social-work case file: yes" in result.output
    flat = " ".join(result.output.split())  # the table wraps names over lines
    assert "State Welfare Organization (Behzisti)" in flat  # names, not ids
    assert "welfare_organization" not in flat


def test_check_json_has_the_ruleset_identity() -> None:
    result = runner.invoke(
        app,
        ["check", str(EXAMPLES / "household-not-eligible.json"), "--date", "2025-06-01", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ruleset"]["ruleset"] == "national" and len(data["ruleset"]["hash"]) == 64
    assert not any(s["eligible"] for s in data["services"] if s["service_id"] == "food_package")


def test_check_rejects_a_malformed_household_naming_the_field(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "household-malformed.json")])
    assert result.exit_code == 2
    assert "income" in result.output
    for body, field in [
        (
            {
                "household_id": 1,
                "neighborhood_id": 1,
                "members": [{"age": -1, "sex": "male", "relation": "head"}],
            },
            "members[0].age",
        ),
        (
            {"household_id": 1, "members": [{"age": 1, "sex": "male", "relation": "head"}]},
            "neighborhood_id",
        ),
        (
            {
                "household_id": 1,
                "neighborhood_id": 99_999_999,
                "income": 0,
                "assets": 0,
                "members": [{"age": 30, "sex": "male", "relation": "head"}],
            },
            "unknown neighborhood",
        ),
    ]:
        path = tmp_path / "h.json"
        path.write_text(json.dumps(body), encoding="utf-8")
        result = runner.invoke(app, ["check", str(path), "--date", "2025-06-01"])
        assert result.exit_code == 2, result.output
        assert field in result.output


def test_check_with_an_uncovered_date_names_parameter_and_date() -> None:
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "household-poor-family.json"), "--date", "2030-01-01"]
    )
    assert result.exit_code == 2
    assert "poverty_line" in result.output and "2030-01-01" in result.output


def test_rules_validate_passes_and_warns_of_expiry() -> None:
    result = runner.invoke(app, ["rules", "validate"])
    assert result.exit_code == 0, result.output
    assert "national" in result.output


def test_rules_validate_lists_problems_and_fails(tmp_path: Path) -> None:
    target = tmp_path / "national"
    shutil.copytree(default_rules_dir(), target)
    path = target / "services" / "social.yaml"
    path.write_text(path.read_text().replace("housing == 'homeless'", "housing == 'homless'"))
    result = runner.invoke(app, ["rules", "validate", str(target)])
    assert result.exit_code == 1
    assert "services/social.yaml" in result.output and "shelter.homeless" in result.output


def test_rules_test_runs_the_cases() -> None:
    result = runner.invoke(app, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert " passed, 0 failed" in result.output


def test_schema_household_is_json_schema() -> None:
    result = runner.invoke(app, ["schema", "household"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "members" in schema["properties"]
