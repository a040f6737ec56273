"""Access control and limits: 401, 403 by custody and role, 413, 429."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.service.conftest import DAY, Service, household


def _post(service: Service, who: str, body: dict[str, object]) -> int:
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth(who))
    return r.status_code


def test_no_or_unknown_token_is_401(service: Service) -> None:
    for headers in ({}, {"Authorization": "Bearer alc_nope"}, {"Authorization": "Basic eDp5"}):
        for r in (
            service.client.post("/v1/eligibility", json=household(), headers=headers),
            service.client.get("/v1/rules", headers=headers),
            service.client.get("/v1/stats", headers=headers),
        ):
            assert r.status_code == 401, (headers, r.status_code)
            assert r.headers["WWW-Authenticate"] == "Bearer"
    assert service.rows() == 0


def test_an_agency_posts_only_for_households_in_its_custody(service: Service) -> None:
    assert _post(service, "red_crescent", household("welfare_organization")) == 403
    assert service.rows() == 0
    assert _post(service, "red_crescent", household("red_crescent")) == 201
    assert service.rows() == 1


def test_an_agency_reads_only_decisions_in_its_custody(service: Service) -> None:
    r = service.client.post(
        f"/v1/eligibility?date={DAY}",
        json=household("imam_order"),
        headers=service.auth("imam_order"),
    )
    decision_id = r.json()["decision_id"]
    for path in (f"/v1/decisions/{decision_id}", f"/v1/decisions/{decision_id}/replay"):
        assert service.client.get(path, headers=service.auth("imam_order")).status_code == 200
        assert service.client.get(path, headers=service.auth("relief_committee")).status_code == 403
    other = service.client.get(
        "/v1/households/1001/decisions", headers=service.auth("relief_committee")
    )
    assert other.status_code == 200 and other.json()["decisions"] == []


def test_a_planner_reads_aggregates_only(service: Service) -> None:
    decision_id = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    ).json()["decision_id"]
    planner = service.auth("planner")
    assert _post(service, "planner", household()) == 403
    for path in (
        f"/v1/decisions/{decision_id}",
        f"/v1/decisions/{decision_id}/replay",
        "/v1/households/1001/decisions",
    ):
        assert service.client.get(path, headers=planner).status_code == 403, path
    stats = service.client.get("/v1/stats", headers=planner)
    assert stats.status_code == 200
    assert stats.json()["decisions"] == 1
    food = stats.json()["services"]["food_package"]
    assert food["eligible"] + food["not_eligible"] == 1
    assert "1001" not in stats.text


def test_an_agency_sees_stats_of_its_custody_only(service: Service) -> None:
    _post(service, "welfare_organization", household("welfare_organization"))
    _post(service, "red_crescent", household("red_crescent"))
    mine = service.client.get("/v1/stats", headers=service.auth("red_crescent")).json()
    everyone = service.client.get("/v1/stats", headers=service.auth("planner")).json()
    assert (mine["decisions"], everyone["decisions"]) == (1, 2)


def test_an_oversized_body_is_413_and_nothing_is_written(service: Service) -> None:
    big = household(padding="x" * 70_000)
    r = service.client.post("/v1/eligibility", json=big, headers=service.auth())
    assert r.status_code == 413 and r.json()["code"] == "too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed body is counted
        yield b'{"household_id": 1, "pad": "'
        for _ in range(100):
            yield b"y" * 1024
        yield b'"}'

    r = service.client.post("/v1/eligibility", content=chunks(), headers=service.auth())
    assert r.status_code == 413
    assert service.rows() == 0


def test_the_rate_limit_answers_429_with_retry_after(make_service: Callable[..., Service]) -> None:
    service = make_service(rate_per_second=0.5, burst=3)
    codes = [service.client.get("/v1/rules", headers=service.auth()).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = service.client.get("/v1/rules", headers=service.auth())
    assert int(r.headers["Retry-After"]) >= 1
    # Buckets are per token: another agency is not held back.
    assert service.client.get("/v1/rules", headers=service.auth("imam_order")).status_code == 200
