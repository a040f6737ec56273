"""Ruleset guardrails: an empty rule file or one without services is an error, and a change
of services or conditions under the same version is refused by validate and by serve."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import allocator.cli.commands_rules  # noqa: F401  (registers the commands)
from allocator.api.ruleset import default_rules_dir
from allocator.cli.app import app
from allocator.errors import RuleSetError
from allocator.service import Settings, create_app

runner = CliRunner()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    assert (root / "ruleset.lock").is_file()
    return root


def _validate(root: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["rules", "validate", str(root)])
    return result.exit_code, result.output


def _drop_service(root: Path, service_id: str) -> None:
    path = root / "services" / "social.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    kept = [b for b in blocks if not b.startswith(f"  - id: {service_id}\n")]
    assert len(kept) == len(blocks) - 1
    path.write_text("".join(kept), encoding="utf-8")


def _bump(root: Path, version: str) -> None:
    path = root / "ruleset.yaml"
    text = re.sub(r'(?m)^version: ".*"$', f'version: "{version}"', path.read_text("utf-8"))
    path.write_text(text, encoding="utf-8")


def test_the_shipped_ruleset_matches_its_lock(rules: Path) -> None:
    code, output = _validate(rules)
    assert code == 0, output


@pytest.mark.parametrize("content", ["", "# nothing here\n", "services: []\n"])
def test_an_empty_services_file_is_an_error(rules: Path, content: str) -> None:
    (rules / "services" / "social.yaml").write_text(content, encoding="utf-8")
    code, output = _validate(rules)
    assert code == 1
    assert "services/social.yaml" in output
    assert "empty" in output or "at least 1" in output


def test_a_removed_service_under_the_same_version_is_refused(rules: Path) -> None:
    _drop_service(rules, "shelter")
    code, output = _validate(rules)
    assert code == 1
    assert "ruleset.lock" in output and "services removed: shelter" in output
    assert "bump `version`" in output
    with pytest.raises(RuleSetError, match="services removed: shelter"):
        create_app(Settings(db_url="sqlite://", rules_dir=rules))
    # the author's way: a new version, a new lock
    _bump(rules, "2099.1.1")
    code, output = _validate(rules)
    assert code == 1 and "run `allocator rules lock`" in output
    locked = runner.invoke(app, ["rules", "lock", str(rules)])
    assert locked.exit_code == 0, locked.output
    code, output = _validate(rules)
    assert code == 0, output
    create_app(Settings(db_url="sqlite://", rules_dir=rules))


def test_a_reworded_explanation_keeps_the_lock(rules: Path) -> None:
    path = rules / "services" / "social.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("A member belongs to a social-harm group", "Reworded"), "utf-8")
    code, output = _validate(rules)
    assert code == 0, output


def test_a_renamed_condition_is_refused(rules: Path) -> None:
    path = rules / "services" / "social.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: social_harm_member", "id: harm_member", 1), "utf-8")
    code, output = _validate(rules)
    assert code == 1 and "conditions added: social_emergency.harm_member" in output
