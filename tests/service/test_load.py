"""``allocator serve`` under load: 2,000 eligibility requests from 8 concurrent clients.

The server is a real subprocess on a loopback port, on an SQLite file or (when
ALLOCATOR_TEST_POSTGRES_URL is set) a fresh PostgreSQL schema. Each request carries a
household id of its own; one in 50 asks about a household outside the caller's custody
and must be refused. Afterwards the database, read directly, holds exactly one decision
for each request answered 2xx (with the decision_id the client was given), none for any
other, and ``allocator audit verify`` finds the hash chain intact.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from allocator.service.store import Store
from allocator.service.tables import decisions
from allocator.service.tokens import create_token
from tests.faults.processes import run_cli, served
from tests.service.conftest import AGENCIES, DAY, household

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

REQUESTS = 2_000
CLIENTS = 8
#: Every FORBIDDEN-th request of a client asks about another agency's household (403).
FORBIDDEN = 50
#: Seconds the whole load may take before the test gives up (about 30 s are expected).
BUDGET = 400.0


@dataclass(frozen=True)
class Answer:
    household_id: int
    status: int  # 0: no answer (a transport error)
    decision_id: str | None
    error: str = ""


def _client_load(
    base: str, token: str, agency: str, client: int, count: int, deadline: float
) -> list[Answer]:
    other = AGENCIES[(AGENCIES.index(agency) + 1) % len(AGENCIES)]
    answers = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for i in range(count):
            if time.monotonic() > deadline:
                break
            hid = (client + 1) * 1_000_000 + i
            body = household(other if i % FORBIDDEN == FORBIDDEN - 1 else agency, hid)
            try:
                r = http.post(f"/v1/eligibility?date={DAY}", json=body)
            except httpx.HTTPError as exc:
                answers.append(Answer(hid, 0, None, type(exc).__name__))
                continue
            decision_id = r.json().get("decision_id") if r.status_code == 201 else None
            answers.append(Answer(hid, r.status_code, decision_id))
    return answers


def test_every_answered_request_has_exactly_one_decision(
    db_urls: tuple[str, str], tmp_path: Path
) -> None:
    owner_url, service_url = db_urls
    admin = Store(owner_url)
    admin.create_tables()
    agencies = [AGENCIES[k % len(AGENCIES)] for k in range(CLIENTS)]
    tokens = [create_token(admin, role="agency", agency=a) for a in agencies]
    admin.dispose()
    log = tmp_path / "server.log"
    results: list[list[Answer]] = [[] for _ in range(CLIENTS)]
    # Two worker processes: each appends under its own lock, so the chain head is contended.
    limits = ("--rate", "100000", "--burst", "100000")
    with served(service_url, log, *limits, "--workers", "2") as base:
        deadline = time.monotonic() + BUDGET
        started = time.monotonic()

        def work(k: int) -> None:
            count = REQUESTS // CLIENTS + (k < REQUESTS % CLIENTS)
            results[k] = _client_load(base, tokens[k], agencies[k], k, count, deadline)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - started
    answers = [a for per_client in results for a in per_client]
    statuses = Counter(a.status for a in answers)
    rate = len(answers) / seconds
    print(f"\n{len(answers)} requests in {seconds:.1f} s ({rate:.0f}/s): {dict(statuses)}")
    assert len(answers) == REQUESTS, f"only {len(answers)} requests within {BUDGET} s"
    assert len({a.household_id for a in answers}) == REQUESTS

    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(decisions.c.household_id, decisions.c.decision_id)).all()
    finally:
        engine.dispose()
    recorded: dict[int, list[str]] = {}
    for hid, decision_id in rows:
        recorded.setdefault(int(hid), []).append(decision_id)
    answered = [a for a in answers if 200 <= a.status < 300]
    for a in answered:
        assert recorded.get(a.household_id) == [a.decision_id], a
    for a in answers:
        if not 200 <= a.status < 300:
            assert a.household_id not in recorded, a
    assert len(rows) == len(answered)
    # On loopback with the rate limit raised, nothing but the custody refusals fails.
    forbidden = sum(len(r) // FORBIDDEN for r in results)
    assert statuses == Counter({201: REQUESTS - forbidden, 403: forbidden})
    assert "internal error" not in log.read_text()
    assert "audit chain intact: " + f"{len(answered)} decision(s)" in run_cli(
        "audit", "verify", "--db", owner_url
    )
