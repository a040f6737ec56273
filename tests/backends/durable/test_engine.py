from __future__ import annotations

import json

import pytest

from allocator.backends.durable import DurableBackend
from allocator.domain import Neighborhood, parse_household
from allocator.errors import InputError, ParameterNotCoveredError
from tests.conftest import DAY


def _household(**extra: object) -> dict:
    return {
        "household_id": 5,
        "neighborhood_id": 1,
        "income": 4_000_000,
        "assets": 0,
        "members": [
            {"age": 40, "sex": "female", "relation": "head"},
            {"age": 10, "sex": "male", "relation": "child"},
        ],
        **extra,
    }


def test_an_eligible_service_explains_conditions_and_score(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    decision = durable.decide(parse_household(_household()), target_neighborhood, DAY)
    food = decision.service("food_package")
    assert food.eligible and food.agency == "relief_committee"
    detail = food.details[0]
    below = next(c for c in detail.conditions if c.id == "below_poverty_line")
    assert below.status == "passed"
    assert (below.left, below.op, below.right) == (2_000_000.0, "<", 5_000_000)
    priority = detail.priority
    assert priority is not None
    applied = {t.id: t.points for t in priority.terms if t.applied}
    assert applied == {"deep_poverty": 40.0, "female_headed": 15.0}
    assert priority.score == 65.0 == food.need_score and food.tier == 1


def test_why_not_names_the_first_failing_condition_with_its_values(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    decision = durable.decide(
        parse_household(_household(income=40_000_000)), target_neighborhood, DAY
    )
    food = decision.service("food_package")
    assert not food.eligible and food.failed_condition == "below_poverty_line"
    statuses = [(c.id, c.status) for c in food.details[0].conditions]
    assert statuses == [
        ("target_resident", "passed"),
        ("below_poverty_line", "failed"),
        ("assets_under_ceiling", "passed"),  # every condition is evaluated and explained
    ]
    failed = food.details[0].conditions[1]
    assert (failed.left, failed.right) == (20_000_000.0, 5_000_000)


def test_member_services_report_units_and_the_furthest_failure(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    decision = durable.decide(parse_household(_household()), target_neighborhood, DAY)
    school = decision.service("school_return")
    assert school.eligible and school.units == 1
    assert [d.eligible for d in school.details] == [False, True]
    micro = decision.service("micro_employment")
    assert not micro.eligible and micro.failed_condition == "pension_dependent"


def test_an_existing_case_file_keeps_its_agency(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    hh = parse_household(_household(case_agency="imam_order"))
    decision = durable.decide(hh, target_neighborhood, DAY)
    assert decision.service("food_package").agency == "imam_order"
    assert decision.case_file and decision.case_file_agency == "imam_order"


def test_decisions_record_the_ruleset_and_are_json(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    decision = durable.decide(parse_household(_household()), target_neighborhood, DAY)
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["ruleset"]["hash"] == durable.ruleset.hash
    assert len(data["services"]) == len(durable.ruleset.services)


def test_same_input_same_decision(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    hh = parse_household(_household())
    first = durable.decide(hh, target_neighborhood, DAY).to_dict()
    assert durable.decide(hh, target_neighborhood, DAY).to_dict() == first


def test_a_date_without_parameters_is_a_clear_error(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    from datetime import date

    with pytest.raises(ParameterNotCoveredError, match="2019-01-01"):
        durable.decide(parse_household(_household()), target_neighborhood, date(2019, 1, 1))


def test_the_neighborhood_must_be_the_households(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    with pytest.raises(InputError, match="neighborhood_id"):
        durable.decide(parse_household(_household(neighborhood_id=2)), target_neighborhood, DAY)
