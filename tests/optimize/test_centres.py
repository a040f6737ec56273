"""Centres as entities: whole centres per county, following case files (issue 13, seed 001)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from allocator.errors import ScenarioError
from allocator.optimize import Demand, OptimizeParams, SlotParams
from allocator.optimize.centres import CENTRES_SCHEMA, apportion_centres, centres_table
from allocator.optimize.sets import ModelSets, slot_capacity
from allocator.scenarios import parse_scenario, to_params

# Three counties in two provinces. Case files: X-1 has 500 + 100, X-2 has 250, Y-1 has 150
# (1,000 in all). 7 centres: quotas 4.2, 1.75, 1.05 -> floors 4, 1, 1 (6), the one left to
# the largest remainder (X-2's 0.75): 4, 2, 1.
PROVINCE = np.array(["X", "X", "X", "Y"], dtype=object)
COUNTY = np.array(["X-1", "X-1", "X-2", "Y-1"], dtype=object)
FILES = np.array([500.0, 100.0, 250.0, 150.0])


def test_whole_centres_per_county_by_largest_remainder() -> None:
    plan = apportion_centres(PROVINCE, COUNTY, FILES, 7)
    assert plan.county == ("X-1", "X-2", "Y-1")
    assert plan.county_quota.tolist() == pytest.approx([4.2, 1.75, 1.05])
    assert plan.county_centres.tolist() == [4, 2, 1]
    # X-1's 4 centres over its neighborhoods: quotas 3.33 and 0.67 -> 3 and 1.
    assert plan.hosted.tolist() == [3, 1, 2, 1]
    # Every centre of a county serves it all, capacity shared by case files.
    assert plan.equivalents.tolist() == pytest.approx([4 * 5 / 6, 4 / 6, 2.0, 1.0])
    rows = centres_table(plan).to_pylist()
    assert [(r["level"], r["province"], r["county"], r["centres"]) for r in rows] == [
        ("province", "X", None, 6),
        ("province", "Y", None, 1),
        ("county", "X", "X-1", 4),
        ("county", "X", "X-2", 2),
        ("county", "Y", "Y-1", 1),
    ]
    assert centres_table(plan).schema == CENTRES_SCHEMA


def test_few_centres_leave_counties_without_one_and_make_satellites() -> None:
    plan = apportion_centres(PROVINCE, COUNTY, FILES, 1)
    assert plan.county_centres.tolist() == [1, 0, 0]  # the largest quota (0.6)
    assert plan.hosted.tolist() == [1, 0, 0, 0]
    assert plan.equivalents.tolist() == pytest.approx([5 / 6, 1 / 6, 0.0, 0.0])
    x1 = next(r for r in centres_table(plan).to_pylist() if r["county"] == "X-1")
    assert (x1["hosts"], x1["satellites"], x1["neighborhoods"]) == (1, 1, 2)


def test_no_files_no_centres() -> None:
    plan = apportion_centres(PROVINCE, COUNTY, np.zeros(4), 5)
    assert plan.total == 0 and plan.equivalents.tolist() == [0.0] * 4


def _demand() -> Demand:
    ids = [1, 2, 3, 4]
    demand = pa.table(
        {
            "neighborhood_id": pa.array(ids, pa.int32()),
            "service_id": ["visit"] * 4,
            "tier": pa.array([1] * 4, pa.int8()),
            "agency": ["welfare_organization"] * 4,
            "units": pa.array([900, 900, 900, 900], pa.int64()),
            "households": pa.array([900, 900, 900, 900], pa.int64()),
            "case_files": pa.array([900, 900, 900, 900], pa.int64()),
        }
    )
    neighborhoods = pa.table(
        {
            "neighborhood_id": pa.array(ids, pa.int32()),
            "province": PROVINCE.tolist(),
            "county": COUNTY.tolist(),
            "custodian": ["welfare_organization"] * 4,
            "population": pa.array([1000] * 4, pa.int64()),
        }
    )
    services = pa.table(
        {
            "service_id": ["visit"],
            "name": ["visit"],
            "entity": ["household"],
            "agency": ["welfare_organization"],
            "unit_cost": [1e6],
            "opens_case_file": [True],
        }
    )
    casefiles = pa.table(
        {
            "neighborhood_id": pa.array(ids, pa.int32()),
            "agency": ["welfare_organization"] * 4,
            "files": pa.array(FILES.astype(np.int64)),
            "registered": pa.array([100, 0, 0, 0], pa.int64()),
        }
    )
    return Demand.from_tables(demand, neighborhoods, services, casefiles=casefiles)


def test_slot_capacity_comes_from_the_centres_serving_the_neighborhood() -> None:
    demand = _demand()
    slots = SlotParams(centers_total=7, default_per_center=60, centres_method="apportion")
    cap = slot_capacity(demand, slots, demand.neighborhood_case_files())
    assert cap[:, 0].tolist() == pytest.approx([200.0, 40.0, 120.0, 60.0])
    sets = ModelSets.build(demand, OptimizeParams(slots=slots))
    assert sets.case_files.tolist() == FILES.tolist()  # one file per household
    assert sets.group_cap.tolist() == pytest.approx([200.0, 40.0, 120.0, 60.0])


def test_scenario_centres_section() -> None:
    raw = {
        "name": "c",
        "data": {"source": "synthetic", "preset": "tiny"},
        "centres": {"method": "apportion", "total": 7, "default_per_service": 60},
    }
    params = to_params(parse_scenario(raw))
    assert params.slots.centres_method == "apportion"
    assert (params.slots.centers_total, params.slots.default_per_center) == (7.0, 60)
    both = {**raw, "resources": {"slots": {"centers_total": 5}}}
    with pytest.raises(ScenarioError, match="centres"):
        parse_scenario(both)
    with pytest.raises(ScenarioError, match=r"centres\.method"):
        parse_scenario({**raw, "centres": {"method": "proportional", "total": 7}})
