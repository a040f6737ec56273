"""One broken copy of the national ruleset per failure mode, checked by what the error says
(file, rule id, reason code), in the manner of OpenFisca's parameter validation tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allocator.api.ruleset import default_rules_dir
from allocator.errors import RuleSetError
from allocator.loading import load_ruleset


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    target = tmp_path / "national"
    shutil.copytree(default_rules_dir(), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        load_ruleset(root)
    return [str(p) for p in info.value.problems]


CASES = [
    # (file, old, new, expected fragments of one problem)
    (
        "services/livelihood.yaml",
        "when: per_capita_income < poverty_line",
        "when: per_capita_incme < poverty_line",
        [
            "services/livelihood.yaml:",
            "food_package.below_poverty_line",
            "per_capita_incme",
            "[unknown-variable]",
        ],
    ),
    (
        "services/livelihood.yaml",
        "when: per_capita_income < poverty_line",
        "when: per_capita_income < housing",
        ["food_package.below_poverty_line", "only numbers can be ordered", "[type-mismatch]"],
    ),
    (
        "services/social.yaml",
        "when: housing == 'homeless'",
        "when: housing == 'homless'",
        ["shelter.homeless", "'homless' is not a value of housing", "[type-mismatch]"],
    ),
    (
        "services/social.yaml",
        "when: housing == 'homeless'",
        "when: income + 1",
        ["shelter.homeless", "expected bool", "[type-mismatch]"],
    ),
    (
        "variables/households.yaml",
        "formula: income / household_size",
        "formula: income / household_size + 0 * per_capita_income",
        ["variables/households.yaml", "[cycle]", "household.per_capita_income"],
    ),
    (
        "services/social.yaml",
        "id: shelter",
        "id: social_emergency",
        ["services/social.yaml", "social_emergency", "defined twice", "[duplicate-id]"],
    ),
    (
        "parameters/caseload.yaml",
        "- {from: 2020-03-20, value: 150}",
        "- {from: 2020-03-20, to: 2019-01-01, value: 150}",
        ["parameters/caseload.yaml", "caseload.files_per_worker", "[bad-date-range]"],
    ),
    (
        "parameters/poverty.yaml",
        "- {from: 1400-01-01, to: 1400-12-29, value: 1700000}",
        "- {from: 1399-12-10, to: 1400-12-29, value: 1700000}",
        ["poverty_line.urban", "overlap", "[bad-date-range]"],
    ),
    (
        "services/livelihood.yaml",
        "when: per_capita_income < poverty_line",
        "when: per_capita_income < < poverty_line",
        ["food_package.below_poverty_line", "[syntax]", "column"],
    ),
    (
        "services/health.yaml",
        "    entity: member\n",
        "    entity: person\n",
        ["services/health.yaml", "health_insurance", "[schema]", "entity"],
    ),
    (
        "services/education.yaml",
        "when: household.informal_settlement",
        "when: informal_settlement",
        ["vocational_training.informal_settlement", "write household.informal_settlement"],
    ),
    (
        "services/livelihood.yaml",
        "when: assets <= params.assets.ceiling",
        "when: assets <= params.assets.celing",
        ["unknown parameter 'assets.celing'", "[unknown-parameter]"],
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"), CASES, ids=[c[3][-1] + "-" + c[0] for c in CASES]
)
def test_broken_ruleset_names_file_rule_and_reason(
    rules: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    _edit(rules / file, old, new)
    problems = _problems(rules)
    assert any(all(fragment in p for fragment in expected) for p in problems), problems


def test_every_problem_is_reported_at_once(rules: Path) -> None:
    _edit(rules / "services/social.yaml", "when: housing == 'homeless'", "when: housing == 1")
    _edit(rules / "services/health.yaml", "when: not insured", "when: not insurred")
    problems = _problems(rules)
    assert len(problems) >= 2
    assert any("shelter" in p for p in problems) and any("insurred" in p for p in problems)


def test_yaml_syntax_error_gives_the_line(rules: Path) -> None:
    path = rules / "services/health.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  - id: [broken\n", encoding="utf-8")
    problems = _problems(rules)
    assert any("services/health.yaml:" in p and "[syntax]" in p for p in problems), problems


def test_missing_ruleset_file(tmp_path: Path) -> None:
    problems = _problems(tmp_path)
    assert "no ruleset.yaml" in problems[0]


def test_the_hash_changes_with_any_rule(rules: Path) -> None:
    before = load_ruleset(rules).hash
    _edit(
        rules / "services/social.yaml",
        "points: 30, explain: Children in the household",
        "points: 31, explain: Children in the household",
    )
    assert load_ruleset(rules).hash != before


def test_a_cycle_through_several_variables(rules: Path) -> None:
    _edit(
        rules / "variables/households.yaml",
        "formula: income / household_size",
        "formula: income / household_size + if(deep_poverty, 0, 0)",
    )
    problems = _problems(rules)
    cycle = [p for p in problems if "[cycle]" in p]
    assert cycle, problems
    assert "per_capita_income" in cycle[0] and "deep_poverty" in cycle[0]
