"""The eligibility API end to end, on SQLite (and PostgreSQL when available)."""

from __future__ import annotations

import json
from datetime import date

from allocator.backends.durable import DurableBackend
from allocator.domain import parse_household
from allocator.reference import default_registry
from tests.service.conftest import DAY, Service, household


def test_eligibility_returns_the_explained_decision_and_records_it(service: Service) -> None:
    body = household()
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth())
    assert r.status_code == 201, r.text
    data = r.json()
    decision_id = data.pop("decision_id")
    data.pop("recorded_at")
    hh = parse_household(body)
    expected = DurableBackend(service.state.ruleset).decide(
        hh, default_registry().get(hh.neighborhood_id), date.fromisoformat(DAY)
    )
    assert data == json.loads(json.dumps(expected.to_dict()))
    assert r.headers["Location"] == f"/v1/decisions/{decision_id}"
    assert service.rows() == 1


def test_every_response_carries_the_ruleset_headers(service: Service) -> None:
    version, digest = service.state.ruleset.version, service.state.ruleset.hash
    for r in (
        service.client.get("/healthz"),
        service.client.get("/"),
        service.client.get("/v1/rules"),  # 401
        service.client.get("/nowhere"),  # 404
        service.client.post("/v1/eligibility", content=b"x" * 100_000),  # 413
    ):
        assert r.headers["X-Ruleset-Version"] == version, r.status_code
        assert r.headers["X-Ruleset-Hash"] == digest


def test_a_recorded_decision_has_its_input_ruleset_and_chain(service: Service) -> None:
    posted = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    ).json()
    r = service.client.get(f"/v1/decisions/{posted['decision_id']}", headers=service.auth())
    assert r.status_code == 200
    record = r.json()
    assert record["ruleset"] == service.state.ruleset.identity()
    assert record["input"]["members"][1]["street_child"] is True
    assert record["custodian"] == "welfare_organization" and record["date"] == DAY
    assert record["output"]["services"] == posted["services"]
    assert record["prev_hash"] == "0" * 64 and len(record["hash"]) == 64


def test_a_household_is_recorded_alike_however_its_numbers_are_written(
    service: Service,
) -> None:
    """A body valid as sent is parsed once; one with integer-valued fractions or exponents
    (JSON Schema integers), or a repeated key (the last counts), takes the longer way: the
    same household is recorded and decided either way."""
    plain = json.dumps(household()).encode()
    variants = [
        plain,
        plain.replace(b'"income": 6000000', b'"income": 6000000.0'),
        plain.replace(b'"assets": 150000000', b'"assets": 1.5e8'),
        plain.replace(b'"income": 6000000', b'"income": 1, "income": 6000000'),
    ]
    assert len(set(variants)) == len(variants)
    records = []
    for body in variants:
        r = service.client.post(
            f"/v1/eligibility?date={DAY}",
            content=body,
            headers=service.auth() | {"Content-Type": "application/json"},
        )
        assert r.status_code == 201, r.text
        where = f"/v1/decisions/{r.json()['decision_id']}"
        records.append(service.client.get(where, headers=service.auth()).json())
    assert all(r["input"] == records[0]["input"] for r in records)
    assert all(r["output"] == records[0]["output"] for r in records)
    assert records[0]["input"]["income"] == 6_000_000


def test_replay_gives_the_same_result(service: Service) -> None:
    posted = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    ).json()
    before = service.rows()
    r = service.client.get(f"/v1/decisions/{posted['decision_id']}/replay", headers=service.auth())
    assert r.status_code == 200
    assert r.json()["same"] is True and r.json()["changed_services"] == []
    assert service.rows() == before


def test_household_history_is_newest_first(service: Service) -> None:
    ids = []
    for income in (1_000_000, 90_000_000, 2_000_000):
        r = service.client.post(
            f"/v1/eligibility?date={DAY}", json=household(income=income), headers=service.auth()
        )
        ids.append(r.json()["decision_id"])
    service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(household_id=5), headers=service.auth()
    )
    r = service.client.get("/v1/households/1001/decisions", headers=service.auth())
    assert r.status_code == 200
    assert [d["decision_id"] for d in r.json()["decisions"]] == ids[::-1]
    r = service.client.get("/v1/households/1001/decisions?limit=1", headers=service.auth())
    assert len(r.json()["decisions"]) == 1


def test_rules_document(service: Service) -> None:
    r = service.client.get("/v1/rules", headers=service.auth())
    assert r.status_code == 200
    doc = r.json()
    assert doc["version"] == service.state.ruleset.version and len(doc["hash"]) == 64
    food = next(s for s in doc["services"] if s["id"] == "food_package")
    assert food["provenance"]["seed"] and food["conditions"][0]["expression"]
    assert all(p["values"] and "start" in p["values"][0] for p in doc["parameters"])


def test_health_and_readiness(service: Service, monkeypatch: object) -> None:
    assert service.client.get("/healthz").json() == {"status": "ok"}
    assert service.client.get("/readyz").status_code == 200


def test_readiness_fails_without_the_database(service: Service) -> None:
    def broken() -> None:
        raise OSError("database gone")

    service.state.store.check_head = broken  # type: ignore[method-assign]
    assert service.client.get("/readyz").status_code == 503


def test_openapi_document_has_the_domain_schemas(service: Service) -> None:
    doc = service.client.get("/openapi.json").json()
    assert {"Household", "Member", "Decision", "RecordedDecision"} <= set(
        doc["components"]["schemas"]
    )
    post = doc["paths"]["/v1/eligibility"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "Household"
    )
