"""A tiny synthetic data set (seed 7) and a CLI runner for the command tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli.app import _register, app
from allocator.data import write_dataset

_register()


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "data"
    out.mkdir()
    write_dataset("tiny", 7, out)
    return out


def invoke(*args: str) -> tuple[int, str]:
    """Run ``allocator ARGS`` in process; the exit code and everything printed."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
