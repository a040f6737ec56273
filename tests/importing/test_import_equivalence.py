"""Importing an agency's files and classifying them decides as the same households in Parquet.

The ``tiny`` synthetic data set is written out in the example agency's format (CSV with
Persian headers, digits and Jalali dates; and xlsx written with openpyxl), imported with
``examples/agency/mapping.yaml``, and classified; the decisions of every household equal
those of the original Parquet data set, household by household (matched by case file).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from allocator.api.ruleset import default_rules_dir
from allocator.data.writer import write_dataset
from allocator.importing import import_dataset
from allocator.loading import load_ruleset
from allocator.pipeline import RunOptions, classify_dataset

from .agency import write_csv, write_mapping, write_xlsx

DAY = date(2023, 6, 1)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "data"
    write_dataset("tiny", 0, out, row_group_households=700)
    return out


def _decisions(data_dir: Path, out: Path, ids: dict[int, int] | None = None) -> pa.Table:
    ruleset = load_ruleset(default_rules_dir())
    classify_dataset(data_dir, out, ruleset, DAY, options=RunOptions(decisions="wide"))
    table = pa.concat_tables(pq.read_table(p) for p in sorted((out / "parts").glob("decisions-*")))
    if ids is not None:
        original = [ids[h] for h in table.column("household_id").to_pylist()]
        table = table.set_column(0, "household_id", pa.array(original, pa.int64()))
    return table.sort_by("household_id")


def _original_ids(data_dir: Path) -> dict[int, int]:
    case_files = pq.read_table(data_dir / "case_files.parquet").to_pylist()
    return {r["household_id"]: int(r["case_file"].split("-")[1]) for r in case_files}


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_same_decisions_as_parquet(original: Path, tmp_path: Path, writer: object) -> None:
    households, members = writer(original, tmp_path / "agency", DAY)  # type: ignore[operator]
    imported = tmp_path / "imported"
    mapping = write_mapping(tmp_path / "mapping.yaml")
    result = import_dataset(
        mapping,
        households,
        members,
        imported,
        DAY,
        neighborhoods=original,
        row_group_households=500,
    )
    source = pq.read_table(original / "households.parquet")
    assert result.counts["households"] == source.num_rows
    assert result.counts["reject_rows"] == 0
    ids = _original_ids(imported)
    expected = _decisions(original, tmp_path / "classified-original")
    got = _decisions(imported, tmp_path / "classified-imported", ids)
    assert got.column_names == expected.column_names
    for name in expected.column_names:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    # the imported members carry their national IDs; the members are the same people
    m_orig = pq.read_table(original / "members.parquet")
    m_imp = pq.read_table(imported / "members.parquet")
    assert m_imp.num_rows == m_orig.num_rows
    assert m_imp.column("national_id").null_count == 0
    assert pc.sum(m_imp.column("age")).as_py() == pc.sum(m_orig.column("age")).as_py()
