"""``decision_json`` writes pydantic's bytes, with the JSON of shared lists written once.

Whole decisions of every preset are compared in
``tests/backends/explained/test_remembered.py``; here, a decision with every field set and
values at the edges of JSON (non-finite and signed-zero floats, large and small numbers,
control characters, non-ASCII text, an integer beyond 64 bits).
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from allocator.decisions.model import (
    ConditionText,
    ConditionTrace,
    Decision,
    EntityDecision,
    Fact,
    PriorityTrace,
    ServiceDecision,
    Shared,
    TermTrace,
)
from allocator.decisions.serialize import decision_json

JSON = TypeAdapter(Decision)
ODD = [
    float("nan"),
    float("inf"),
    -0.0,
    1e16,
    1e-7,
    0.1 + 0.2,
    5e-324,
    2**63 - 1,
    '\x01\n\u2028"\\/',
]


def _decision(value: object = 1.5, traces: list[ConditionTrace] | None = None) -> Decision:
    trace = ConditionTrace(
        id="poor", expression="income < line", explain="poor", status="failed", left=value,
        op="<", right=[value, "ü"], values={"income": value},
        facts=[Fact(name="income", label="درآمد", value=value, op=">=", threshold=value,
                    threshold_name="line", unit="toman", assumption=True, sources=["seed 000"])],
        source="seed", reason="Not met\t(ü)", reason_fa="برقرار نیست",
    )  # fmt: skip
    term = TermTrace(id="t", explain="e", expression="x > 1", applied=True, points=-0.0)
    priority = PriorityTrace(base=0.1, terms=[term], score=1e16, tier=2, thresholds=[0.5, 1e-7])
    service = ServiceDecision(
        service_id="food", name="Food", name_fa="غذا", entity="member", eligible=True, units=1,
        need_score=float("nan"), tier=1, agency="relief", failed_condition="poor",
        failed_conditions=["poor"], why_not_member=0, opens_case_file=True, provenance="seed",
        conditions=Shared([ConditionText(id="poor", expression="income < line", explain="x")]),
        details=[
            EntityDecision(member=0, eligible=False, failed_condition="poor",
                           conditions=traces if traces is not None else [trace]),
            EntityDecision(member=1, eligible=True, conditions=Shared([trace]), priority=priority),
        ],
    )  # fmt: skip
    return Decision(
        household_id=2**40, neighborhood_id=7, date="2026-03-01", date_jalali="1404-12-10",
        fiscal_year=1404, ruleset={"version": "2026.1", "hash": "ab"}, services=[service],
        case_file=True, case_file_agency="relief", case_file_services=["food"],
        variables={"x": value, "flag": True, "name": "ü"},
    )  # fmt: skip


@pytest.mark.parametrize("value", ODD, ids=repr)
def test_the_bytes_are_pydantics(value: object) -> None:
    """Every field is set: one added to a decision's dataclasses and not to the writer
    fails here."""
    decision = _decision(value)
    assert decision_json(decision) == JSON.dump_json(decision)


def test_an_integer_beyond_64_bits_is_written_by_pydantic() -> None:
    decision = _decision(2**70)
    assert decision_json(decision) == JSON.dump_json(decision)
    assert b"1180591620717411303424" in decision_json(decision)


def test_a_shared_list_is_written_once() -> None:
    """The JSON of a shared list is kept on it, and a later decision inserts it as is; a
    plain list is written every time."""
    traces: Shared[ConditionTrace] = Shared(_decision().services[0].details[0].conditions)
    first = _decision(traces=traces)
    assert not hasattr(traces, "json")
    expected = JSON.dump_json(first)
    assert decision_json(first) == expected
    assert traces.json == TypeAdapter(list[ConditionTrace]).dump_json(traces)
    traces.json = traces.json.replace(b'"poor"', b'"kept"', 1)  # what was kept is what is written
    assert b'"kept"' in decision_json(_decision(traces=traces))
    plain = list(traces)
    assert decision_json(_decision(traces=plain)) == expected
