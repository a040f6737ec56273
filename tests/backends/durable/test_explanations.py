"""Complete explanations: every failed condition, with facts, units, sources, assumptions."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from allocator.backends.durable import DurableBackend
from allocator.backends.scalar import compute
from allocator.decisions.model import Decision
from allocator.domain import Household, Neighborhood, parse_household
from allocator.domain.inputs import household_inputs, member_inputs
from allocator.expressions.scalar import compiled
from tests.conftest import DAY
from tests.parity.test_parity import RULES, cases


def _decide(durable: DurableBackend, nb: Neighborhood, **extra: Any) -> Decision:
    data: dict[str, Any] = {
        "household_id": 9,
        "neighborhood_id": 1,
        "income": 90_000_000,
        "assets": 0,
        "continuous_pension": True,
        "members": [{"age": 40, "sex": "female", "relation": "head"}],
    }
    data.update(extra)
    return durable.decide(parse_household(data), nb, DAY)


def test_a_family_on_a_pension_is_told_so_with_every_other_reason(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    pension = _decide(durable, target_neighborhood).service("financial_continuous")
    assert not pension.eligible
    assert pension.failed_condition == "below_poverty_line"  # the first: bulk counts use it
    assert pension.failed_conditions == [
        "below_poverty_line",
        "no_employable_member",
        "no_pension_yet",
    ]
    traces = {c.id: c for c in pension.details[0].conditions}
    assert traces["assets_under_ceiling"].status == "passed"
    told = traces["no_pension_yet"]
    assert told.reason == (
        "Not met: The household does not already receive a continuous pension "
        "(continuous pension: yes)."
    )
    assert told.reason_fa == "برقرار نیست: خانوار از پیش مستمری دریافت نمی‌کند."
    assert told.source.startswith("Seed 003")
    work = traces["no_employable_member"]
    assert "at least one member works or could work: yes" in work.reason
    assert "not has_employable_member" not in work.reason  # a sentence, not an expression


def test_a_threshold_has_its_value_unit_source_and_assumption_flag(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    food = _decide(durable, target_neighborhood).service("food_package")
    trace = next(c for c in food.details[0].conditions if c.id == "below_poverty_line")
    (fact,) = trace.facts
    assert (fact.name, fact.value, fact.op, fact.threshold) == (
        "per_capita_income",
        90_000_000,
        ">=",
        5_000_000,
    )
    assert fact.unit == "toman per person per month" and fact.assumption
    assert fact.sources == [
        "poverty_line.urban: assumption: no official line in the seeds; order of magnitude "
        "of published estimates"
    ]
    assert trace.reason == (
        "Not met: Monthly income per member is below the poverty line (monthly income per "
        "member is 90,000,000 toman per person per month, at least the poverty line "
        "that applies to the household (urban or rural) of 5,000,000 (an assumption))."
    )
    assert trace.reason_fa == (
        "برقرار نیست: درآمد ماهانه هر عضو خانوار کمتر از خط فقر است "
        "(مقدار ۹۰٬۰۰۰٬۰۰۰ تومان برای هر نفر در ماه، دست‌کم برابر حد ۵٬۰۰۰٬۰۰۰ (حد فرضی است))."
    )


def test_a_parameter_with_a_source_is_cited_and_not_flagged(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    caseload = RULES.parameters["caseload.files_per_worker"]
    assert not caseload.assumption and caseload.source is not None
    assert caseload.source.describe().startswith("Seed 001")
    assert RULES.parameters["age.working_max"].assumption


def test_a_derived_condition_is_opened_to_the_comparison_that_failed(
    durable: DurableBackend, target_neighborhood: Neighborhood
) -> None:
    old = _decide(
        durable,
        target_neighborhood,
        members=[{"age": 70, "sex": "male", "relation": "head"}],
    ).service("micro_employment")
    trace = next(c for c in old.details[0].conditions if c.id == "working_age")
    assert trace.status == "failed"
    (fact,) = trace.facts
    assert (fact.name, fact.value, fact.op, fact.threshold, fact.unit) == (
        "age",
        70,
        ">",
        60,
        "years",
    )
    assert "age is 70 years, above the last age of working-age members of 60" in trace.reason
    assert "مقدار ۷۰ سال، بیشتر از حد ۶۰ (حد فرضی است)" in trace.reason_fa


def _truth(household: Household, neighborhood: Neighborhood) -> dict[str, list[list[bool]]]:
    env = compute(
        RULES,
        household_inputs(household, neighborhood),
        [member_inputs(m) for m in household.members],
        RULES.parameters.at(DAY),
    )
    found: dict[str, list[list[bool]]] = {}
    for service in RULES.services:
        scopes = (
            [env.scope(None)]
            if service.entity == "household"
            else [env.scope(i) for i in range(len(household.members))]
        )
        found[service.id] = [
            [bool(compiled(c.expr)(scope)) for c in service.conditions] for scope in scopes
        ]
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_failed_condition_is_listed_and_explained(
    case: tuple[Household, Neighborhood],
) -> None:
    household, neighborhood = case
    decision = DurableBackend(RULES).decide(household, neighborhood, DAY)
    truth = _truth(household, neighborhood)
    for service in decision.services:
        conditions = RULES.service_by_id[service.service_id].conditions
        for detail, holds in zip(service.details, truth[service.service_id], strict=True):
            failed = [c.id for c in detail.conditions if c.status == "failed"]
            expected = [c.id for c, ok in zip(conditions, holds, strict=True) if not ok]
            assert failed == expected
            assert detail.failed_condition == (failed[0] if failed else None)
            shown = not service.eligible and detail.member == service.why_not_member
            for trace in detail.conditions:
                if trace.status == "failed" and shown:
                    assert trace.reason.startswith("Not met: ") and trace.facts
                    assert trace.reason_fa.startswith("برقرار نیست: ")
                else:
                    assert not trace.reason and not trace.facts
        if not service.eligible:
            assert service.failed_conditions and service.failed_conditions[0] == (
                service.failed_condition
            )
