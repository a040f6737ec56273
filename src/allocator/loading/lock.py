"""The ruleset's lock file: which services and conditions a ruleset version holds.

``ruleset.lock`` (JSON, committed beside ``ruleset.yaml``) lists the version and the
sorted ids of the services and of their eligibility conditions (``service.condition``).
Only ids count: editing a condition's wording or explanation changes no fingerprint. A
ruleset whose services or conditions differ from its lock under the same version is
refused by ``allocator rules validate`` and by ``allocator serve``: decisions recorded
under one version must mean one set of rules. To change them, an author bumps ``version``
in ``ruleset.yaml`` and runs ``allocator rules lock``, then commits both files.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.loading import load_ruleset
    >>> root = default_rules_dir()
    >>> lock_problems(root, load_ruleset(root))
    []
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.errors import RuleProblem

LOCK_FILE = "ruleset.lock"


def fingerprint(ruleset: RuleSet) -> dict[str, Any]:
    """The version and the sorted service and condition ids of ``ruleset``."""
    return {
        "ruleset": ruleset.name,
        "version": ruleset.version,
        "services": sorted(s.id for s in ruleset.services),
        "conditions": sorted(f"{s.id}.{c.id}" for s in ruleset.services for c in s.conditions),
    }


def write_lock(root: Path, ruleset: RuleSet) -> Path:
    """Write ``root/ruleset.lock`` for ``ruleset``."""
    path = Path(root) / LOCK_FILE
    path.write_text(json.dumps(fingerprint(ruleset), indent=2) + "\n", encoding="utf-8")
    return path


def _problem(message: str) -> RuleProblem:
    return RuleProblem(LOCK_FILE, "-", "lock-mismatch", message, None)


def lock_problems(root: Path, ruleset: RuleSet) -> list[RuleProblem]:
    """Why ``ruleset`` does not match its lock file ([] when it does, or has no lock)."""
    path = Path(root) / LOCK_FILE
    if not path.is_file():
        return []
    try:
        locked = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [_problem(f"not readable JSON ({exc})")]
    if not isinstance(locked, dict):
        return [_problem("not a lock file (a JSON object is expected)")]
    now = fingerprint(ruleset)
    problems = []
    changes = []
    for key in ("services", "conditions"):
        old, new = set(locked.get(key) or []), set(now[key])
        if added := sorted(new - old):
            changes.append(f"{key} added: {', '.join(added)}")
        if removed := sorted(old - new):
            changes.append(f"{key} removed: {', '.join(removed)}")
    bump = "bump `version` in ruleset.yaml, then run `allocator rules lock` and commit both files"
    if locked.get("version") == ruleset.version and changes:
        problems.append(
            _problem(
                f"version {ruleset.version} is locked to other services or conditions "
                f"({'; '.join(changes)}): {bump}"
            )
        )
    elif locked.get("version") != ruleset.version:
        problems.append(
            _problem(
                f"the lock is for version {locked.get('version')!r}, the ruleset is "
                f"{ruleset.version!r}: run `allocator rules lock` and commit the lock"
            )
        )
    return problems
