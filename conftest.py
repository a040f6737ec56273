"""Fixtures for the doctests in ``src/allocator`` (the tests' own are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _doctest_tmp_path(doctest_namespace: dict[str, Any], tmp_path: Path) -> None:
    """``tmp_path`` in every doctest: a directory pytest removes, so that the examples
    leave nothing in the system's temporary directory."""
    doctest_namespace["tmp_path"] = tmp_path
