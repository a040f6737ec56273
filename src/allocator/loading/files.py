"""Find and read the files of a ruleset directory, validating each against its schema.

Problems are collected, never raised one by one, so that an author sees them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from allocator.errors import RuleProblem
from allocator.loading.yamlio import LINE_KEY, load_yaml_text
from allocator.locations import yaml_position

M = TypeVar("M", bound=BaseModel)

#: Sub-directories of a ruleset and what each holds.
KINDS = ("parameters", "variables", "services")


@dataclass
class Problems:
    """The problems found so far."""

    items: list[RuleProblem] = field(default_factory=list)

    def add(self, file: str, rule_id: str, code: str, message: str, line: int | None) -> None:
        self.items.append(RuleProblem(file, rule_id or "-", code, message, line))


def ruleset_files(root: Path) -> list[Path]:
    """Every file that makes up the ruleset (and its hash), in a stable order."""
    files = [root / "ruleset.yaml"]
    for kind in KINDS:
        files += sorted((root / kind).glob("*.yaml"))
    return files


def read_yaml(root: Path, path: Path, problems: Problems) -> Any:
    """The parsed content of ``path``, or ``None`` after recording why it could not be read."""
    rel = path.relative_to(root).as_posix()
    text = ""
    try:
        text = path.read_text(encoding="utf-8")
        return load_yaml_text(text)
    except FileNotFoundError:
        problems.add(rel, "-", "missing-file", "file not found", None)
    except yaml.MarkedYAMLError as exc:
        line, column = yaml_position(exc)
        lines = text.splitlines()
        shown = f": {lines[line - 1].strip()!r}" if line and line <= len(lines) else ""
        at = f" at column {column}" if column else ""
        problems.add(rel, "-", "syntax", f"not valid YAML{at}: {exc.problem}{shown}", line)
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(rel, "-", "unreadable", str(exc), None)
    return None


def _locate(data: Any, loc: tuple[int | str, ...]) -> tuple[str, int | None]:
    """The id and line of the innermost mapping on the path ``loc`` of a validation error."""
    rule_id, line, node = "", None, data
    for key in loc:
        if isinstance(node, dict):
            rule_id = str(node.get("id", rule_id))
            line = node.get(LINE_KEY, line)
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            break
        if isinstance(node, dict):
            rule_id = str(node.get("id", rule_id))
            line = node.get(LINE_KEY, line)
    return rule_id, line


def validate(model: type[M], rel: str, data: Any, problems: Problems) -> M | None:
    """``data`` as ``model``, or ``None`` after recording every schema problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            rule_id, line = _locate(data, loc)
            where = ".".join(str(p) for p in loc) or "file"
            problems.add(rel, rule_id, "schema", f"{where}: {err['msg']}", line)
        return None
