"""One case file per household, held by one agency (issue 13)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.pipeline import classify_dataset
from allocator.pipeline.casefiles import CASEFILES_FILE, CASEFILES_SCHEMA

from .conftest import household, member, write_dataset

DAY = date(2025, 1, 1)


def test_three_file_opening_services_make_one_file(tmp_path: Path, ruleset: RuleSet) -> None:
    """Household 1 (no file yet) is eligible for shelter, social emergency and addiction
    treatment, three Behzisti services that open a file: one new Behzisti file. Household 2
    has an IKRC file and a Behzisti-only need (rehabilitation, addiction): one registered
    IKRC file. Household 3 needs nothing that opens a file. Household 4 (another
    neighborhood, Behzisti file, homeless) is one registered Behzisti file."""
    groups = [
        (
            [
                household(1, housing="homeless"),
                household(2, case_agency="relief_committee"),
                household(3, income=900_000_000),
            ],
            [
                member(1, drug_addiction=True),
                member(2, disability_type="visual", disability_severity="severe"),
                member(2, relation="spouse", sex="male", drug_addiction=True),
                member(3),
            ],
        ),
        (
            [household(4, 2, housing="homeless", case_agency="welfare_organization")],
            [member(4)],
        ),
    ]
    data = write_dataset(tmp_path / "data", groups)
    out = tmp_path / "out"
    summary = classify_dataset(data, out, ruleset, DAY, threads=1)

    demand = pq.read_table(out / "demand.parquet").to_pylist()
    per_service = {r["service_id"] for r in demand if r["case_files"] and r["neighborhood_id"] == 1}
    assert {"shelter", "social_emergency", "addiction_treatment"} <= per_service
    old_count = sum(r["case_files"] for r in demand if r["neighborhood_id"] == 1)
    assert old_count >= 5  # the demand rows count a file per household and service

    table = pq.read_table(out / CASEFILES_FILE)
    assert table.schema == CASEFILES_SCHEMA
    rows = {(r["neighborhood_id"], r["agency"]): (r["files"], r["registered"]) for r in
            table.to_pylist()}  # fmt: skip
    assert rows == {
        (1, "relief_committee"): (1, 1),
        (1, "welfare_organization"): (1, 0),
        (2, "welfare_organization"): (1, 1),
    }
    assert summary["case_files"] == 3
    assert summary["case_files_registered"] == 2
