"""Every number of the generator is in assumptions.py, with a source or the word assumption."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from allocator.data import assumptions

SOURCE_WORDS = re.compile(r"seed 00\d|assumption|census|seed digest", re.IGNORECASE)


def _has_number(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, int | float) and n.value not in (0, 1)
        for n in ast.walk(node)
    )


def test_every_number_has_a_source() -> None:
    source = inspect.getsource(assumptions)
    lines = source.splitlines()
    missing = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not _has_number(node):
            continue
        if isinstance(node, ast.AnnAssign) and "Final" in ast.unparse(node.annotation):
            continue  # class indices, not data
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        context = lines[start:end]
        k = start - 1
        while k >= 0 and lines[k].lstrip().startswith("#"):
            context.append(lines[k])
            k -= 1
        if not SOURCE_WORDS.search("\n".join(context)):
            missing.append(lines[start])
    assert missing == []


def test_no_other_module_holds_magic_rates() -> None:
    # synthetic_demand.py is the optimizer benchmarks' demand, not the household generator:
    # its catalogue is one table of its own, each row an assumption it documents
    package = Path(assumptions.__file__).parent
    for path in package.glob("*.py"):
        if path.name in ("assumptions.py", "synthetic_demand.py"):
            continue
        code = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith(">>>")
        )
        floats = re.findall(r"(?<![\w.])0\.\d+", code)
        assert floats == [], (path.name, floats)
