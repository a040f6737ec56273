"""A run directory and a sweep directory (one variant failed) of a small scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from allocator.outputs import atomic_output
from allocator.runs import Prepared, prepare, solve, write_run
from allocator.scenarios import Scenario, parse_scenario
from allocator.sweeps import parse_vary, run_sweep, write_sweep
from allocator.sweeps import task as task_module
from tests.sweeps.conftest import SMALL


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return parse_scenario(SMALL)


@pytest.fixture(scope="session")
def prepared(scenario: Scenario) -> Prepared:
    return prepare(scenario, Path.cwd())


@pytest.fixture(scope="session")
def run_dir(
    tmp_path_factory: pytest.TempPathFactory, prepared: Prepared, scenario: Scenario
) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    write_run(prepared, scenario, solve(prepared, scenario), out, command=["test"])
    return out


@pytest.fixture(scope="session")
def sweep_dir(
    tmp_path_factory: pytest.TempPathFactory, prepared: Prepared, scenario: Scenario
) -> Path:
    """Budget x workers, 3 x 2 variants; the variant at budget x1.5, workers x0.5 fails."""
    real = task_module.optimize

    def flaky(demand: Any, params: Any, **kw: Any) -> Any:
        if (
            params.budget_total == pytest.approx(1.2e11)
            and params.workers_agency["imam_order"] == 8
        ):
            raise RuntimeError("solver crashed")
        return real(demand, params, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(task_module, "optimize", flaky)
        specs = [parse_vary("budget=0.5:1.5:3"), parse_vary("workers=0.5:1.5:2")]
        result = run_sweep(prepared, scenario, specs)
    assert result.failed == 1
    out = tmp_path_factory.mktemp("report") / "sweep"
    with atomic_output(out, kind="sweep", command=["test"]) as tmp:
        write_sweep(result, tmp)
    return out
