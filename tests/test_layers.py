"""The layering drawn in the README holds: the import-linter contracts of ``pyproject.toml``.

:func:`test_the_layers_hold` runs them on the package. :func:`test_each_crossing_is_caught`
copies the package into a temporary directory, adds one import that crosses the layers (each
crossing an outside review found, and a cycle hidden by an import inside a function), and
checks that the same contracts break and name that import. Imports inside functions and under
``TYPE_CHECKING`` count like any other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "allocator"
CONFIG = ROOT / "pyproject.toml"

pytest.importorskip("importlinter", reason="the layer contracts need import-linter (dev extra)")


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts on the package found under ``src``."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-c", code, "--no-cache", str(CONFIG)],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_hold() -> None:
    done = lint_imports(ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


#: (module, import added to it, contract that must break, what the report must name).
CROSSINGS = [
    pytest.param(
        "backends/native/engine.py",
        "from allocator.backends.vector.engine import Plan",
        "backends: ",
        "allocator.backends.native.engine -> allocator.backends.vector.engine",
        id="a-backend-imports-another-backends-internals",
    ),
    pytest.param(
        "backends/native/cexpr.py",
        "from allocator.loading.parameters import build_parameters",
        "lower layers never import higher ones",
        "allocator.backends.native.cexpr -> allocator.loading.parameters",
        id="a-backend-imports-the-loader",
    ),
    pytest.param(
        "backends/batch.py",
        "def _late() -> object:\n    from allocator.backends.vector import VectorBackend\n\n"
        "    return VectorBackend",
        "backends: ",
        "allocator.backends.batch -> allocator.backends.vector",
        id="a-cycle-hidden-by-a-late-import",
    ),
    pytest.param(
        "pipeline/options.py",
        "def _late() -> object:\n    from allocator.pipeline.run import classify_dataset\n\n"
        "    return classify_dataset",
        "no import cycle",
        ".options -> .run",
        id="a-cycle-inside-a-package",
    ),
    pytest.param(
        "domain/inputs.py",
        "from allocator.expressions.nodes import Node",
        "lower layers never import higher ones",
        "allocator.domain.inputs -> allocator.expressions.nodes",
        id="the-domain-imports-the-rule-language",
    ),
    pytest.param(
        "service/state.py",
        "from allocator.data.geography import NATIONAL",
        "single decisions read reference data",
        "allocator.service.state -> allocator.data.geography",
        id="the-service-reads-the-synthetic-generator",
    ),
    pytest.param(
        "reference/neighborhoods.py",
        "from allocator.data.geography import NATIONAL",
        "lower layers never import higher ones",
        "allocator.reference.neighborhoods -> allocator.data.geography",
        id="reference-data-reads-the-generator",
    ),
    pytest.param(
        "optimize/plan.py",
        "from allocator.scenarios.model import Scenario",
        "lower layers never import higher ones",
        "allocator.optimize.plan -> allocator.scenarios.model",
        id="the-optimizer-imports-scenarios",
    ),
]


@pytest.mark.parametrize(("module", "line", "contract", "named"), CROSSINGS)
def test_each_crossing_is_caught(
    tmp_path: Path, module: str, line: str, contract: str, named: str
) -> None:
    copy = tmp_path / "src" / "allocator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + line + "\n", encoding="utf-8")
    done = lint_imports(tmp_path / "src")
    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken and named in broken, done.stdout
