"""Sample decisions: what the texts of a ruleset's decisions look like, for the dictionary
they are stored against (:class:`allocator.service.stored.TextDictionary`).

Three made-up households (a poor family with a disabled child, a woman alone past
retirement age, a working couple with a prisoner's family ties and a street child), each
decided in a few neighborhoods of the registry, by the service's own backend: their
texts hold every service's name, conditions, sources and reasons in both languages, and
the decision's keys, which is most of any decision. Nothing of a real household is in
them.

The samples depend only on the ruleset, the registry and the year, so that every worker
of a service (and every restart in the year) makes the same dictionary.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from allocator.domain import Household, Neighborhood, NeighborhoodRegistry, parse_household
from allocator.errors import AllocatorError

#: Neighborhoods the samples are decided in (of different programs and custodians).
NEIGHBORHOODS = 3


def _member(age: int, sex: str, relation: str, **flags: Any) -> dict[str, Any]:
    return {"age": age, "sex": sex, "relation": relation} | flags


SAMPLES: tuple[dict[str, Any], ...] = (
    {
        "income": 4_000_000,
        "assets": 50_000_000,
        "housing": "tenant",
        "members": [
            _member(41, "male", "head"),
            _member(36, "female", "spouse", insured=True),
            _member(
                9,
                "male",
                "child",
                in_school=True,
                disability_type="physical_motor",
                disability_severity="severe",
            ),
            _member(15, "female", "child", in_school=True, hard_to_treat_disease=True),
        ],
    },
    {
        "income": 0,
        "assets": 0,
        "housing": "informal",
        "members": [_member(68, "female", "head", woman_at_risk=True)],
    },
    {
        "income": 30_000_000,
        "assets": 4_000_000_000,
        "housing": "owner",
        "case_agency": "welfare_organization",
        "continuous_pension": True,
        "members": [
            _member(52, "male", "head", employed=True, insured=True, drug_addiction=True),
            _member(47, "female", "spouse", employed=True, insured=True),
            _member(12, "male", "child", street_child=True, waste_picker=True),
            _member(24, "male", "child", imprisoned="unintentional"),
        ],
    },
)


class Decides(Protocol):
    """An explaining backend (:func:`allocator.backends.registry.explaining_backend`)."""

    def decide(self, household: Household, neighborhood: Neighborhood, day: date) -> Any: ...


def sample_neighborhoods(registry: NeighborhoodRegistry) -> list[Neighborhood]:
    """The first neighborhoods (by id) of :data:`NEIGHBORHOODS` different kinds
    (programs and custodian)."""
    chosen: dict[tuple[Any, ...], Neighborhood] = {}
    for n in sorted(registry, key=lambda n: n.neighborhood_id):
        chosen.setdefault((n.programs, n.custodian), n)
        if len(chosen) == NEIGHBORHOODS:
            break
    return list(chosen.values())


def sample_texts(backend: Decides, registry: NeighborhoodRegistry, dump: Any, today: date) -> bytes:
    """The JSON texts (``dump(decision)``, UTF-8) of the sample households decided on the
    first day of ``today``'s year (or on ``today``, where the ruleset's parameters do not
    cover that day), one after the other; empty if neither day can be decided."""
    for day in (date(today.year, 1, 1), today):
        try:
            return b"".join(
                dump(backend.decide(household, n, day)) for household, n in _samples(registry)
            )
        except AllocatorError:  # e.g. a parameter not in force on that day
            continue
    return b""


def _samples(registry: NeighborhoodRegistry) -> list[tuple[Household, Neighborhood]]:
    return [
        (parse_household(sample | {"household_id": i, "neighborhood_id": n.neighborhood_id}), n)
        for n in sample_neighborhoods(registry)
        for i, sample in enumerate(SAMPLES, start=1)
    ]
