"""A small synthetic scenario, its demand prepared once, and one shared Dask cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from allocator.runs import Prepared, prepare
from allocator.scenarios import Scenario, parse_scenario

SMALL: dict[str, Any] = {
    "name": "small-sweep",
    "data": {"source": "synthetic-demand", "preset": "custom", "n_neighborhoods": 30,
             "n_services": 8, "seed": 3},
    "rules": {"decision_date": "2023-03-21"},
    "resources": {
        "workers": {"by_agency": {"relief_committee": 30, "welfare_organization": 20,
                                  "imam_order": 15, "red_crescent": 8}},
        "budget": {"total": 8.0e10},
    },
    "quotas": {"band": 0.2},
    "equity_floor": {"tier1_fraction": 0.1},
}  # fmt: skip


@pytest.fixture(scope="session")
def small() -> Scenario:
    return parse_scenario(SMALL)


@pytest.fixture(scope="session")
def prepared(small: Scenario) -> Prepared:
    return prepare(small, Path.cwd())


@pytest.fixture(scope="session")
def scheduler() -> Iterator[str]:
    """The address of one LocalCluster (two worker processes) shared by the session."""
    distributed = pytest.importorskip("distributed")
    cluster: Any = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()
