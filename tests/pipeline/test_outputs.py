"""The output tables: decisions, demand for the optimizer, catalogue, why-not, summary."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.pipeline import OUTPUTS, classify_dataset
from allocator.pipeline.totals import DEMAND_SCHEMA
from tests.conftest import DAY


def test_outputs(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    summary = classify_dataset(clean_dir, out, ruleset, DAY, threads=1)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)

    decisions = pq.read_table(out / "decisions.parquet")
    assert decisions.num_rows == 3
    rows = {r["household_id"]: r for r in decisions.to_pylist()}
    assert rows[1]["school_return__eligible"] is True
    assert rows[1]["school_return__units"] == 1
    assert rows[1]["school_return__agency"] == "relief_committee"
    assert rows[1]["shelter__eligible"] is False
    assert rows[1]["shelter__tier"] == 0
    assert rows[1]["shelter__failed"] == "homeless"
    assert rows[1]["shelter__agency"] is None
    assert rows[3]["shelter__eligible"] is True and rows[3]["shelter__failed"] is None
    assert rows[3]["case_file"] is True
    assert rows[3]["case_file_agency"] == "welfare_organization"
    assert decisions.schema.field("food_package__score").type == pa.float32()

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

    services = pq.read_table(out / "services.parquet").to_pylist()
    assert [s["service_id"] for s in services] == [s.id for s in ruleset.services]

    why_not = pq.read_table(out / "why_not.parquet").to_pylist()
    assert {"service_id": "shelter", "condition_id": "homeless", "households": 2} in why_not

    written = json.loads((out / "summary.json").read_text())
    assert written == summary
    assert written["ruleset"] == ruleset.identity()
    assert written["date"] == DAY.isoformat() and written["backend"] == "vector"
    assert {
        "province": "Tehran",
        "service_id": "shelter",
        "tier": shelter[0]["tier"],
        "households": 1,
        "units": 1,
        "people": 1,
    } in written["eligible"]


def test_aggregates_only(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    classify_dataset(clean_dir, out, ruleset, DAY, decisions=False)
    assert not (out / "decisions.parquet").exists()
    assert (out / "demand.parquet").exists()
