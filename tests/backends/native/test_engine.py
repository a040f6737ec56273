"""Running the C kernel: output blocks sized from what earlier batches needed, and re-run
when a block is too small; why-not counts equal to counting ``failed``."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.api.ruleset import RuleSet
from allocator.backends.batch import Batch
from allocator.backends.native import NativeKernel, signature
from allocator.backends.result import BatchResult
from allocator.data.writer import write_dataset
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE
from allocator.pipeline.partition import neighborhoods_of
from allocator.pipeline.prepare import prepare
from allocator.pipeline.schema import open_tables
from tests.conftest import DAY


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    data = tmp_path_factory.mktemp("native") / "data"
    write_dataset("tiny", 1, data, row_group_households=2000)
    files = open_tables(data)
    households = files[HOUSEHOLDS_FILE].read_row_group(0)
    members = files[MEMBERS_FILE].read_row_group(0)
    return prepare(households, members, neighborhoods_of(data)).batch


def _same(a: BatchResult, b: BatchResult, ruleset: RuleSet) -> None:
    assert a.case_file_agency.tolist() == b.case_file_agency.tolist()
    for service in ruleset.services:
        x, y = a.services[service.id], b.services[service.id]
        for name in ("failed", "rows", "units_at", "score_at", "tier_at", "agency_at"):
            assert getattr(x, name).tolist() == getattr(y, name).tolist(), (service.id, name)


def test_blocks_too_small_are_detected_and_the_batch_run_again(
    ruleset: RuleSet, batch: Batch
) -> None:
    params = ruleset.parameters.at(DAY)
    kernel = NativeKernel(ruleset, dict(signature(batch)))
    first = kernel.run(batch, params)
    assert kernel.capacity(batch.n_households).max() < batch.n_households  # learned
    kernel.rates = np.zeros(len(ruleset.services))  # every block now far too small
    assert kernel.capacity(batch.n_households).max() == 256
    again = kernel.run(batch, params)
    _same(first, again, ruleset)
    assert sum(len(r.rows) for r in again.services.values()) > 256 * 2


def test_why_not_counts_are_the_failed_conditions_by_neighborhood(
    ruleset: RuleSet, batch: Batch
) -> None:
    result = NativeKernel(ruleset, dict(signature(batch))).run(batch, ruleset.parameters.at(DAY))
    assert result.why_not is not None
    lo, table = result.why_not
    start = 0
    for service in ruleset.services:
        k = len(service.conditions)
        failed = result.services[service.id].failed
        expected = np.zeros((len(table), k + 1), dtype=np.int64)
        np.add.at(expected, (batch.neighborhood_id - lo, failed + 1), 1)
        assert table[:, start : start + k + 1].tolist() == expected.tolist(), service.id
        start += k + 1
    assert start == table.shape[1]
    assert int(table.sum()) == batch.n_households * len(ruleset.services)


def test_demand_counts_are_the_eligible_households_by_neighborhood_tier_and_agency(
    ruleset: RuleSet, batch: Batch
) -> None:
    result = NativeKernel(ruleset, dict(signature(batch))).run(batch, ruleset.parameters.at(DAY))
    assert result.demand is not None
    lo, table = result.demand
    for s, service in enumerate(ruleset.services):
        r = result.services[service.id]
        expected = np.zeros(table.shape[:1] + table.shape[2:], dtype=np.int64)
        cell = (r.tier_at.astype(np.int64) - 1) * 6 + r.agency_at
        where = (batch.neighborhood_id[r.rows] - lo, cell)
        np.add.at(expected[..., 0], where, r.units_at)
        np.add.at(expected[..., 1], where, 1)
        np.add.at(expected[..., 2], where, batch.sizes[r.rows])
        assert table[:, s].tolist() == expected.tolist(), service.id
    assert int(table[..., 1].sum()) == sum(len(r.rows) for r in result.services.values())
