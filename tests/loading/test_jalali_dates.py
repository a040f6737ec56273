"""Validity dates of parameters may be written in the Jalali calendar."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import jdatetime
import pytest
import yaml

from allocator.api.ruleset import default_rules_dir
from allocator.errors import RuleSetError
from allocator.loading import load_ruleset

_OTHERS = "".join(
    f"  {name}: {{{{description: d, reference: r, values: [{{{{from: {{start}}, value: 1}}}}]}}}}\n"
    for name in ("poverty_line.rural", "poverty.deep_share", "assets.ceiling")
)


def _ruleset_copy(tmp_path: Path, parameters: str) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    (root / "parameters" / "poverty.yaml").write_text(parameters, encoding="utf-8")
    return root


def test_the_national_jalali_dates_are_the_days_jdatetime_gives() -> None:
    raw = yaml.safe_load(
        (default_rules_dir() / "parameters" / "poverty.yaml").read_text(encoding="utf-8"),
    )
    loaded = load_ruleset(default_rules_dir()).parameters["poverty_line.urban"].values
    written = raw["parameters"]["poverty_line.urban"]["values"]
    assert len(loaded) == len(written) == 7
    for value, row in zip(loaded, written, strict=True):
        # PyYAML reads 1399-01-01 as the Gregorian year 1399; take its digits as Jalali
        start, end = row["from"], row["to"]
        assert value.start == jdatetime.date(start.year, start.month, start.day).togregorian()
        assert value.end == jdatetime.date(end.year, end.month, end.day).togregorian()
    # the fiscal year 1404 of the file runs from 21 March 2025 to 20 March 2026
    assert loaded[5].start == date(2025, 3, 21) and loaded[5].end == date(2026, 3, 20)


def test_jalali_and_gregorian_files_give_the_same_parameters(tmp_path: Path) -> None:
    jalali = _ruleset_copy(
        tmp_path / "j",
        "parameters:\n  poverty_line.urban:\n    description: d\n    reference: r\n"
        "    values:\n      - {from: '۱۴۰۲/۰۱/۰۱', to: 1402-12-29, value: 1}\n"
        "      - {from: 1403-01-01, value: 2}\n" + _OTHERS.format(start="1399-01-01"),
    )
    gregorian = _ruleset_copy(
        tmp_path / "g",
        "parameters:\n  poverty_line.urban:\n    description: d\n    reference: r\n"
        "    values:\n      - {from: 2023-03-21, to: 2024-03-19, value: 1}\n"
        "      - {from: 2024-03-20, value: 2}\n" + _OTHERS.format(start="2020-03-20"),
    )
    a = load_ruleset(jalali).parameters
    b = load_ruleset(gregorian).parameters
    assert {n: p.values for n, p in a.parameters.items()} == {
        n: p.values for n, p in b.parameters.items()
    }


@pytest.mark.parametrize(
    ("written", "says"),
    [("02-01-01", "ambiguous"), ("1402-12-30", "not a day of the jalali calendar")],
)
def test_an_ambiguous_or_impossible_date_in_a_rule_file_is_a_problem(
    tmp_path: Path, written: str, says: str
) -> None:
    root = _ruleset_copy(
        tmp_path,
        "parameters:\n  poverty_line.urban:\n    description: d\n    reference: r\n"
        f"    values:\n      - {{from: {written}, value: 1}}\n",
    )
    with pytest.raises(RuleSetError) as info:
        load_ruleset(root)
    assert any(
        p.file == "parameters/poverty.yaml" and says in p.message and p.line == 6
        for p in info.value.problems
    ), info.value


def test_the_committed_national_files_write_dates_in_jalali() -> None:
    text = (default_rules_dir() / "parameters" / "poverty.yaml").read_text(encoding="utf-8")
    assert "from: 1399-01-01" in text and "from: 20" not in text


def test_rule_test_cases_may_be_dated_in_jalali(tmp_path: Path) -> None:
    from allocator.errors import InputError
    from allocator.ruletests.cases import load_cases

    cases = load_cases(Path(default_rules_dir()).parent / "tests" / "national" / "livelihood.yaml")
    assert cases and all(c.date == date(2025, 6, 1) for c in cases)
    bad = tmp_path / "bad.yaml"
    bad.write_text("- name: x\n  date: 04-03-11\n  household: {}\n  expect: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="ambiguous"):
        load_cases(bad)
