"""Every YAML rule test case under rules/tests is a pytest item named by file and case."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet
from allocator.backends.durable import DurableBackend
from allocator.errors import InputError
from allocator.ruletests.cases import RuleCase, discover, load_cases
from allocator.ruletests.runner import coverage_gaps, durable_decider, run_case
from tests.conftest import ROOT

CASES = discover(ROOT / "rules" / "tests")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}::{c.name}" for c in CASES])
def test_rule_case(case: RuleCase, durable: DurableBackend) -> None:
    result = run_case(case, durable_decider(durable), "durable")
    assert result.passed, "\n".join(result.failures)


def test_the_cases_cover_every_rule_and_every_why_not(ruleset: RuleSet) -> None:
    assert coverage_gaps(ruleset, CASES) == []


def test_a_wrong_expectation_is_reported_by_service_and_field(
    tmp_path: Path, durable: DurableBackend
) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "- name: deliberately wrong\n"
        "  date: 2025-06-01\n"
        "  household: {income: 0, assets: 0, members: [{age: 40, sex: male, relation: head}]}\n"
        "  expect:\n"
        "    food_package: {eligible: true, tier: 3}\n"
        "    shelter: {eligible: true}\n"
        "    no_such_service: {eligible: true}\n",
        encoding="utf-8",
    )
    (case,) = load_cases(path, tmp_path)
    result = run_case(case, durable_decider(durable), "durable")
    assert not result.passed
    assert any(f.startswith("food_package: tier is 2, expected 3") for f in result.failures)
    assert any(f.startswith("shelter: eligible is False") for f in result.failures)
    assert any("no_such_service: no such service" in f for f in result.failures)


def test_a_malformed_case_file_names_file_and_case(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- name: no date\n  household: {}\n  expect: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml: no date"):
        load_cases(path, tmp_path)
