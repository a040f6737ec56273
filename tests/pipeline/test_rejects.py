"""Invalid rows are set aside with a reason; read = classified + rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.outputs import verify_dir
from allocator.pipeline import RunOptions, classify_dataset
from tests.conftest import DAY
from tests.pipeline.conftest import household, member, write_dataset


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path, ruleset: RuleSet) -> None:
    groups = [
        (
            [
                household(1),
                household(2, income=-5),
                household(3, nid=99),
                household(4),  # no member
                household(5),  # two heads
                household(6),  # member too old
                household(7),  # disability mismatch
                household(8),
            ],
            [
                member(1),
                member(2),
                member(3),
                member(5),
                member(5),
                member(6, age=121),
                member(7, disability_type="visual"),
                member(8),
                member(8, age=-1, relation="child"),
                member(42),  # orphan: no household 42 in this row group
            ],
        ),
        ([household(9, assets=-1), household(10)], [member(9), member(10)]),
    ]
    data = write_dataset(tmp_path / "data", groups)
    summary = classify_dataset(data, tmp_path / "out", ruleset, DAY)
    parts = tmp_path / "out" / "parts"
    rejects = pq.read_table(parts / "rejects-00000.parquet").to_pylist()
    rejects += pq.read_table(parts / "rejects-00001.parquet").to_pylist()
    reasons = {(r["household_id"], r["row_group"]): r["reason"] for r in rejects}
    assert reasons == {
        (2, 0): "negative income",
        (3, 0): "unknown neighborhood_id",
        (4, 0): "no member",
        (5, 0): "not exactly one head",
        (6, 0): "member: age out of range 0-120",
        (7, 0): "member: disability type and severity disagree",
        (8, 0): "member: age out of range 0-120",
        (42, 0): "orphan member (household_id not in its row group's households)",
        (9, 1): "negative assets",
    }
    assert summary["households_read"] == 10
    assert summary["households_rejected"] == 8
    assert summary["households_classified"] == 2
    assert summary["orphan_member_rows"] == 1
    assert summary["rejected_by_reason"]["member: age out of range 0-120"] == 2
    decided = {
        hid
        for i in (0, 1)
        for hid in pq.read_table(parts / f"decisions-{i:05d}.parquet")
        .column("household_id")
        .to_pylist()
    }
    assert decided <= {1, 10}
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (
        written["households_read"]
        == written["households_classified"] + written["households_rejected"]
    )
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"] == {"read": 10, "classified": 2, "rejected": 8}
    assert verify_dir(tmp_path / "out") == []


def test_members_out_of_order_are_regrouped(tmp_path: Path, ruleset: RuleSet) -> None:
    groups = [
        ([household(1), household(2)], [member(2), member(1), member(1, age=3, relation="child")])
    ]
    data = write_dataset(tmp_path / "data", groups)
    options = RunOptions(decisions="wide")
    summary = classify_dataset(data, tmp_path / "out", ruleset, DAY, options=options)
    assert summary["households_classified"] == 2
    assert summary["members_classified"] == 3
    table = pq.read_table(tmp_path / "out" / "parts" / "decisions-00000.parquet")
    assert table.column("household_id").to_pylist() == [1, 2]
    assert table.column("child_nutrition__units").to_pylist() == [1, 0]
