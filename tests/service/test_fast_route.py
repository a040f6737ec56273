"""``POST /v1/eligibility`` without FastAPI's dependency solving answers as FastAPI does."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from allocator.service import api
from allocator.service.auth import agency
from allocator.service.fast_route import DATE_MAX, PARAMETERS, AgencyDateRoute
from tests.service.conftest import DAY, Service, household


def _route() -> AgencyDateRoute:
    (route,) = [r for r in api.router.routes if getattr(r, "path", "") == "/v1/eligibility"]
    assert isinstance(route, AgencyDateRoute)
    return route


def test_the_route_declares_what_the_fast_path_reads() -> None:
    route = _route()
    assert tuple(inspect.signature(route.endpoint).parameters) == PARAMETERS
    (query,) = route.dependant.query_params
    assert query.alias == "date"
    assert [m.max_length for m in query.field_info.metadata if hasattr(m, "max_length")] == [
        DATE_MAX
    ]
    assert not route.dependant.body_params and not route.dependant.header_params
    assert [d.call for d in route.dependant.dependencies][-1] is agency  # the caller


def _answer(r: Any) -> tuple[int, Any, dict[str, str]]:
    try:
        body = r.json()
    except json.JSONDecodeError:
        body = r.text
    if isinstance(body, dict):
        for volatile in ("decision_id", "recorded_at", "instance"):
            body.pop(volatile, None)
    headers = {
        k: v for k, v in r.headers.items() if k.lower() in ("www-authenticate", "retry-after")
    }
    return r.status_code, body, headers


CASES: list[tuple[str, str, Any, str | None]] = [
    # (query, who, body, expected fast?) - who: a token's owner, "" none, "bad" unknown
    (f"?date={DAY}", "welfare_organization", household(), "fast"),
    ("", "welfare_organization", household(), "fast"),
    ("?date=1404-03-11", "welfare_organization", household(), "fast"),
    ("?date=", "welfare_organization", household(), "fast"),
    ("?date=2025-13-01", "welfare_organization", household(), "fast"),
    (f"?date={DAY}&date=2025-06-02", "welfare_organization", household(), "fast"),
    (f"?date={DAY}", "", household(), "fast"),
    (f"?date={DAY}", "bad", household(), "fast"),
    (f"?date={DAY}", "planner", household(), "fast"),
    (f"?date={DAY}", "relief_committee", household(), "fast"),
    (f"?date={DAY}", "welfare_organization", {"household_id": 1}, "fast"),
    (f"?date={DAY}", "welfare_organization", household(household_id=0), "fast"),
    ("?dat=2025-06-01", "welfare_organization", household(), None),
    ("?date=" + "1" * (DATE_MAX + 1), "welfare_organization", household(), None),
    ("?date=" + "1" * (DATE_MAX + 1), "", household(), None),
]


@pytest.mark.parametrize(("query", "who", "body", "fast"), CASES)
def test_the_fast_path_answers_as_fastapi_does(
    service: Service, query: str, who: str, body: Any, fast: str | None
) -> None:
    route = _route()
    headers = (
        {} if not who else (service.auth(who) if who != "bad" else {"Authorization": "Bearer x"})
    )
    answers = []
    for way in (True, False):
        route.fast = way
        before = route.fast_requests
        try:
            r = service.client.post(f"/v1/eligibility{query}", json=body, headers=headers)
        finally:
            route.fast = True
        assert route.fast_requests - before == (1 if way and fast else 0)
        answers.append(_answer(r))
    assert answers[0] == answers[1]
