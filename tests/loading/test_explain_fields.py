"""Persian explanations, sources and assumption flags of the rule files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.errors import RuleSetError
from allocator.loading import load_ruleset

PERSIAN = range(0x0600, 0x06FF + 1)


def test_every_national_condition_has_a_persian_explanation(ruleset: RuleSet) -> None:
    conditions = [(s.id, c) for s in ruleset.services for c in s.conditions]
    assert len(conditions) == 37
    for service_id, condition in conditions:
        assert condition.explain_fa, f"{service_id}.{condition.id} has no explain_fa"
        assert any(ord(ch) in PERSIAN for ch in condition.explain_fa)


def test_every_parameter_the_seeds_do_not_give_is_flagged_as_an_assumption(
    ruleset: RuleSet,
) -> None:
    for parameter in ruleset.parameters.parameters.values():
        said = "assumption" in parameter.reference
        assert parameter.assumption == said, parameter.name
        assert parameter.assumption or parameter.source is not None, parameter.name


def test_conditions_carry_their_sources(ruleset: RuleSet) -> None:
    insurance = ruleset.service_by_id["health_insurance"].conditions[0]
    assert insurance.source is not None and insurance.source.title.startswith("Seed 000")
    assert "no insurance" in insurance.source.clause


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("        source: {title: t, url: 'not a link'}\n", "url"),
        ("        source: {clause: c}\n", "title"),
        ("        explain_fa: 12\n", "explain_fa"),
    ],
)
def test_a_malformed_source_or_explanation_is_a_schema_problem(
    tmp_path: Path, extra: str, says: str
) -> None:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    path = root / "services" / "social.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "        explain_fa: خانوار سرپناه ندارد\n"
    start = text.index(anchor)
    end = text.index("\n", start + len(anchor)) + 1  # the source line after it
    text = text[:start] + extra + text[end:]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError) as info:
        load_ruleset(root)
    assert any(p.code == "schema" and says in p.message for p in info.value.problems), info.value
