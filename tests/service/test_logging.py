"""Logs name routes, statuses and decision ids, never household data; a crash is a JSON 500
and the service keeps serving."""

from __future__ import annotations

import inspect
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.conftest import DAY, Service, household

pytestmark = pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)


def test_logs_hold_no_household_data(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="allocator")
    body = household(household_id=987654321, income=1234567)
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth())
    service.client.get("/v1/households/987654321/decisions", headers=service.auth())
    service.client.post("/v1/eligibility", json={**body, "income": -1}, headers=service.auth())
    text = caplog.text
    assert r.json()["decision_id"] in text
    assert "/v1/households/{household_id}/decisions 200" in text
    assert "987654321" not in text and "1234567" not in text


def test_an_unexpected_error_is_a_json_500_without_data(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(decision_id: str) -> None:
        raise RuntimeError("household 987654321 exploded")

    service.state.store.get = broken  # type: ignore[assignment,method-assign]
    r = service.client.get("/v1/decisions/abc", headers=service.auth())
    assert r.status_code == 500 and r.json()["code"] == "internal"
    assert r.headers["X-Ruleset-Hash"] == service.state.ruleset.hash
    assert "RuntimeError" in caplog.text and "987654321" not in caplog.text
    assert service.client.get("/healthz").status_code == 200


def test_no_telemetry_span_carries_a_household_id(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an OpenTelemetry tracer set up in the process, recent FastAPI versions record
    a span per request with its path (``url.path``): the service turns them off."""
    trace = pytest.importorskip("opentelemetry.trace")
    spans: list[dict[str, Any]] = []

    class Tracer(trace.NoOpTracer):  # type: ignore[misc]
        def start_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
            spans.append(dict(kwargs.get("attributes") or {}))
            return super().start_span(name, *args, **kwargs)

    class Provider(trace.TracerProvider):  # type: ignore[misc]
        def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
            return Tracer()

    monkeypatch.setattr(trace, "get_tracer_provider", Provider)
    path = "/v1/households/987654321/decisions"
    assert service.client.get(path, headers=service.auth()).status_code == 200
    assert spans == []
    # the fake provider is one FastAPI would use (a test that could not fail proves nothing)
    plain = FastAPI()
    plain.get("/v1/households/{household_id}/decisions")(lambda household_id: {})
    TestClient(plain).get(path)
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        assert any("987654321" in str(s.get("url.path")) for s in spans), spans
