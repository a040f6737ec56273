"""Looking neighborhood ids up: the dense table and the sorted search agree."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest

from allocator.errors import DataError
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


def test_facts_and_provinces_are_coded() -> None:
    raw = _table([4, 2]).table.sort_by([("neighborhood_id", "descending")])  # ids 4, 2
    for column, values in {
        "setting": ["rural", "urban"],
        "custodian": ["imam_order", "relief_committee"],
        "province": ["Q", "P"],
    }.items():
        raw = raw.set_column(raw.schema.get_field_index(column), column, pa.array(values))
    table = NeighborhoodTable.from_arrow(raw)  # sorted by id: 2, then 4
    assert table.ids.tolist() == [2, 4]
    assert table.facts["urban"].tolist() == [True, False]
    assert table.facts["custodian"].tolist() == [1, 3]
    assert table.provinces == ("P", "Q") and table.province.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("setting", "suburban", "column 'setting' has unknown value(s) ['suburban']"),
        ("custodian", "ministry", "column 'custodian' has unknown value(s) ['ministry']"),
        ("province", None, "missing values in 'province'"),
    ],
)
def test_bad_values_name_the_column(column: str, value: str | None, message: str) -> None:
    good = _table([1, 2]).table
    values = good.column(column).to_pylist()
    values[1] = value
    bad = good.set_column(good.schema.get_field_index(column), column, pa.array(values))
    with pytest.raises(DataError, match=re.escape(message)):
        NeighborhoodTable.from_arrow(bad)
