"""PostgreSQL goes down under load, then comes back; the service never lies and recovers alone.

The test starts a PostgreSQL cluster of its own (so it can stop it), ``allocator serve`` on
it as a subprocess, and a few clients posting eligibility requests without pause. While
the database is stopped (``pg_ctl stop -m fast``) every request is refused with 503 and a
``Retry-After`` header, quickly: no 500, no hang. No request is answered 2xx without its
decision being committed: after the restart each 2xx decision_id is in the table. Once the
database is back the same service process answers 2xx again, and the audit chain verifies.

A quicker in-process test checks the same 503 on SQLite (and PostgreSQL when there is one)
by pointing the store at a database that does not exist.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from allocator.service.store import Store, make_engine
from allocator.service.tables import decisions
from allocator.service.tokens import create_token
from tests.faults.processes import free_port, pg_cluster, pg_cluster_available, run_cli, served
from tests.service.conftest import AGENCIES, DAY, Service, household

CLIENTS = 4
#: Seconds of load before the stop, and of outage before the restart.
UP, DOWN = 2.0, 3.0
#: No answer may take longer than this, in seconds (the clients give up at twice that).
SLOWEST = 10.0


@dataclass(frozen=True)
class Answer:
    household_id: int
    sent: float
    received: float
    status: int  # 0: no answer (a transport error or the client's timeout)
    decision_id: str | None = None
    retry_after: str | None = None
    error: str = ""


def _load(
    base: str, token: str, agency: str, client: int, stop: threading.Event, answers: list[Answer]
) -> None:
    """Post households until ``stop``; each answer is appended to ``answers`` at once."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=2 * SLOWEST) as http:
        i = 0
        while not stop.is_set():
            hid = (client + 1) * 1_000_000 + i
            i += 1
            sent = time.monotonic()
            try:
                r = http.post(f"/v1/eligibility?date={DAY}", json=household(agency, hid))
            except httpx.HTTPError as exc:
                answers.append(Answer(hid, sent, time.monotonic(), 0, error=repr(exc)))
                continue
            decision_id = r.json().get("decision_id") if r.status_code == 201 else None
            retry = r.headers.get("Retry-After")
            answers.append(Answer(hid, sent, time.monotonic(), r.status_code, decision_id, retry))
            if r.status_code == 503:
                time.sleep(0.02)  # a real client would wait Retry-After; keep the test short


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_an_unreachable_database_gives_503_not_500(service: Service) -> None:
    """In process, on each database: the store's engine is pointed at nothing."""
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    assert r.status_code == 201
    good = service.state.store.engine
    if service.state.store.dialect == "sqlite":
        bad = "sqlite:////nonexistent-dir/audit.sqlite"
    else:
        bad = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    service.state.store.engine = make_engine(bad)
    try:
        service.state._tokens.clear()  # the token lookup needs the database too
        for headers in ({}, service.auth()):
            r = service.client.post(
                f"/v1/eligibility?date={DAY}", json=household(), headers=headers
            )
            assert r.status_code == (401 if not headers else 503), r.text
        assert r.json()["code"] == "database-unavailable" and r.headers["Retry-After"]
        assert service.client.get("/readyz").status_code == 503
    finally:
        service.state.store.engine.dispose()
        service.state.store.engine = good
    assert service.client.get("/readyz").status_code == 200
    assert service.rows() == 1


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.e2e
def test_a_database_outage_gives_503_and_the_service_recovers(tmp_path: Path) -> None:
    reason = pg_cluster_available()
    if reason:
        pytest.skip(reason)
    with pg_cluster() as pg:
        admin = Store(pg.url)
        admin.create_tables()
        tokens = [
            create_token(admin, role="agency", agency=AGENCIES[k % 4]) for k in range(CLIENTS)
        ]
        admin.dispose()
        log = tmp_path / "server.log"
        results: list[list[Answer]] = [[] for _ in range(CLIENTS)]
        stop = threading.Event()
        with served(pg.url, log, "--rate", "100000", "--burst", "100000") as base:
            threads = [
                threading.Thread(
                    target=_load, args=(base, tokens[k], AGENCIES[k % 4], k, stop, results[k])
                )
                for k in range(CLIENTS)
            ]
            for t in threads:
                t.start()
            try:
                time.sleep(UP)
                pg.stop()
                down_from = time.monotonic()
                ready_down = httpx.get(f"{base}/readyz", timeout=SLOWEST).status_code
                time.sleep(DOWN)
                down_until = time.monotonic()
                pg.start()
                back_at = time.monotonic()

                def recovered() -> bool:
                    return any(a.status == 201 and a.sent > back_at for r in results for a in r)

                _wait_for(recovered, 30.0)
                time.sleep(1.0)
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=3 * SLOWEST)
            ready_up = httpx.get(f"{base}/readyz", timeout=SLOWEST).status_code
        answers = [a for r in results for a in r]
        statuses = Counter(a.status for a in answers)
        during = [a for a in answers if a.sent >= down_from and a.received <= down_until]
        after = [a for a in answers if a.sent > back_at]
        print(
            f"\n{len(answers)} requests: {dict(statuses)}; {len(during)} while down "
            f"({dict(Counter(a.status for a in during))}); {len(after)} after the restart "
            f"({dict(Counter(a.status for a in after))})"
        )
        assert ready_down == 503 and ready_up == 200
        assert set(statuses) <= {201, 503}, [a for a in answers if a.status not in (201, 503)][:5]
        assert max(a.received - a.sent for a in answers) < SLOWEST
        assert any(a.status == 201 and a.received < down_from for a in answers)
        assert len(during) >= CLIENTS and {a.status for a in during} == {503}
        assert all(a.retry_after for a in answers if a.status == 503)
        assert any(a.status == 201 for a in after), "no 2xx after PostgreSQL came back"

        engine = create_engine(pg.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(select(decisions.c.decision_id, decisions.c.household_id))
                recorded = {decision_id: int(hid) for decision_id, hid in rows}
        finally:
            engine.dispose()
        for a in answers:
            if a.status == 201:
                assert recorded.get(str(a.decision_id)) == a.household_id, a
        refused_but_recorded = {a.household_id for a in answers if a.status != 201} & set(
            recorded.values()
        )
        print(f"refused but committed (in flight at the stop): {len(refused_but_recorded)}")
        assert len(refused_but_recorded) <= CLIENTS
        out = run_cli("audit", "verify", "--db", pg.url)
        assert f"audit chain intact: {len(recorded)} decision(s)" in out
        assert "Traceback" not in log.read_text()
