"""Scenario files: validated YAML describing one optimization run.

Examples:
    >>> from allocator.scenarios import parse_scenario
    >>> parse_scenario({"name": "x", "data": {"source": "synthetic"}}).solver.name
    'highs'
"""

from __future__ import annotations

from allocator.scenarios.load import (
    load_demand,
    load_scenario,
    parse_scenario,
    resolve,
    to_params,
)
from allocator.scenarios.model import Scenario

__all__ = [
    "Scenario",
    "load_demand",
    "load_scenario",
    "parse_scenario",
    "resolve",
    "to_params",
]
