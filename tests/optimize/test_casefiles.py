"""The optimizer's case files: one per household, from the classification's table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from allocator.errors import DataError
from allocator.optimize.casefiles import CaseFiles

from .test_centres import _demand


def test_demand_reads_one_file_per_household() -> None:
    demand = _demand()
    assert demand.casefiles is not None
    assert demand.neighborhood_case_files().tolist() == [500.0, 100.0, 250.0, 150.0]
    assert demand.neighborhood_registered().tolist() == [100.0, 0.0, 0.0, 0.0]
    # The rows (900 files each, one per service) are scaled down to the households' files.
    assert demand.row_case_files().tolist() == [500.0, 100.0, 250.0, 150.0]


def test_filters_keep_the_case_files_in_step() -> None:
    demand = _demand()
    part = demand.take_neighborhoods(np.array([False, True, False, True]))
    assert part.neighborhood_case_files().tolist() == [100.0, 150.0]
    none = demand.select_agencies(["relief_committee"])
    assert none.neighborhood_case_files().tolist() == [0.0] * 4


def test_bad_case_file_tables_are_refused() -> None:
    ids = np.array([1, 2])
    table = pa.table({"neighborhood_id": [1], "agency": ["nobody"], "files": [1],
                      "registered": [0]})  # fmt: skip
    with pytest.raises(DataError, match="unknown agency"):
        CaseFiles.from_table(table, ids, ("relief_committee",))
    table = pa.table({"neighborhood_id": [1], "agency": ["relief_committee"], "files": [1],
                      "registered": [2]})  # fmt: skip
    with pytest.raises(DataError, match="registered"):
        CaseFiles.from_table(table, ids, ("relief_committee",))
    with pytest.raises(DataError, match="lacks"):
        CaseFiles.from_table(table.drop(["files"]), ids, ("relief_committee",))
