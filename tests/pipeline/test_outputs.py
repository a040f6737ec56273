"""The result directory: parts per row group, reduced tables, summary, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import jdatetime
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from allocator.api.ruleset import RuleSet
from allocator.errors import DataError
from allocator.outputs import verify_dir
from allocator.pipeline import OUTPUTS, RunOptions, classify_dataset
from allocator.pipeline.decisions import COMPACT_SCHEMA
from allocator.pipeline.totals import DEMAND_SCHEMA, WHY_NOT_SCHEMA
from tests.conftest import DAY

PARTS = ["decisions", "rejects", "demand", "why_not", "casefiles"]


def test_outputs(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    summary = classify_dataset(clean_dir, out, ruleset, DAY, threads=1)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, "manifest.json", "parts"])
    assert sorted(p.name for p in (out / "parts").iterdir()) == sorted(
        [f"{kind}-{i:05d}.parquet" for kind in PARTS for i in (0, 1)]
        + [f"summary-{i:05d}.json" for i in (0, 1)]
    )
    assert verify_dir(out) == []

    decisions = pq.read_table(out / "parts" / "decisions-00000.parquet")
    assert decisions.schema == COMPACT_SCHEMA
    rows = decisions.to_pylist()
    school = [r for r in rows if r["service"] == "school_return"]
    assert school == [
        {
            "household_id": 1,
            "neighborhood_id": 1,
            "service": "school_return",
            "tier": school[0]["tier"],
            "units": 1,
            "score": school[0]["score"],
            "agency": "relief_committee",
        }
    ]
    assert all(r["household_id"] in (1, 2) for r in rows)  # only eligible pairs of group 0
    services = [r["service"] for r in rows]
    order = [s.id for s in ruleset.services]
    assert services == sorted(services, key=order.index)  # service by service
    group1 = pq.read_table(out / "parts" / "decisions-00001.parquet").to_pylist()
    assert {"shelter", "addiction_treatment"} <= {r["service"] for r in group1}

    demand = pq.read_table(out / "demand.parquet")
    assert demand.schema == DEMAND_SCHEMA
    shelter = [r for r in demand.to_pylist() if r["service_id"] == "shelter"]
    assert shelter == [
        {
            "neighborhood_id": 1,
            "service_id": "shelter",
            "tier": shelter[0]["tier"],
            "agency": "welfare_organization",
            "units": 1,
            "households": 1,
            "case_files": 1,
        }
    ]
    nutrition = [r for r in demand.to_pylist() if r["service_id"] == "child_nutrition"]
    assert sum(r["case_files"] for r in nutrition) == 0  # the service opens no case file

    catalogue = pq.read_table(out / "services.parquet").to_pylist()
    assert [s["service_id"] for s in catalogue] == [s.id for s in ruleset.services]

    why_not = pq.read_table(out / "why_not.parquet")
    assert why_not.schema == WHY_NOT_SCHEMA
    shelter_why = {
        (r["neighborhood_id"], r["condition_id"]): r["households"]
        for r in why_not.to_pylist()
        if r["service_id"] == "shelter"
    }
    assert shelter_why == {(1, "homeless"): 1, (2, "homeless"): 1}

    written = json.loads((out / "summary.json").read_text())
    assert written == summary
    assert written["ruleset"] == ruleset.identity()
    assert written["date"] == DAY.isoformat() and written["backend"] == "vector"
    jalali = jdatetime.date.fromgregorian(date=DAY)
    assert written["date_jalali"] == jalali.strftime("%Y-%m-%d")
    assert written["fiscal_year"] == jalali.year
    assert written["row_groups"] == 2 and written["engine"] == "local"
    assert {
        "service_id": "shelter",
        "province": "Tehran",
        "tier": shelter[0]["tier"],
        "households": 1,
        "units": 1,
        "people": 1,
    } in written["eligible"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "classification"
    assert manifest["counts"] == {"read": 3, "classified": 3, "rejected": 0}
    assert manifest["ruleset_hash"] == ruleset.hash
    part = json.loads((out / "parts" / "summary-00001.json").read_text())
    assert part["partition"] == 1 and part["households_read"] == 1
    assert "seconds" not in part


def test_wide_decisions(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    classify_dataset(clean_dir, out, ruleset, DAY, options=RunOptions(decisions="wide"))
    decisions = pq.read_table(out / "parts" / "decisions-00000.parquet")
    rows = {r["household_id"]: r for r in decisions.to_pylist()}
    assert list(rows) == [1, 2]
    assert rows[1]["school_return__eligible"] is True
    assert rows[1]["school_return__units"] == 1
    assert rows[1]["school_return__agency"] == "relief_committee"
    assert rows[1]["shelter__eligible"] is False
    assert rows[1]["shelter__tier"] == 0
    assert rows[1]["shelter__failed"] == "homeless"
    assert rows[1]["shelter__agency"] is None
    assert decisions.schema.field("food_package__score").type == pa.float32()
    group1 = pq.read_table(out / "parts" / "decisions-00001.parquet").to_pylist()[0]
    assert group1["shelter__eligible"] is True and group1["shelter__failed"] is None
    assert group1["case_file"] is True
    assert group1["case_file_agency"] == "welfare_organization"


def test_aggregates_only(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    summary = classify_dataset(clean_dir, out, ruleset, DAY, options=RunOptions(decisions="none"))
    assert not list((out / "parts").glob("decisions-*"))
    assert (out / "demand.parquet").exists()
    assert summary["decisions"] == "none"
    assert verify_dir(out) == []


def test_unknown_decisions_layout() -> None:
    with pytest.raises(DataError, match="compact, wide or none"):
        RunOptions(decisions="everything")
