"""Run rule test cases through an engine and report what differs.

Examples:
    >>> from allocator.ruletests.cases import Expected
    >>> compare_service("food_package", Expected(eligible=True, tier=1),
    ...                 {"eligible": True, "tier": 2, "agency": "imam_order"})
    ['food_package: tier is 2, expected 1']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.domain.household import parse_household
from allocator.ruletests.cases import Expected, RuleCase

#: An engine as the runner sees it: a case in, per service the decided fields out.
Decider = Callable[[RuleCase], Mapping[str, Mapping[str, Any]]]

_FIELDS = {
    "eligible": "eligible",
    "tier": "tier",
    "agency": "agency",
    "units": "units",
    "need_score": "need_score",
    "why_not": "failed_condition",
}


@dataclass(frozen=True)
class CaseResult:
    case: RuleCase
    engine: str
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def compare_service(service_id: str, expected: Expected, got: Mapping[str, Any]) -> list[str]:
    """The differences between what a case expects of a service and what was decided."""
    failures = []
    for name, key in _FIELDS.items():
        want = getattr(expected, name)
        if name != "eligible" and want is None:
            continue
        if got.get(key) != want:
            failures.append(f"{service_id}: {name} is {got.get(key)!r}, expected {want!r}")
    return failures


def durable_decider(backend: Any) -> Decider:
    """A :data:`Decider` backed by the durable-rules backend."""

    def decide(case: RuleCase) -> dict[str, dict[str, Any]]:
        household = parse_household(case.household_data())
        decision = backend.decide(household, case.neighborhood_model(), case.date)
        return {
            s.service_id: {
                "eligible": s.eligible,
                "tier": s.tier,
                "agency": s.agency,
                "units": s.units,
                "need_score": s.need_score,
                "failed_condition": s.failed_condition,
            }
            for s in decision.services
        }

    return decide


def run_case(case: RuleCase, decider: Decider, engine: str) -> CaseResult:
    """Run one case; unknown services in ``expect`` are failures too."""
    try:
        decided = decider(case)
    except Exception as exc:  # a case that cannot run is a failing case, with its reason
        return CaseResult(case, engine, [f"could not decide: {exc}"])
    failures = []
    for service_id, expected in case.expect.items():
        if service_id not in decided:
            failures.append(f"{service_id}: no such service in the ruleset")
            continue
        failures += compare_service(service_id, expected, decided[service_id])
    return CaseResult(case, engine, failures)


def coverage_gaps(ruleset: RuleSet, cases: Iterable[RuleCase]) -> list[str]:
    """What the cases leave untested: every service must be seen eligible and ineligible,
    and every condition must be the why-not of some case."""
    eligible: set[str] = set()
    ineligible: set[str] = set()
    why_not: set[tuple[str, str]] = set()
    for case in cases:
        for service_id, expected in case.expect.items():
            (eligible if expected.eligible else ineligible).add(service_id)
            if expected.why_not:
                why_not.add((service_id, expected.why_not))
    gaps = []
    for service in ruleset.services:
        if service.id not in eligible:
            gaps.append(f"{service.id}: no case where it is eligible")
        if service.id not in ineligible:
            gaps.append(f"{service.id}: no case where it is not eligible")
        for cond in service.conditions:
            if (service.id, cond.id) not in why_not:
                gaps.append(f"{service.id}: no case failing condition '{cond.id}'")
    return gaps
