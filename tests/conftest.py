"""Shared fixtures: the national ruleset, a durable backend, a target neighborhood."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.backends.durable import DurableBackend
from allocator.domain import Neighborhood
from allocator.loading import load_ruleset

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2025, 6, 1)


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(default_rules_dir())


@pytest.fixture(scope="session")
def durable(ruleset: RuleSet) -> DurableBackend:
    return DurableBackend(ruleset)


@pytest.fixture()
def target_neighborhood() -> Neighborhood:
    return Neighborhood(
        neighborhood_id=1,
        name="test",
        province="Tehran",
        county="Tehran-01",
        setting="urban",
        custodian="relief_committee",
        programs=("neighborhoods_2020",),
    )
