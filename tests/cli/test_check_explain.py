"""``allocator check``: Jalali dates, the Persian why-not, and every input problem at once."""

from __future__ import annotations

import json
from pathlib import Path

import jdatetime
import pytest
from typer.testing import CliRunner

from allocator.cli.app import _register, app
from tests.conftest import ROOT

_register()
runner = CliRunner()
FAMILY = str(ROOT / "examples" / "household-poor-family.json")
WIDE = {"COLUMNS": "240"}


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["check", FAMILY, "--json", *args], env=WIDE)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_jalali_date_decides_as_its_gregorian_day() -> None:
    jalali = _json("--date", "1404-03-11")
    gregorian = _json("--date", "2025-06-01")
    assert jalali == gregorian
    assert jalali["date"] == jdatetime.date(1404, 3, 11).togregorian().isoformat()
    assert jalali["date_jalali"] == "1404-03-11" and jalali["fiscal_year"] == 1404
    assert _json("--date", "۱۴۰۴/۰۳/۱۱") == jalali  # Persian digits and slashes


def test_the_table_shows_both_calendars_and_the_fiscal_year() -> None:
    result = runner.invoke(app, ["check", FAMILY, "--date", "2025-06-01"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "2025-06-01 (1404-03-11, fiscal year 1404)" in result.output


@pytest.mark.parametrize("day", ["04-03-11", "11/03/1404", "1404"])
def test_an_ambiguous_date_is_refused_with_a_message(day: str) -> None:
    result = runner.invoke(app, ["check", FAMILY, "--date", day], env=WIDE)
    assert result.exit_code == 2
    assert f"--date '{day}'" in result.output and "four digits" in result.output


def test_an_explicit_calendar_overrides_the_year_rule() -> None:
    result = runner.invoke(
        app, ["check", FAMILY, "--date", "1404-03-11", "--calendar", "gregorian"], env=WIDE
    )
    assert result.exit_code == 2
    assert "has no value on 1404-03-11" in result.output  # the year 1404 AD: no parameters


def test_the_persian_why_not_lists_every_failed_condition(tmp_path: Path) -> None:
    data = json.loads(Path(FAMILY).read_text(encoding="utf-8"))
    data["income"] = 90_000_000
    path = tmp_path / "h.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(
        app, ["check", str(path), "--date", "1404-03-11", "--lang", "fa"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    block = result.output.split("مستمری: چرا نه:")[1].split("✘")[0]
    assert block.count("برقرار نیست") == 3  # below the line, a member can work, pension
    assert "خانوار از پیش مستمری دریافت نمی‌کند" in block
    assert "۲۲٬۵۰۰٬۰۰۰ تومان" in block  # 90,000,000 over 4 members, Persian digits
    assert "حد فرضی است" in block
    assert "منبع: Seed 003" in block


def test_every_problem_of_the_household_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(
        json.dumps(
            {
                "household_id": 1,
                "neighborhood_id": 7,
                "housing": "palace",
                "members": [{"age": -4, "sex": "female", "relation": "head"}],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(path), "--date", "2025-06-01"], env=WIDE)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "4 problems: income: required; assets: required; housing:" in text
    assert "members[0].age:" in text


def test_both_explaining_engines_give_the_same_decision_and_an_unknown_one_is_refused() -> None:
    python = _json("--date", "1404-03-11", "--engine", "python")
    assert _json("--date", "1404-03-11", "--engine", "durable") == python
    assert _json("--date", "1404-03-11") == python  # python, as `serve`, by default
    result = runner.invoke(app, ["check", FAMILY, "--engine", "nope"], env=WIDE)
    assert result.exit_code == 2
    assert "unknown explaining engine 'nope' (choose python or durable)" in result.output
