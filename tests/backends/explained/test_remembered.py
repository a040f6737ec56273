"""Facts, sentences and traces remembered across households are those a fresh walk writes.

:class:`~allocator.backends.explained.explain.Explainer` keeps the facts and sentences of
failed conditions by the values they depend on, and each entity's condition traces by the
values its conditions read (shared between entities: explaining one must not change
another's), and the explained traces of entities alike. A backend that remembers nothing
decides the same households (every data preset, three dates interleaved so that the
parameters change between one household and the next, and every rule test case) and the
decisions' JSON must be the same bytes, written by pydantic or by
:func:`~allocator.decisions.serialize.decision_json` (which keeps the JSON of shared lists).
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter

from allocator.backends.explained import PythonBackend
from allocator.data.presets import DATA_PRESETS
from allocator.decisions.model import ConditionTrace, Decision, SharedService
from allocator.decisions.serialize import decision_json
from allocator.domain import Household, Neighborhood, parse_household
from tests.backends.explained.test_python_parity import CASES, DAYS, differences
from tests.backends.explained.test_python_parity import preset_households as households
from tests.parity.test_parity import RULES

JSON = TypeAdapter(Decision)
TRACES = TypeAdapter(list[ConditionTrace])


def _forgetful() -> PythonBackend:
    backend = PythonBackend(RULES)
    for explainer in backend._explainers.values():
        explainer.remembered = 0
    return backend


def _compare(pairs: list[tuple[Household, Neighborhood, date]]) -> int:
    remembering, forgetful = PythonBackend(RULES), _forgetful()
    for household, neighborhood, day in pairs:
        got = remembering.decide(household, neighborhood, day)
        expected = forgetful.decide(household, neighborhood, day)
        found = list(
            differences(JSON.dump_python(expected, mode="json"), JSON.dump_python(got, mode="json"))
        )
        assert not found, f"household {household.household_id} on {day}:\n" + "\n".join(found[:9])
        assert JSON.dump_json(got) == JSON.dump_json(expected)
        assert decision_json(got) == decision_json(expected) == JSON.dump_json(expected)
    assert not any(e._said or e._traced or e._explained for e in forgetful._explainers.values())
    return sum(len(e._said) for e in remembering._explainers.values())


@pytest.mark.parametrize("preset", sorted(DATA_PRESETS))
def test_remembered_explanations_are_those_written_afresh(preset: str) -> None:
    found = households(preset, seed=11)
    pairs = [(h, n, DAYS[i % len(DAYS)]) for i, (h, n) in enumerate(found)]
    remembered = _compare(pairs + pairs[::-1])  # the second pass is answered from memory
    assert 0 < remembered < 2 * len(pairs) * 20


def test_entities_alike_share_their_explained_traces() -> None:
    """The same household decided again gets the same (shared) lists of traces, explained
    ones included, and the same decisions of the services it is refused, once each was
    asked for twice (the memory keeps an entry on its second asking: the traces on the
    second decision, their explanation on the third, the refusal made of both on the
    fourth); what an earlier decision shared is written from its JSON."""
    backend = PythonBackend(RULES)
    household, neighborhood = households("mazandaran", seed=11)[0]
    day = DAYS[0]
    for _ in range(3):
        backend.decide(household, neighborhood, day)
    first = backend.decide(household, neighborhood, day)
    written = decision_json(first)
    again = backend.decide(household, neighborhood, day)
    refused = [s for s in first.services if not s.eligible]
    assert refused and all(isinstance(s, SharedService) for s in refused)
    for one, other in zip(first.services, again.services, strict=True):
        assert (one is other) == (not one.eligible)  # a refusal alike is the same decision
        for a, b in zip(one.details, other.details, strict=True):
            assert a.conditions is b.conditions
            assert getattr(b.conditions, "json", None) == TRACES.dump_json(a.conditions)
    assert decision_json(again) == written == JSON.dump_json(again)


def test_rule_cases_are_explained_alike_from_memory() -> None:
    pairs = [(parse_household(c.household_data()), c.neighborhood_model(), c.date) for c in CASES]
    _compare(pairs + pairs)


def test_other_parameters_are_not_answered_from_memory() -> None:
    """A threshold read straight from a parameter is not among the remembered values: a
    household alike under other parameters gets facts written afresh."""
    backend = PythonBackend(RULES)
    day, later = date(2025, 6, 1), date(2025, 6, 2)
    ceiling = backend.parameters(day)["assets.ceiling"]
    backend._params[later] = {**backend.parameters(day), "assets.ceiling": ceiling * 2}
    household = parse_household(
        {"household_id": 1, "neighborhood_id": 1, "income": 0, "assets": ceiling * 3,
         "members": [{"age": 40, "sex": "female", "relation": "head"}]}
    )  # fmt: skip
    neighborhood = Neighborhood(
        neighborhood_id=1, name="n", province="Tehran", county="Tehran-01", setting="urban",
        custodian="imam_order", programs=("neighborhoods_2020",),
    )  # fmt: skip

    def threshold(on: date) -> object:
        food = backend.decide(household, neighborhood, on).service("food_package")
        trace = next(c for d in food.details for c in d.conditions if c.facts)
        assert trace.id == "assets_under_ceiling"
        return trace.facts[0].threshold

    assert threshold(day) == ceiling
    assert threshold(later) == ceiling * 2


def test_an_explained_trace_keeps_every_field_of_the_trace() -> None:
    """``_explained`` writes its copy out field by field: a field added to
    ``ConditionTrace`` and not copied there fails here."""
    import dataclasses

    from allocator.backends.explained.explain import _explained
    from allocator.decisions.model import ConditionTrace, Fact

    given: dict[str, object] = {}
    for f in dataclasses.fields(ConditionTrace):
        given[f.name] = {"values": {"x": 1}, "facts": [], "status": "failed", "left": 3}.get(
            f.name, f"<{f.name}>"
        )
    trace = ConditionTrace(**given)  # type: ignore[arg-type]
    facts = [Fact(name="x", label="x", value=1)]
    new = _explained(trace, facts, "said", "گفته")
    written = {"facts": facts, "reason": "said", "reason_fa": "گفته"}
    for f in dataclasses.fields(ConditionTrace):
        expected = written.get(f.name, given[f.name])
        assert getattr(new, f.name) == expected, f.name
    assert new is not trace and trace.facts == [] and trace.reason == "<reason>"


def test_what_is_one_household_s_own_is_not_kept() -> None:
    """Households that differ only in their income get traces, facts and refusals of
    their own for the services that read it: nothing of those is kept (each is asked for
    once), while what they share (the other services) is."""
    backend = PythonBackend(RULES)
    day = DAYS[0]
    neighborhood = Neighborhood(
        neighborhood_id=1, name="n", province="Tehran", county="Tehran-01", setting="urban",
        custodian="imam_order", programs=("neighborhoods_2020",),
    )  # fmt: skip
    line = backend.parameters(day)["poverty_line.urban"]
    count = 60
    for i in range(count):
        household = parse_household(
            {"household_id": i + 1, "neighborhood_id": 1, "income": line * 2 + i * 1_000,
             "assets": 0, "members": [{"age": 40, "sex": "female", "relation": "head"}]}
        )  # fmt: skip
        food = backend.decide(household, neighborhood, day).service("food_package")
        assert not food.eligible and food.failed_condition == "below_poverty_line"
    food_memory = backend._explainers["food_package"]
    assert len(food_memory._said) == 0  # the facts name each household's income
    # A refusal is keyed by the ids of its lists, and a list freed gives its id to a later
    # one: now and then a new refusal looks asked before and is kept (harmless: it keeps
    # its lists, so its key stays true), never one a household.
    assert len(food_memory.refusals) + len(food_memory._explained) < count // 10
    shelter = backend._explainers["shelter"]  # reads nothing that differs
    assert len(shelter._traced) == 1 and len(shelter.refusals) == 1
