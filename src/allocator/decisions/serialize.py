"""A decision's JSON, written with the parts that entities alike share written once.

:func:`decision_json` gives exactly the bytes of ``pydantic.TypeAdapter(Decision).dump_json``
(the schema, the field order, the numbers and the escapes are pydantic's; the tests compare
both on many households). It is faster because most of a decision is lists that do not
change (:class:`~allocator.decisions.model.Shared`, :class:`~allocator.decisions.model
.SharedService`): the traces the explaining engines give every entity that reads the same
values, each service's condition texts, and the refusals of households alike. Their JSON is
kept on the list the first time, and later decisions insert it as it is
(``orjson.Fragment``); everything else is written by orjson, whose output for these types
is pydantic's (UTF-8, no spaces, the same shortest float form, ``null`` for NaN and the
infinities). A value orjson cannot write (an integer beyond 64 bits) sends the whole
decision to pydantic.

Examples:
    >>> from allocator.decisions.model import Decision
    >>> from pydantic import TypeAdapter
    >>> decision = Decision(household_id=1, neighborhood_id=2, date="2026-03-01",
    ...                     ruleset={"version": "1"}, services=[], case_file=False)
    >>> decision_json(decision) == TypeAdapter(Decision).dump_json(decision)
    True
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import TypeAdapter

from allocator.decisions.model import (
    ConditionText,
    ConditionTrace,
    Decision,
    EntityDecision,
    PriorityTrace,
    ServiceDecision,
    Shared,
    SharedService,
)

_DECISION = TypeAdapter(Decision)
_TRACES = TypeAdapter(list[ConditionTrace])
_TEXTS = TypeAdapter(list[ConditionText])


def decision_json(decision: Decision) -> bytes:
    """The decision's JSON (UTF-8), byte for byte ``TypeAdapter(Decision).dump_json``."""
    try:
        return orjson.dumps(_decision(decision))
    except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits
        return _DECISION.dump_json(decision)


def _written(items: list[Any], adapter: TypeAdapter[Any]) -> orjson.Fragment:
    """The JSON of a list, kept on it when it is :class:`Shared`."""
    if isinstance(items, Shared):
        written: bytes | None = getattr(items, "json", None)
        if written is None:
            written = items.json = adapter.dump_json(items)
        return orjson.Fragment(written)
    return orjson.Fragment(adapter.dump_json(items))


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "household_id": d.household_id,
        "neighborhood_id": d.neighborhood_id,
        "date": d.date,
        "date_jalali": d.date_jalali,
        "fiscal_year": d.fiscal_year,
        "ruleset": d.ruleset,
        "services": [_service(s) for s in d.services],
        "case_file": d.case_file,
        "case_file_agency": d.case_file_agency,
        "case_file_services": d.case_file_services,
        "variables": d.variables,
    }


def _service(s: ServiceDecision) -> dict[str, Any] | orjson.Fragment:
    if isinstance(s, SharedService):
        written: bytes | None = getattr(s, "json", None)
        if written is None:
            written = s.json = orjson.dumps(_fields(s))
        return orjson.Fragment(written)
    return _fields(s)


def _fields(s: ServiceDecision) -> dict[str, Any]:
    return {
        "service_id": s.service_id,
        "name": s.name,
        "name_fa": s.name_fa,
        "entity": s.entity,
        "eligible": s.eligible,
        "units": s.units,
        "need_score": s.need_score,
        "tier": s.tier,
        "agency": s.agency,
        "failed_condition": s.failed_condition,
        "failed_conditions": s.failed_conditions,
        "why_not_member": s.why_not_member,
        "opens_case_file": s.opens_case_file,
        "provenance": s.provenance,
        "conditions": _written(s.conditions, _TEXTS),
        "details": [_entity(e) for e in s.details],
    }


def _entity(e: EntityDecision) -> dict[str, Any]:
    return {
        "member": e.member,
        "eligible": e.eligible,
        "failed_condition": e.failed_condition,
        "conditions": _written(e.conditions, _TRACES),
        "priority": None if e.priority is None else _priority(e.priority),
    }


def _priority(p: PriorityTrace) -> dict[str, Any]:
    return {
        "base": p.base,
        "terms": [
            {
                "id": t.id,
                "explain": t.explain,
                "expression": t.expression,
                "applied": t.applied,
                "points": t.points,
            }
            for t in p.terms
        ],
        "score": p.score,
        "tier": p.tier,
        "thresholds": p.thresholds,
    }
