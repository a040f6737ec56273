"""``centres: {method: optimize}``: the solver chooses whole centres per county (issue 13)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from allocator.errors import ScenarioError
from allocator.optimize import Demand, Method, OptimizeParams, SlotParams, optimize
from allocator.optimize.centres import (
    CENTRES_SCHEMA,
    centres_summary,
    centres_table,
    plan_centres,
    whole_centres,
)
from allocator.optimize.model import build_model
from allocator.optimize.sets import ModelSets
from allocator.scenarios import parse_scenario, to_params

TIER_WEIGHTS = (8.0, 4.0, 2.0, 1.0)


def two_counties(units_a: int = 12, units_b: int = 27) -> Demand:
    """County Shiraz (Fars) and county Rey (Tehran), one neighborhood each, one service.

    Shiraz: ``units_a`` tier-2 households holding 200 case files; Rey: ``units_b`` tier-1
    households holding 100 case files.
    """
    demand = pa.table(
        {
            "neighborhood_id": pa.array([1, 2], pa.int32()),
            "service_id": ["visit", "visit"],
            "tier": pa.array([2, 1], pa.int8()),
            "agency": ["welfare_organization"] * 2,
            "units": pa.array([units_a, units_b], pa.int64()),
            "households": pa.array([200, 100], pa.int64()),
            "case_files": pa.array([200, 100], pa.int64()),
        }
    )
    neighborhoods = pa.table(
        {
            "neighborhood_id": pa.array([1, 2], pa.int32()),
            "province": ["Fars", "Tehran"],
            "county": ["Shiraz", "Rey"],
            "custodian": ["welfare_organization"] * 2,
            "population": pa.array([1000, 1000], pa.int64()),
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
    return Demand.from_tables(demand, neighborhoods, services)


def params(method: Method, per_centre: float = 10.0, how: str = "optimize") -> OptimizeParams:
    slots = SlotParams(default_per_center=per_centre, centers_total=3, centres_method=how)
    return OptimizeParams(slots=slots, tier_weights=TIER_WEIGHTS, method=method)


@pytest.mark.parametrize("method", [Method.FAST, Method.MIP])
def test_hand_solved_two_counties_three_centres(method: Method) -> None:
    """Two counties, three centres of 10 slots of one service each, linear objective with
    tier weights 8/4/2/1; nothing else is scarce.

    Shiraz has 12 tier-2 households (4 points each) and 200 case files; Rey 27 tier-1
    households (8 points each) and 100 case files. A county's centres serve only it.

    * Apportionment follows case files: quotas 3 x 200/300 = 2 and 1 -> Shiraz 2, Rey 1:
      Shiraz serves 12 (48 points), Rey 10 (80): 128 points.
    * Whole centres (Shiraz, Rey), every centre placed:
      (0, 3): Rey 27 x 8 = 216; (1, 2): 10 x 4 + 20 x 8 = 200; (2, 1): 128;
      (3, 0): 12 x 4 = 48. Optimum: all three centres in Rey, 216 points: a centre in Rey
      serves up to 10 tier-1 households (80 points), one in Shiraz 10 tier-2 ones (40).
    * LP relaxation: Rey is full at 2.7 centres (216), the last 0.3 serve 3 households of
      Shiraz (12): 228 points. Largest remainder on (0.3, 2.7) keeping 3: whole parts
      (0, 2), the one left to the larger remainder (Rey's 0.7): (0, 3), as the MIP.
    """
    demand = two_counties()
    plan = optimize(demand, params(method))
    assert plan.ok
    assert plan.centres is not None and plan.centres.tolist() == [0.0, 3.0]  # Shiraz, Rey
    assert plan.served.tolist() == pytest.approx([0.0, 27.0], abs=1e-6)
    # the objective also holds the (tiny) worker and centre tie-breaks
    assert plan.objective == pytest.approx(216.0, abs=0.1)
    if method is Method.FAST:
        assert plan.lp_bound == pytest.approx(228.0, abs=0.1)
    centres = plan_centres(plan)
    assert centres is not None and centres.method == "optimize"
    assert centres.county == ("Shiraz", "Rey")
    assert centres.county_centres.tolist() == [0, 3]
    assert centres.apportioned is not None and centres.apportioned.tolist() == [2, 1]
    summary = centres_summary(centres)
    assert summary["moved"] == 2 and summary["total"] == 3
    assert summary["by_province"] == {
        "Fars": {"centres": 0, "apportioned": 2},
        "Tehran": {"centres": 3, "apportioned": 1},
    }
    rows = centres_table(centres).to_pylist()
    assert centres_table(centres).schema == CENTRES_SCHEMA
    assert [(r["level"], r["province"], r["method"], r["apportioned"], r["centres"]) for r in rows][
        :2
    ] == [("province", "Fars", "optimize", 2, 0), ("province", "Tehran", "optimize", 1, 3)]


def test_apportionment_of_the_same_instance_scores_less() -> None:
    """The same instance with ``method: apportion``: Shiraz 2 and Rey 1 centres (128)."""
    plan = optimize(two_counties(), params(Method.FAST, how="apportion"))
    assert plan.centres is None
    assert plan.served.tolist() == pytest.approx([12.0, 10.0], abs=1e-6)
    assert plan.objective == pytest.approx(128.0, abs=0.1)
    centres = plan_centres(plan)
    assert centres is not None and centres.method == "apportion"
    assert centres.county_centres.tolist() == [2, 1]


@pytest.mark.parametrize("method", [Method.FAST, Method.MIP])
def test_where_no_slot_binds_the_centres_follow_case_files(method: Method) -> None:
    """100 slots per centre: any placement serves everyone, so the tie-break (fewest
    centres away from the case-file quotas 2 and 1) gives the apportionment."""
    plan = optimize(two_counties(), params(method, per_centre=100.0))
    assert plan.centres is not None and plan.centres.tolist() == [2.0, 1.0]
    assert plan.served.tolist() == pytest.approx([12.0, 27.0], abs=1e-6)


@pytest.mark.parametrize("method", [Method.FAST, Method.MIP])
def test_whole_centres_add_up_to_the_scenarios_total(method: Method) -> None:
    """Forty neighborhoods in several counties, 23 centres scarce enough to bind."""
    from allocator.optimize import synthetic_demand

    demand = synthetic_demand(40, 6, seed=2)
    county = np.array([f"c{i % 7}" for i in range(demand.n_neighborhoods)], dtype=object)
    demand = _with_county(demand, county)
    slots = SlotParams(default_per_center=40.0, centers_total=23, centres_method="optimize")
    p = OptimizeParams(slots=slots, method=method, budget_total=4e11)
    sets = ModelSets.build(demand, p)
    assert sets.centres is not None and sets.centres.n_groups > 0
    plan = optimize(demand, p)
    assert plan.ok and plan.centres is not None
    assert plan.centres.sum() == 23
    assert np.array_equal(plan.centres, np.round(plan.centres))
    centres = plan_centres(plan)
    assert centres is not None and centres.total == 23
    assert int(centres.hosted.sum()) == 23
    # the plan respects its whole centres' slots
    c = sets.centres
    live = c.row_group >= 0
    served = np.bincount(c.row_group[live], plan.served[live], c.n_groups)
    assert np.all(served <= c.per_centre * plan.centres[c.group_county] + 1e-6)


def _with_county(demand: Demand, county: np.ndarray) -> Demand:
    from dataclasses import replace

    return replace(demand, county=county)


def test_model_blocks_of_the_optimize_method() -> None:
    """The ``centres`` variables are integer; the rows are as docs/model.md says."""
    model = build_model(two_counties(), params(Method.FAST))
    lp = model.program
    assert lp.integer[lp.var_blocks["centres"]].all()
    assert lp.ub[lp.var_blocks["centres"]].tolist() == [3.0, 3.0]
    for block in ("centre_slots", "centres_total", "centres_quota"):
        assert block in lp.row_blocks
    total = lp.row_blocks["centres_total"]
    assert (lp.row_lb[total].tolist(), lp.row_ub[total].tolist()) == ([3.0], [3.0])
    quota = lp.row_blocks["centres_quota"]
    assert lp.row_lb[quota].tolist() == pytest.approx([2.0, 1.0])
    assert "slots" not in lp.row_blocks  # the centres' slots are centre_slots rows only


def test_whole_centres_keep_the_total() -> None:
    assert whole_centres(np.array([0.3, 2.7]), 3).tolist() == [0.0, 3.0]
    assert whole_centres(np.array([1.5, 1.5, 0.0]), 3).tolist() == [2.0, 1.0, 0.0]
    assert whole_centres(np.array([0.0, 0.0]), 2).tolist() == [1.0, 1.0]
    assert whole_centres(np.array([2.0, 2.0]), 3).tolist() == [1.0, 2.0]
    # a county whose LP share is a sliver it needs keeps a whole centre while the total allows
    lp, needed = np.array([3.8, 0.1, 0.1]), np.array([1.0, 0.1, 0.1])
    assert whole_centres(lp, 4).tolist() == [4.0, 0.0, 0.0]
    assert whole_centres(lp, 4, needed=needed).tolist() == [2.0, 1.0, 1.0]
    # more needed than the total: the counties nearest to their whole part lose first
    assert whole_centres(np.array([1.1, 1.9]), 3, needed=np.array([1.1, 1.9])).tolist() == [
        1.0,
        2.0,
    ]


def test_scenario_accepts_optimize_and_names_the_field_of_an_unknown_method() -> None:
    raw = {
        "name": "c",
        "data": {"source": "synthetic", "preset": "tiny"},
        "centres": {"method": "optimize", "total": 7, "default_per_service": 60},
    }
    slots = to_params(parse_scenario(raw)).slots
    assert slots.centres_method == "optimize" and slots.optimize_centres
    with pytest.raises(ScenarioError, match=r"centres\.method: .*'apportion' or 'optimize'"):
        parse_scenario({**raw, "centres": {"method": "greedy", "total": 7}})


def test_summary_cli_line_and_report_say_who_chose_the_centres() -> None:
    from allocator.cli.commands_run import centres_line
    from allocator.optimize.outputs import summary_fields
    from allocator.reports.run_report import centres_section

    fields = summary_fields(optimize(two_counties(), params(Method.FAST)))
    assert fields["centres"] == {
        "method": "optimize",
        "total": 3,
        "counties": 1,
        "moved": 2,
        "by_province": {
            "Fars": {"centres": 0, "apportioned": 2},
            "Tehran": {"centres": 3, "apportioned": 1},
        },
    }
    assert "placed by the optimizer (2 moved" in centres_line(fields["centres"])
    section = centres_section(fields)
    assert section is not None and "apportioned on case files" in section.body
    assert "Tehran" in section.body and "+2" in section.body
    apportioned = summary_fields(optimize(two_counties(), params(Method.FAST, how="apportion")))
    assert apportioned["centres"]["method"] == "apportion"
    assert "apportioned on case files" in centres_line(apportioned["centres"])
