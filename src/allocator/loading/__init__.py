"""Load a ruleset directory into a checked :class:`~allocator.api.RuleSet`.

Every problem of every file is collected and raised once, as a
:class:`~allocator.errors.RuleSetError` naming file, line, rule id and reason.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> rs = load_ruleset(default_rules_dir())
    >>> rs.name
    'national'
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.domain.inputs import INPUT_VARIABLES
from allocator.errors import RuleSetError
from allocator.loading.context import Context
from allocator.loading.files import KINDS, Problems, read_yaml, ruleset_files, validate
from allocator.loading.parameters import build_parameters
from allocator.loading.schema import ParametersFile, RulesetFile, ServicesFile, VariablesFile
from allocator.loading.services import build_services
from allocator.loading.variables import build_variables

__all__ = ["load_ruleset", "load_ruleset_cached", "ruleset_hash"]

_MODELS: dict[str, Any] = {
    "parameters": ParametersFile,
    "variables": VariablesFile,
    "services": ServicesFile,
}


def ruleset_hash(root: Path) -> str:
    """SHA-256 over the ruleset's files (relative path and bytes, in a stable order)."""
    digest = hashlib.sha256()
    for path in ruleset_files(root):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_ruleset(root: Path | str) -> RuleSet:
    """Read, validate and type-check the ruleset in ``root``."""
    root = Path(root)
    problems = Problems()
    if not (root / "ruleset.yaml").is_file():
        problems.add(
            "ruleset.yaml",
            "-",
            "missing-file",
            f"no ruleset.yaml in {root} (is this a ruleset directory?)",
            None,
        )
        raise RuleSetError(problems.items)
    head = validate(
        RulesetFile, "ruleset.yaml", read_yaml(root, root / "ruleset.yaml", problems), problems
    )
    parsed: dict[str, list[tuple[str, Any]]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        for path in sorted((root / kind).glob("*.yaml")):
            rel = path.relative_to(root).as_posix()
            known = len(problems.items)
            data = read_yaml(root, path, problems)
            if data is None and len(problems.items) == known:
                problems.add(
                    rel, "-", "empty-file", f"the file is empty: a {kind} file must define "
                    f"its {kind} (delete the file to drop them, and bump the version)", None,
                )  # fmt: skip
            if data is not None:
                content = validate(_MODELS[kind], rel, data, problems)
                if content is not None:
                    parsed[kind].append((rel, content))
    params, param_types = build_parameters(parsed["parameters"], problems)
    variables, types = build_variables(parsed["variables"], INPUT_VARIABLES, param_types, problems)
    delivery = None
    if head is not None:
        compiled = Context("household", types, param_types).compile(
            head.delivery, "enum agency", ("ruleset.yaml", "delivery", head.line), problems
        )
        delivery = compiled[0] if compiled else None
    services = build_services(parsed["services"], delivery, types, param_types, problems)
    if not services and not problems.items:
        problems.add("services", "-", "schema", "the ruleset defines no service", None)
    if problems.items or head is None:
        raise RuleSetError(problems.items)
    return RuleSet(
        name=head.ruleset,
        version=head.version,
        title=head.title,
        hash=ruleset_hash(root),
        source=str(root),
        variables=tuple(variables),
        services=tuple(services),
        parameters=params,
        inputs={e: dict(v) for e, v in INPUT_VARIABLES.items()},
    )


@lru_cache(maxsize=8)
def load_ruleset_cached(root: str) -> RuleSet:
    """:func:`load_ruleset`, loaded once per directory and process."""
    return load_ruleset(root)
