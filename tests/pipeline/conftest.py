"""Small hand-made data directories, written with pyarrow following domain.tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from allocator.domain.tables import (
    HOUSEHOLDS_FILE,
    HOUSEHOLDS_SCHEMA,
    MEMBERS_FILE,
    MEMBERS_SCHEMA,
    NEIGHBORHOODS_FILE,
    NEIGHBORHOODS_SCHEMA,
)

NEIGHBORHOODS = [
    {
        "neighborhood_id": 1,
        "name": "a",
        "province": "Tehran",
        "county": "T-1",
        "setting": "urban",
        "custodian": "relief_committee",
        "target_2020": True,
        "informal_settlement": False,
        "mazandaran_56": False,
        "population": 100,
    },
    {
        "neighborhood_id": 2,
        "name": "b",
        "province": "Gilan",
        "county": "G-1",
        "setting": "rural",
        "custodian": "imam_order",
        "target_2020": False,
        "informal_settlement": True,
        "mazandaran_56": False,
        "population": 50,
    },
]


def household(hid: int, nid: int = 1, **values: Any) -> dict[str, Any]:
    row = {
        "household_id": hid,
        "neighborhood_id": nid,
        "income": 1_000_000,
        "assets": 0,
        "housing": "tenant",
        "case_agency": "none",
        "continuous_pension": False,
    }
    row.update(values)
    return row


def member(hid: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "household_id": hid,
        "age": 40,
        "sex": "female",
        "relation": "head",
        "insured": False,
        "disability_type": "none",
        "disability_severity": "none",
        "hard_to_treat_disease": False,
        "in_school": False,
        "employed": False,
        "drug_addiction": False,
        "street_child": False,
        "waste_picker": False,
        "woman_at_risk": False,
        "imprisoned": "none",
    }
    row.update(values)
    return row


def write_dataset(
    directory: Path,
    groups: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
    households_schema: pa.Schema = HOUSEHOLDS_SCHEMA,
    members_schema: pa.Schema = MEMBERS_SCHEMA,
) -> Path:
    """Write row groups of (households, members) and the two neighborhoods."""
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pylist(NEIGHBORHOODS, NEIGHBORHOODS_SCHEMA), directory / NEIGHBORHOODS_FILE
    )
    with (
        pq.ParquetWriter(directory / HOUSEHOLDS_FILE, households_schema) as hw,
        pq.ParquetWriter(directory / MEMBERS_FILE, members_schema) as mw,
    ):
        for households, members in groups:
            hw.write_table(pa.Table.from_pylist(households, households_schema))
            mw.write_table(pa.Table.from_pylist(members, members_schema))
    return directory


@pytest.fixture()
def clean_dir(tmp_path: Path) -> Path:
    groups = [
        (
            [household(1), household(2, 2, income=0)],
            [member(1), member(1, age=8, relation="child", sex="male"), member(2)],
        ),
        ([household(3, housing="homeless")], [member(3, drug_addiction=True)]),
    ]
    return write_dataset(tmp_path / "data", groups)


@pytest.fixture(scope="session")
def tiny_groups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny preset (2,000 households) in row groups of 300: seven partitions."""
    from allocator.data.writer import write_dataset

    data = tmp_path_factory.mktemp("tiny") / "data"
    write_dataset("tiny", 0, data, row_group_households=300)
    return data
