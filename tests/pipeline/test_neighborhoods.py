"""Looking neighborhood ids up: the dense table and the sorted search agree."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from allocator.pipeline.neighborhoods import NeighborhoodTable


def _table(ids: list[int]) -> NeighborhoodTable:
    n = len(ids)
    return NeighborhoodTable.from_arrow(
        pa.table(
            {
                "neighborhood_id": ids,
                "name": ["n"] * n,
                "province": ["P"] * n,
                "county": ["C"] * n,
                "setting": ["urban"] * n,
                "custodian": ["relief_committee"] * n,
                "target_2020": [True] * n,
                "informal_settlement": [False] * n,
                "mazandaran_56": [False] * n,
            }
        )
    )


@pytest.mark.parametrize("ids", [[3, 1, 7], [5, 2**40, 9]])
def test_locate(ids: list[int]) -> None:
    table = _table(ids)
    query = np.array([7, 1, 0, -4, 3, 8, 2**40, 2**41, 9, 5], dtype=np.int64)
    expected = [table.ids.tolist().index(q) if q in ids else -1 for q in query.tolist()]
    assert table.locate(query).tolist() == expected
