"""Shared fixtures: small and medium synthetic demand."""

from __future__ import annotations

import pytest

from allocator.optimize import Demand, synthetic_demand


@pytest.fixture(scope="session")
def small_demand() -> Demand:
    return synthetic_demand(12, n_services=10, seed=3)


@pytest.fixture(scope="session")
def medium_demand() -> Demand:
    return synthetic_demand(120, n_services=22, seed=5)
