"""Where a YAML or JSON file is broken: file, line, column and the line's text.

Examples:
    >>> import json
    >>> text = '{"household_id": 1,\\n "members": [}\\n'
    >>> try:
    ...     json.loads(text)
    ... except json.JSONDecodeError as exc:
    ...     print(json_problem("h.json", text, exc))
    h.json:2:14: not valid JSON: Expecting value
      2 |  "members": [}
        |              ^
    >>> import yaml
    >>> text = "name: x\\nresources: [1, 2\\nsolver: {}\\n"
    >>> try:
    ...     yaml.safe_load(text)
    ... except yaml.YAMLError as exc:
    ...     print(yaml_problem("s.yaml", text, exc).replace(" (", "\\n("))
    s.yaml:3:7: not valid YAML: expected ',' or ']', but got ':'
    (while parsing a flow sequence that starts at line 2, column 12)
      3 | solver: {}
        |       ^
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def excerpt(text: str, line: int, column: int) -> str:
    """The 1-based ``line`` of ``text`` with a caret under the 1-based ``column``."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    width = len(str(line))
    shown = lines[line - 1].expandtabs(1)
    return f"  {line} | {shown}\n  {' ' * width} | {' ' * max(column - 1, 0)}^"


def _where(path: Path | str, line: int | None, column: int | None) -> str:
    if line is None:
        return str(path)
    return f"{path}:{line}:{column}" if column else f"{path}:{line}"


def yaml_position(exc: yaml.YAMLError) -> tuple[int | None, int | None]:
    """The 1-based line and column of a YAML error (``None`` when PyYAML gives none)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def yaml_problem(path: Path | str, text: str, exc: yaml.YAMLError) -> str:
    """``FILE:LINE:COL: not valid YAML: what`` and the offending line with a caret."""
    line, column = yaml_position(exc)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        where = f"line {context_mark.line + 1}, column {context_mark.column + 1}"
        what = f"{what} ({context} that starts at {where})"
    message = f"{_where(path, line, column)}: not valid YAML: {what}"
    shown = excerpt(text, line, column or 1) if line else ""
    return f"{message}\n{shown}" if shown else message


def json_problem(path: Path | str, text: str, exc: json.JSONDecodeError) -> str:
    """``FILE:LINE:COL: not valid JSON: what`` and the offending line with a caret."""
    message = f"{_where(path, exc.lineno, exc.colno)}: not valid JSON: {exc.msg}"
    shown = excerpt(text, exc.lineno, exc.colno)
    return f"{message}\n{shown}" if shown else message


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; a binary or unreadable file raises ``ValueError`` with a
    message naming the file and ``what`` it should be."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not a text file (byte {exc.start} is not UTF-8); expected {what}"
        ) from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a directory; expected {what}") from None
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
