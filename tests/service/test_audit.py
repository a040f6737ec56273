"""The audit log: an append-only hash chain that ``allocator audit verify`` walks."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
from allocator.cli.app import app
from allocator.service.store import NewDecision, Store
from allocator.service.tokens import token_hash
from tests.service.conftest import DAY, Service, household

runner = CliRunner()


def _new(i: int) -> NewDecision:
    eligible = i % 2 == 0
    tier = 1 if eligible else None
    return NewDecision(
        f"d-{i}",
        i,
        1,
        "relief_committee",
        {"ruleset": "r", "version": "1", "hash": "h"},
        DAY,
        {"household_id": i},
        {"services": [{"service_id": "s", "eligible": eligible, "tier": tier}], "score": i / 3},
        [("s", eligible, tier)],
    )


def _filled(tmp_path: Path, n: int = 5) -> tuple[Store, str]:
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    store = Store(url)
    store.create_tables()
    for i in range(1, n + 1):
        store.append(_new(i))
    return store, url


def test_appends_link_up_and_verify_passes(tmp_path: Path) -> None:
    store, url = _filled(tmp_path)
    rows = list(store.iter_chain())
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
    result = runner.invoke(app, ["audit", "verify", "--db", url])
    assert result.exit_code == 0, result.output
    assert "audit chain intact: 5 decision(s) verified" in result.output


def test_an_edited_row_is_reported_as_the_first_broken_link(tmp_path: Path) -> None:
    store, url = _filled(tmp_path)
    with store.engine.begin() as conn:  # the triggers refuse edits: a forger drops them first
        conn.execute(text("DROP TRIGGER decisions_no_update"))
        conn.execute(
            text("UPDATE decisions SET output_json = '{\"services\":[]}' WHERE seq IN (3, 4)")
        )
    result = runner.invoke(app, ["audit", "verify", "--db", url])
    assert result.exit_code == 1
    assert "broken at seq 3 (decision d-3)" in result.output
    assert "hash does not match" in result.output


def test_a_deleted_row_breaks_the_chain(tmp_path: Path) -> None:
    store, _url = _filled(tmp_path)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER decisions_no_delete"))
        conn.execute(text("DELETE FROM decisions WHERE seq = 5"))
    report = store.verify()
    assert not report.ok and report.broken_seq == 5 and "chain head" in report.reason


def test_the_database_refuses_update_and_delete(tmp_path: Path) -> None:
    store, _ = _filled(tmp_path, 1)
    for statement in (
        "UPDATE decisions SET custodian = 'x'",
        "DELETE FROM decisions",
        "UPDATE decision_outcomes SET tier = 4",
        "DELETE FROM decision_outcomes",
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert store.verify().ok


def test_concurrent_appends_do_not_fork_the_chain(service: Service) -> None:
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for j in range(8):
                service.state.store.append(_new(1000 * (k + 1) + j))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = service.state.store.verify()
    assert report.ok and report.checked == 48


def test_api_decisions_verify(service: Service) -> None:
    for i in range(3):
        r = service.client.post(
            f"/v1/eligibility?date={DAY}",
            json=household(household_id=10 + i),
            headers=service.auth(),
        )
        assert r.status_code == 201
    assert service.state.store.verify().checked == 3


def test_tokens_create_prints_a_token_stored_hashed(tmp_path: Path) -> None:
    db = str(tmp_path / "t.sqlite")
    result = runner.invoke(app, ["tokens", "create", "--agency", "imam_order", "--db", db])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("alc_")
    with Store(f"sqlite:///{db}").engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(text("SELECT * FROM tokens"))]
    assert len(stored) == 1 and stored[0][0] == token_hash(secret)
    assert secret not in repr(stored)
    assert runner.invoke(app, ["tokens", "create", "--db", db]).exit_code == 2
    assert runner.invoke(app, ["tokens", "create", "--agency", "mayor", "--db", db]).exit_code == 2
    planner = runner.invoke(app, ["tokens", "create", "--planner", "--db", db, "--name", "plan"])
    assert planner.exit_code == 0
