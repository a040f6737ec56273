"""Property-based fuzzing of the API: thousands of generated requests, no 5xx, and no row
written by a refused request.

Households are generated close to the model and then mutated (a value replaced by any
JSON, a key dropped or added), raw bodies are arbitrary bytes or truncated JSON, and
paths and query strings are arbitrary text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.reference import default_registry
from tests.service.conftest import Service, household, neighborhood_of

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)]

ENUMS = {
    "housing": ["owner", "tenant", "informal", "homeless"],
    "case_agency": ["none", "relief_committee", "welfare_organization", "imam_order"],
    "sex": ["female", "male"],
    "relation": ["head", "spouse", "child", "parent", "other"],
    "disability_type": ["none", "physical_motor", "hearing", "visual"],
    "disability_severity": ["none", "mild", "severe"],
    "imprisoned": ["none", "unintentional", "intentional"],
}
FLAGS = ["insured", "in_school", "employed", "street_child", "waste_picker", "woman_at_risk"]

any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
amount = st.integers(min_value=-10, max_value=10**9) | st.sampled_from(
    [0, 10**12, 10**12 + 1, 2**63]
)


@st.composite
def members(draw: st.DrawFn) -> dict[str, Any]:
    m: dict[str, Any] = {
        "age": draw(st.integers(min_value=-5, max_value=130)),
        "sex": draw(st.sampled_from(ENUMS["sex"])),
        "relation": draw(st.sampled_from(ENUMS["relation"])),
    }
    for name in ("disability_type", "disability_severity", "imprisoned"):
        if draw(st.booleans()):
            m[name] = draw(st.sampled_from(ENUMS[name]))
    for name in draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True)):
        m[name] = draw(st.booleans())
    return m


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    ours = [neighborhood_of("welfare_organization", i) for i in range(3)]
    hh: dict[str, Any] = {
        "household_id": draw(st.integers(min_value=-1, max_value=2**63)),
        "neighborhood_id": draw(
            st.sampled_from(ours) | st.integers(min_value=-1, max_value=len(default_registry()) + 5)
        ),
        "income": draw(amount),
        "assets": draw(amount),
        "housing": draw(st.sampled_from(ENUMS["housing"])),
        "case_agency": draw(st.sampled_from(ENUMS["case_agency"])),
        "continuous_pension": draw(st.booleans()),
        "members": [
            {"age": 40, "sex": "female", "relation": "head"},
            *draw(st.lists(members(), max_size=4)),
        ],
    }
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        target: dict[str, Any] = hh
        people = (
            [m for m in hh.get("members", []) if isinstance(m, dict) and m]
            if isinstance(hh.get("members"), list)
            else []
        )
        if people and draw(st.booleans()):
            target = draw(st.sampled_from(people))
        if not target:
            continue
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        key = draw(st.sampled_from(sorted(target)))
        if action == "replace":
            target[key] = draw(any_json)
        elif action == "drop":
            del target[key]
        else:
            target[draw(st.text(min_size=1, max_size=10))] = draw(any_json)
    return hh


def _check(service: Service, before: int, status: int, body: bytes) -> None:
    assert status < 500, body[:500]
    after = service.rows()
    if status == 201:
        assert after == before + 1
    else:
        assert after == before, (status, body[:300])
        assert "error" in json.loads(body)


@FUZZ
@given(body=households(), day=st.none() | st.sampled_from(["2025-06-01", "1999-01-01", "x"]))
def test_generated_households(service: Service, body: dict[str, Any], day: str | None) -> None:
    before = service.rows()
    query = f"?date={day}" if day else ""
    r = service.client.post(f"/v1/eligibility{query}", json=body, headers=service.auth())
    _check(service, before, r.status_code, r.content)


@FUZZ
@given(
    raw=st.binary(max_size=300)
    | st.integers(min_value=1, max_value=400).map(
        lambda n: json.dumps(
            household(neighborhood_id=neighborhood_of("welfare_organization"))
        ).encode()[:n]
    )
)
def test_raw_bodies(service: Service, raw: bytes) -> None:
    before = service.rows()
    r = service.client.post(
        "/v1/eligibility",
        content=raw,
        headers={**service.auth(), "Content-Type": "application/json"},
    )
    _check(service, before, r.status_code, r.content)


@settings(FUZZ, max_examples=400)
@given(
    segment=st.text(
        st.characters(codec="ascii", categories=["L", "N", "P", "S"], exclude_characters="/?#%\\"),
        min_size=1,
        max_size=30,
    ),
    query=st.text(max_size=30),
    route=st.sampled_from(
        ["/v1/decisions/{}", "/v1/decisions/{}/replay", "/v1/households/{}/decisions"]
    ),
)
def test_generated_paths(service: Service, segment: str, query: str, route: str) -> None:
    before = service.rows()
    r = service.client.get(route.format(segment), params={"limit": query}, headers=service.auth())
    assert r.status_code < 500 and r.status_code in (200, 404, 422), r.text
    assert service.rows() == before
