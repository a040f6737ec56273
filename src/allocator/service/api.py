"""The ``/v1`` routes: eligibility, decisions, replay, rules, stats.

Routes are thin: they check access, call :class:`~allocator.service.state.ServiceState`
and shape the answer. Database reads run in the thread pool; an eligibility decision (about
a millisecond of CPU) runs on the event loop and waits for the audit writer's commit.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from allocator.calendar import parse_day
from allocator.domain.household import household_if_valid, parse_household
from allocator.errors import InputError
from allocator.service import audit
from allocator.service.auth import AgencyCaller, Caller, State, check_custody
from allocator.service.fast_route import AgencyDateRoute
from allocator.service.schemas import (
    DecisionRecord,
    ErrorBody,
    HouseholdDecisions,
    Replay,
    Stats,
)
from allocator.service.state import ServiceState
from allocator.service.store import Prepared
from allocator.service.tokens import Principal
from allocator.service.views import (
    decision_record,
    decision_summary,
    rules_document,
    ruleset_of,
    stats_document,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 413, 422, 429)
}


def _query_names(route: object) -> frozenset[str]:
    """The query parameters ``route`` declares, its dependencies' included."""
    dependant = getattr(route, "dependant", None)
    known: set[str] = set()
    pending = [dependant] if dependant is not None else []
    while pending:
        current = pending.pop()
        known.update(p.alias for p in current.query_params)
        pending.extend(current.dependencies)
    return frozenset(known)


#: Attribute under which a route keeps its declared query names (read once per route).
_KNOWN_QUERY = "_allocator_query_names"


async def no_unknown_query(request: Request) -> None:
    """422 for a query parameter the route does not declare (a misspelt ``?dat=`` must not
    be silently ignored)."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    known: frozenset[str] | None = getattr(route, _KNOWN_QUERY, None)
    if known is None:
        known = _query_names(route)
        if route is not None:
            setattr(route, _KNOWN_QUERY, known)
    for name in request.query_params:
        if name not in known:
            raise InputError(f"{name}: unknown query parameter", field=name)


router = APIRouter(prefix="/v1", responses=ERRORS, dependencies=[Depends(no_unknown_query)])

DecisionDate = Annotated[
    str | None,
    Query(
        alias="date",
        max_length=32,
        description="Decision date (default: today): 1402-01-01 is Jalali (a year below "
        "1700), 2023-03-21 Gregorian; ambiguous dates are refused",
    ),
]
HouseholdId = Annotated[int, Path(ge=1, le=2**62)]
DecisionId = Annotated[str, Path(min_length=1, max_length=64)]


def _number(text: str) -> int | float:
    """A JSON number with a fraction or exponent: an integer when it is one (JSON Schema's
    ``integer`` admits ``2400.0``), exactly; otherwise a float (refused where an integer
    is due).

    Examples:
        >>> _number("2400.0"), _number("1e3"), _number("1.5")
        (2400, 1000, 1.5)
    """
    value = Decimal(text)
    if value.is_finite() and value == value.to_integral_value() and abs(value) < 10**30:
        return int(value)
    return float(text)


def _decide(
    state: ServiceState, caller: Principal, body: bytes, when: date
) -> tuple[Prepared, bytes]:
    """Validate, check custody, decide (in that order: a refusal writes nothing)."""
    household = household_if_valid(body)  # the usual request: valid as sent, parsed once
    if household is None:  # else integer-valued numbers made integers, then every problem
        try:
            data = json.loads(body, parse_float=_number)
        except (ValueError, RecursionError, ArithmeticError):
            raise InputError("body: not valid JSON", field="body") from None
        if not isinstance(data, dict):
            raise InputError("household: must be a JSON object", field="household")
        household = parse_household(json.dumps(data))
    neighborhood = state.neighborhood_of(household)
    check_custody(caller, neighborhood.custodian.value)
    return state.prepare_decision(household, neighborhood, when)


async def eligibility(
    request: Request,
    caller: AgencyCaller,
    day: DecisionDate = None,
) -> Response:
    """Only the agency in custody of the household's neighborhood may ask (else 403).

    The answer comes after the decision is committed to the audit log.
    """
    state: ServiceState = request.app.state.service  # (a dependency less to resolve)
    when = parse_day(day) if day is not None else date.today()
    body = await request.body()
    # On the event loop: about a millisecond of CPU under the GIL either way, and a hop to
    # the thread pool and back cost a quarter of that (docs/notes/h16fast.md).
    prepared, output = _decide(state, caller, body, when)
    # Answered only once the writer has committed the batch holding this decision.
    row = await state.writer.submit_async(prepared)
    # (logged with the access line, which gives the Location: limits.EnvelopeMiddleware)
    head = json.dumps({"decision_id": row["decision_id"], "recorded_at": row["created_at"]})
    # One copy of the 50 KB decision (concatenating its slice took three: 25 us, not 2).
    tail = (b",", memoryview(output)[1:]) if output != b"{}" else (b"}",)
    content = b"".join((head[:-1].encode(), *tail))
    return Response(
        content,
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/v1/decisions/{row['decision_id']}"},
    )


# Its ordinary requests skip FastAPI's dependency solving (fast_route.py); its OpenAPI is
# FastAPI's, from the declaration above.
router.add_api_route(
    "/eligibility",
    eligibility,
    methods=["POST"],
    status_code=201,
    summary="Decide and explain every service for one household, and record it",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Household"}}},
        },
        "responses": {
            "201": {
                "description": "The explained decision, with its decision_id",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/RecordedDecision"}
                    }
                },
            }
        },
    },
    route_class_override=AgencyDateRoute,
)


@router.get("/households/{household_id}/decisions", response_model=HouseholdDecisions)
def household_decisions(
    household_id: HouseholdId,
    caller: AgencyCaller,
    state: State,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """A household's decisions in the caller's custody, newest first."""
    rows = state.store.for_household(household_id, caller.agency, limit)
    return {"household_id": household_id, "decisions": [decision_summary(r) for r in rows]}


def _visible_row(state: ServiceState, caller: AgencyCaller, decision_id: str) -> dict[str, Any]:
    row = state.store.get(decision_id)
    if row is None:
        raise HTTPException(404, "no such decision")
    check_custody(caller, row["custodian"])
    return row


@router.get("/decisions/{decision_id}", response_model=DecisionRecord)
def get_decision(decision_id: DecisionId, caller: AgencyCaller, state: State) -> dict[str, Any]:
    """A recorded decision with its ruleset version and hash and its exact input."""
    return decision_record(_visible_row(state, caller, decision_id))


@router.get("/decisions/{decision_id}/replay", response_model=Replay)
def replay(decision_id: DecisionId, caller: AgencyCaller, state: State) -> dict[str, Any]:
    """Re-evaluate a recorded decision's input; nothing is written."""
    row = _visible_row(state, caller, decision_id)
    stored, new = state.replay(row)
    before = {s["service_id"]: s for s in stored.get("services", [])}
    changed = [s["service_id"] for s in new["services"] if before.get(s["service_id"]) != s] + [
        sid for sid in before if sid not in {s["service_id"] for s in new["services"]}
    ]
    current = state.ruleset.identity()
    return {
        "decision_id": decision_id,
        "same": stored == new,
        "same_ruleset": ruleset_of(row) == current,
        "recorded_ruleset": ruleset_of(row),
        "current_ruleset": current,
        "changed_services": changed,
        "output": new,
    }


@router.get("/decisions/{decision_id}/proof", responses={409: {"model": ErrorBody}})
def proof(decision_id: DecisionId, caller: AgencyCaller, state: State) -> dict[str, Any]:
    """The decision's inclusion proof in the Merkle tree of the newest signed checkpoint.

    Check it with `allocator audit verify-proof FILE --public-key KEY.pub`: no other
    decision is needed. 409 while no checkpoint covers the decision yet.
    """
    _visible_row(state, caller, decision_id)
    directory = state.settings.checkpoint_dir
    if directory is None:
        raise HTTPException(409, "this service keeps no checkpoints (--checkpoint-dir)")
    try:
        found = audit.prove(state.store, decision_id, directory)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    if found is None:
        raise HTTPException(404, "no such decision")
    return found


@router.get("/rules", summary="The ruleset in force")
def rules(caller: Caller, state: State) -> dict[str, Any]:
    """Version, hash, services with provenance and conditions, dated parameters."""
    return rules_document(state.ruleset)


@router.get("/stats", response_model=Stats)
def stats(caller: Caller, state: State) -> dict[str, Any]:
    """Counts of decisions by service and tier: all of them for a planner, the custody's
    for an agency."""
    total, groups = state.store.stats(caller.agency if caller.role == "agency" else None)
    return stats_document(total, groups)
