"""Messages a person can act on: file, line, column and text of a syntax error; flags shown
as flags; install hints printed literally; progress as plain lines off a terminal."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import typer

from allocator.api.ruleset import default_rules_dir
from allocator.cli import common
from tests.cli.conftest import invoke
from tests.conftest import ROOT

MAZANDARAN = ROOT / "scenarios" / "mazandaran-56.yaml"


def test_a_scenario_yaml_error_names_file_line_column_and_text(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nresources: [1, 2\nsolver: {}\n")
    code, output = invoke("run", str(bad), "--out", str(tmp_path / "run"))
    assert code == 2
    assert f"{bad}:3:7: not valid YAML" in output
    assert "3 | solver: {}" in output
    assert "<unicode string>" not in output and "Traceback" not in output


def test_a_household_json_error_names_file_line_column_and_text(tmp_path: Path) -> None:
    bad = tmp_path / "household.json"
    bad.write_text('{"household_id": 1,\n  "members": [}\n')
    code, output = invoke("check", str(bad))
    assert code == 2
    assert f"{bad}:2:15: not valid JSON" in output and '2 |   "members": [}' in output


def test_check_on_a_binary_file_says_it_is_not_text(tmp_path: Path) -> None:
    binary = tmp_path / "household.json"
    binary.write_bytes(bytes(range(256)) * 4)
    code, output = invoke("check", str(binary))
    assert code == 2 and f"{binary}: not a text file" in output


def test_a_rule_file_yaml_error_names_line_column_and_text(tmp_path: Path) -> None:
    rules = tmp_path / "national"
    shutil.copytree(default_rules_dir(), rules)
    with (rules / "services" / "social.yaml").open("a") as fh:
        fh.write("  - id: [broken\n    name: x\n")
    code, output = invoke("rules", "validate", str(rules))
    assert code == 1
    assert re.search(r"services/social\.yaml:\d+: -: not valid YAML at column \d+: ", output)
    assert "'name: x'" in output


@pytest.mark.parametrize(
    ("value", "message"),
    [(".inf", "finite"), ("-5", "greater than 0"), ("0", "greater than 0"), (".nan", "finite")],
)
def test_infinite_negative_and_zero_budgets_are_refused(
    tmp_path: Path, value: str, message: str
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(MAZANDARAN.read_text().replace("total: 600.0e+9", f"total: {value}"))
    code, output = invoke("run", str(scenario), "--out", str(tmp_path / "run"))
    assert code == 2 and "resources.budget.total" in output and message in output


def test_report_and_compare_name_the_wrong_kind_of_directory(tiny: Path, tmp_path: Path) -> None:
    code, output = invoke("report", str(tiny), "--out", str(tmp_path / "r.html"))
    assert code == 2 and "is a dataset (allocator synth), not a run or a sweep" in output
    code, output = invoke("compare", str(tiny), str(tiny))
    assert code == 2 and "is a dataset (allocator synth), not a run" in output


def _commands() -> list[list[str]]:
    return [
        [], ["check"], ["schema"], ["rules", "validate"], ["rules", "test"], ["synth"],
        ["classify"], ["run"], ["compare"], ["sweep"], ["report"], ["serve"],
        ["tokens", "create"], ["audit", "verify"], ["db", "init"], ["verify"],
    ]  # fmt: skip


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "allocator")
def test_help_shows_flags_as_flags(command: list[str]) -> None:
    code, output = invoke(*command, "--help")
    assert code == 0, output
    assert "<bool>" not in output
    assert "--help" in output


def test_an_install_hint_keeps_its_brackets(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit):
        common.fail(common.extra_hint("distributed") or "")
    assert "pip install 'allocator[dask]'" in capsys.readouterr().err


def test_a_missing_extra_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    code, output = invoke("classify", ".", "--out", "x", "--engine", "dask")
    assert code == 2
    assert output.strip() == (
        "error: --engine dask needs the 'dask' extra: pip install 'allocator[dask]'"
    )


def test_progress_off_a_terminal_is_plain_lines(tiny: Path, tmp_path: Path) -> None:
    code, output = invoke("classify", str(tiny), "--out", str(tmp_path / "c"))
    assert code == 0, output
    line = next(x for x in output.splitlines() if "partitions" in x and "households/s" in x)
    assert re.match(
        r"\d\d:\d\d:\d\d classify \(vector, local\): 1 of 1 partitions \(100\.0%\)", line
    )
    assert "done in" in line
    assert not re.search(r"\w+\.py:\d+", output)  # no source locations


def test_log_lines_are_not_wrapped_and_have_no_source_location(tmp_path: Path) -> None:
    """(With --price-of-fairness, whose second solve and figures are checked too.)"""
    scenario = ROOT / "scenarios" / "over-constrained.yaml"
    out = tmp_path / "run"
    code, output = invoke("run", str(scenario), "--out", str(out), "--price-of-fairness")
    assert code == 0, output
    optimizing = [x for x in output.splitlines() if "optimizing" in x]
    assert len(optimizing) == 1 and optimizing[0].endswith("path)")
    assert not re.search(r"commands_\w+\.py:\d+", output)
    assert "solving again with alpha = 0 for the price of fairness" in output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    fair = summary["price_of_fairness"]
    assert fair["outcome_points"] == summary["outcome_points"] <= fair["alpha0_outcome_points"]
    assert fair["price"] == pytest.approx(
        1 - fair["outcome_points"] / fair["alpha0_outcome_points"]
    )
    assert f"price of fairness {100 * fair['price']:.1f}%" in output


def test_quiet_prints_no_progress(tiny: Path, tmp_path: Path) -> None:
    code, output = invoke("--quiet", "classify", str(tiny), "--out", str(tmp_path / "c"))
    assert code == 0, output
    assert "partitions" not in output and "households read" in output


def test_postgres_without_its_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails
    url = "postgresql+psycopg://u@127.0.0.1:1/x"
    code, output = invoke("tokens", "create", "--planner", "--db", url)
    assert code == 2
    assert output.strip() == (
        "error: PostgreSQL needs the 'postgres' extra: pip install 'allocator[postgres]'"
    )


def test_tables_to_a_pipe_are_120_columns_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich's 80 columns cut the sweep table's headers ("stat…", "soci…") in a log file."""
    import io

    from allocator.cli import common

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("COLUMNS", raising=False)
    assert common._width(io.StringIO()) == common.PIPE_WIDTH == 120
    assert common._width(Terminal()) is None  # a terminal gives its own width
    monkeypatch.setenv("COLUMNS", "200")
    assert common._width(io.StringIO()) is None  # and so does $COLUMNS


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["db", "init"]])
def test_an_unreachable_database_is_one_line_and_exit_2(command: list[str]) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
    code, output = invoke(*command, "--db", url)
    assert code == 2, output
    assert "error: the database cannot be used:" in output and "127.0.0.1" in output
    assert "Traceback" not in output and "secret" not in output
