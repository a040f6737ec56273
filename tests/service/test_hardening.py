"""Hardening: security headers and no inline code on the page, the token kept in memory,
failed authentications limited per address, a body read timeout, token revocation."""

from __future__ import annotations

import asyncio
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
from allocator.cli.app import app
from allocator.service import state as state_module
from allocator.service.limits import EnvelopeMiddleware
from tests.service.conftest import DAY, Service, household

sqlite_only = pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
STATIC = files("allocator.service") / "static"


@sqlite_only
def test_security_headers_on_the_page_and_the_api(service: Service) -> None:
    for path in ("/", "/static/app.js", "/v1/rules", "/healthz"):
        r = service.client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"


@sqlite_only
def test_the_page_has_no_inline_script_or_style(service: Service) -> None:
    html = service.client.get("/").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


def test_the_token_is_kept_in_memory_only() -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    assert "sessionStorage" not in code and "localStorage" not in code
    assert "document.cookie" not in code


@sqlite_only
def test_unknown_tokens_are_limited_per_address(make_service: Any) -> None:
    service: Service = make_service(auth_failures_per_minute=3)
    bad = {"Authorization": "Bearer alc_guess"}
    assert [service.client.get("/v1/rules", headers=bad).status_code for _ in range(3)] == [401] * 3
    blocked = service.client.get("/v1/rules", headers=bad)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    # the address is blocked, good token or not, until its bucket refills
    assert service.client.get("/v1/rules", headers=service.auth()).status_code == 429
    assert service.client.get("/healthz").status_code == 200


def test_a_stalled_body_is_dropped_after_the_timeout() -> None:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("the app must not see a request whose body never came")

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)  # the client declared a body and stalls
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = EnvelopeMiddleware(app, {}, max_body=1024, body_timeout=0.2)
    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"100")]}
    asyncio.run(asyncio.wait_for(middleware(scope, receive, send), timeout=5))
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]


@sqlite_only
def test_a_revoked_token_is_refused(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert state_module.TOKEN_CACHE_SECONDS <= 10  # the stated bound
    monkeypatch.setattr(state_module, "TOKEN_CACHE_SECONDS", 0.0)
    headers = service.auth("imam_order")
    assert service.client.get("/v1/rules", headers=headers).status_code == 200
    token = service.tokens["imam_order"]
    result = CliRunner().invoke(
        app, ["tokens", "revoke", "--token", token, "--db", service.owner_url]
    )
    assert result.exit_code == 0 and "1 token(s) revoked" in result.output
    assert service.client.get("/v1/rules", headers=headers).status_code == 401
    again = CliRunner().invoke(
        app, ["tokens", "revoke", "--token", token, "--db", service.owner_url]
    )
    assert again.exit_code == 2 and "no such token" in again.output
    other = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    )
    assert other.status_code == 201  # other tokens are untouched


@sqlite_only
def test_new_paths_log_no_household_data(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from allocator.service.store import Store

    caplog.set_level(logging.DEBUG, logger="allocator")
    body = household(household_id=987654321, income=1234567)
    made = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth())
    service.client.get(f"/v1/decisions/{made.json()['decision_id']}/proof", headers=service.auth())
    service.client.get("/v1/rules", headers={"Authorization": "Bearer alc_987654321"})
    owner = Store(service.owner_url)
    with owner.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM chain_head"))
    owner.dispose()
    refused = service.client.post(f"/v1/eligibility?date={DAY}", json=body, headers=service.auth())
    assert refused.status_code == 503
    assert "chain-broken" in caplog.text
    assert "987654321" not in caplog.text and "1234567" not in caplog.text
