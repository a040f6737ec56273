"""Bad input is refused with a 4xx naming the field, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.conftest import DAY, Service, household


def _member(**changes: Any) -> dict[str, Any]:
    return {"age": 40, "sex": "female", "relation": "head", **changes}


CASES: list[tuple[str, Any, str]] = [
    ("malformed JSON", b'{"household_id": 1,', "body"),
    ("not an object", b"[1, 2, 3]", "household"),
    ("wrong type", household(income="a lot"), "income"),
    ("bool for int", household(income=True), "income"),
    ("absurd age", household(members=[_member(age=500)]), "members[0].age"),
    ("negative assets", household(assets=-1), "assets"),
    ("absurd income", household(income=10**15), "income"),
    ("unknown enum", household(housing="palace"), "housing"),
    ("unknown field", household(favourite_colour="blue"), "favourite_colour"),
    ("no members", household(members=[]), "members"),
    ("two heads", household(members=[_member(), _member()]), "household"),
    ("unknown neighborhood", household(neighborhood_id=99_999_999), "neighborhood_id"),
    ("huge id", household(household_id=2**70), "household_id"),
    ("float id", household(household_id=1.5), "household_id"),
    ("null", b"null", "household"),
    ("NaN", b'{"household_id": NaN}', "household_id"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_the_field_and_nothing_written(
    service: Service, body: Any, field: str
) -> None:
    content = body if isinstance(body, bytes) else None
    r = service.client.post(
        f"/v1/eligibility?date={DAY}",
        content=content,
        json=None if content is not None else body,
        headers={**service.auth(), "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["field"] == field, r.json()
    assert service.rows() == 0
    assert service.client.get("/healthz").status_code == 200


def test_a_bad_date_names_the_field(service: Service) -> None:
    r = service.client.post(
        "/v1/eligibility?date=yesterday", json=household(), headers=service.auth()
    )
    assert r.status_code == 422 and r.json()["field"] == "date"
    r = service.client.post(
        "/v1/eligibility?date=1900-01-01", json=household(), headers=service.auth()
    )
    assert r.status_code == 422 and r.json()["field"] == "date"
    assert service.rows() == 0


def test_unknown_decision_is_404(service: Service) -> None:
    r = service.client.get("/v1/decisions/no-such-id", headers=service.auth())
    assert r.status_code == 404
    r = service.client.get("/v1/households/0/decisions", headers=service.auth())
    assert r.status_code == 422 and r.json()["field"] == "household_id"


def test_an_unknown_query_parameter_is_refused_every_time(service: Service) -> None:
    for _ in range(2):  # the second request reads the route's names from its cache
        r = service.client.post(
            "/v1/eligibility?dat=2025", json=household(), headers=service.auth()
        )
        assert r.status_code == 422 and r.json()["field"] == "dat", r.text
    assert service.rows() == 0
    path = "/v1/households/1001/decisions"
    r = service.client.get(path + "?limt=5", headers=service.auth())
    assert r.status_code == 422 and r.json()["field"] == "limt"
    assert service.client.get(path + "?limit=5", headers=service.auth()).status_code == 200
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    assert r.status_code == 201 and service.rows() == 1
