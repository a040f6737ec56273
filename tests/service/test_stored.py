"""SQLite keeps a recorded decision's text as an LZ4 frame; everything reads the text.

The service stores ``output_json`` packed (``allocator.service.stored``); the chain hashes,
serves, replays and verifies the text exactly as before. Rows stored as text (an earlier
version, or a batch appended without the service) read and verify beside packed ones, and
a packed row that was altered is named by ``audit verify`` like any other.
"""

from __future__ import annotations

import json
import sqlite3

import lz4.frame
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
from allocator.cli.app import app
from allocator.service.store import Store
from allocator.service.stored import FRAME_MAGIC, pack
from tests.service.conftest import DAY, Service, household
from tests.service.test_audit import _new

pytestmark = pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
runner = CliRunner()


def _raw(service: Service) -> sqlite3.Connection:
    return sqlite3.connect(service.state.store.engine.url.database or "")


def _decide(service: Service, household_id: int) -> dict[str, object]:
    response = service.client.post(
        f"/v1/eligibility?date={DAY}",
        json=household(household_id=household_id),
        headers=service.auth(),
    )
    assert response.status_code == 201, response.text
    answer: dict[str, object] = response.json()
    return answer


def test_a_recorded_decision_is_stored_packed_and_read_as_its_text(service: Service) -> None:
    answer = _decide(service, 11)
    with _raw(service) as raw:
        kind, stored = raw.execute(
            "SELECT typeof(output_json), output_json FROM decisions WHERE decision_id = ?",
            (answer["decision_id"],),
        ).fetchone()
    assert kind == "blob" and stored[:4] == FRAME_MAGIC
    written = bytes(lz4.frame.decompress(stored)).decode()  # any LZ4 tool reads it
    assert len(stored) * 3 < len(written.encode())
    decision = {k: v for k, v in answer.items() if k not in ("decision_id", "recorded_at")}
    assert json.loads(written) == decision
    row = service.state.store.get(str(answer["decision_id"]))
    assert row is not None and row["output_json"] == written  # the text, as hashed
    assert service.state.store.verify().ok
    got = service.client.get(f"/v1/decisions/{answer['decision_id']}", headers=service.auth())
    assert got.status_code == 200 and got.json()["output"] == decision


def test_rows_stored_as_text_read_and_verify_beside_packed_ones(service: Service) -> None:
    store: Store = service.state.store
    store.append(_new(1))  # without the service: stored as text
    _decide(service, 12)
    store.append(_new(3))
    with _raw(service) as raw:
        kinds = [k for (k,) in raw.execute("SELECT typeof(output_json) FROM decisions")]
    assert kinds == ["text", "blob", "text"]
    assert [json.loads(r["output_json"]) is not None for r in store.iter_chain()] == [True] * 3
    result = runner.invoke(app, ["audit", "verify", "--db", service.owner_url])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("forged", ["another frame", "not a frame", "text"])
def test_an_altered_packed_row_is_named_by_verify(service: Service, forged: str) -> None:
    for i in range(3):
        _decide(service, 20 + i)
    row = next(r for r in service.state.store.iter_chain() if r["seq"] == 2)
    changed = row["output_json"].replace('"eligible":false', '"eligible":true', 1)
    assert changed != row["output_json"]
    value: str | bytes = {
        "another frame": pack(changed.encode()),
        "not a frame": FRAME_MAGIC + b"\x00" * 40,
        "text": changed,
    }[forged]
    with service.state.store.engine.begin() as conn:  # a forger drops the trigger first
        conn.execute(text("DROP TRIGGER decisions_no_update"))
        conn.execute(text("UPDATE decisions SET output_json = :v WHERE seq = 2"), {"v": value})
    result = runner.invoke(app, ["audit", "verify", "--db", service.owner_url])
    assert result.exit_code == 1, result.output
    assert "broken at seq 2" in result.output and "hash does not match" in result.output
    if forged == "not a frame":
        assert "its stored text is not a readable decision" in result.output
