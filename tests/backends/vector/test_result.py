"""The sparse service result: dense views, and rows put back into batch order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.backends.result import BatchResult, ServiceResult


@st.composite
def orders_and_rows(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    share = draw(st.sampled_from([0.0, 0.02, 0.3, 1.0]))
    rows = np.flatnonzero(rng.random(n) < share)
    return rng.permutation(n), rows


@settings(max_examples=200, deadline=None)
@given(orders_and_rows())
def test_batch_ordered_sorts_rows_by_batch_position(case: tuple[np.ndarray, np.ndarray]) -> None:
    order, rows = case
    n = len(order)
    result = BatchResult(
        np.arange(n), np.zeros(n), np.ones(n), {}, np.zeros(n, bool), np.zeros(n), order=order
    )
    perm = result.batch_ordered(rows)
    assert sorted(perm.tolist()) == list(range(len(rows)))
    assert np.all(np.diff(order[rows[perm]]) > 0)


def test_dense_round_trip() -> None:
    eligible = np.array([False, True, True, False])
    result = ServiceResult.from_dense(
        eligible=eligible,
        units=np.array([0, 2, 1, 0]),
        score=np.array([0.0, 55.5, 20.0, 0.0]),
        tier=np.array([0, 2, 4, 0]),
        agency=np.array([-1, 1, 3, -1]),
        failed=np.array([0, -1, -1, 2]),
    )
    assert result.rows.tolist() == [1, 2]
    assert result.units.tolist() == [0, 2, 1, 0]
    assert result.score.tolist() == [0.0, 55.5, 20.0, 0.0]
    taken = result.take(np.array([2, 0]))
    assert taken.eligible.tolist() == [True, False]
    assert taken.agency.tolist() == [3, -1]
    assert taken.failed.tolist() == [-1, 0]
