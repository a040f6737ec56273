"""A recorded decision's text is stored packed against a dictionary; everything reads the text.

The service stores ``output_json`` compressed against a dictionary of sample decisions
(``allocator.service.stored``); the chain hashes, serves, replays and verifies the text
exactly as before. Rows stored otherwise (text, LZ4 frames of an earlier version, plain
UTF-8 in a column turned into ``bytea``) read and verify beside packed ones, and a packed
row that was altered is named by ``audit verify`` like any other.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import lz4.frame
import pytest
import zstandard
from sqlalchemy import text
from typer.testing import CliRunner

import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
from allocator.cli.app import app
from allocator.errors import InputError
from allocator.reference import default_registry
from allocator.service import stored
from allocator.service.chain import canonical_json
from allocator.service.pg import init_database
from allocator.service.samples import NEIGHBORHOODS, SAMPLES, sample_texts
from allocator.service.store import Store, prepare
from allocator.service.stored import DICT_MAGIC, FRAME_MAGIC, TextDictionary
from tests.service.conftest import DAY, PG_SERVICE_ROLE, Service, household
from tests.service.test_audit import _new

BOTH = pytest.mark.parametrize(
    "db_urls", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
SQLITE = pytest.mark.parametrize("db_urls", ["sqlite"], indirect=True)
runner = CliRunner()


def _decide(service: Service, household_id: int) -> dict[str, Any]:
    response = service.client.post(
        f"/v1/eligibility?date={DAY}",
        json=household(household_id=household_id),
        headers=service.auth(),
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _stored(service: Service, where: str, **params: Any) -> list[Any]:
    """The raw values of ``output_json`` (no type of the service's applied)."""
    with service.state.store.engine.connect() as conn:
        found = conn.execute(
            text(f"SELECT output_json FROM decisions WHERE {where} ORDER BY seq"), params
        )
        return [bytes(v) if isinstance(v, memoryview) else v for (v,) in found]


@BOTH
def test_a_recorded_decision_is_stored_packed_and_read_as_its_text(service: Service) -> None:
    answer = _decide(service, 11)
    (value,) = _stored(service, "decision_id = :d", d=answer["decision_id"])
    assert isinstance(value, bytes) and value[:4] == DICT_MAGIC
    with service.state.store.engine.connect() as conn:
        recorded = conn.execute(text("SELECT digest, content FROM text_dictionaries")).all()
    assert len(recorded) == 1 and recorded[0][0] == value[4:36].hex()
    # any Zstandard tool reads it, with the dictionary from the database
    dictionary = zstandard.ZstdCompressionDict(
        bytes(recorded[0][1]), dict_type=zstandard.DICT_TYPE_RAWCONTENT
    )
    written = zstandard.ZstdDecompressor(dict_data=dictionary).decompress(value[36:]).decode()
    assert len(value) * 15 < len(written.encode())
    decision = {k: v for k, v in answer.items() if k not in ("decision_id", "recorded_at")}
    assert json.loads(written) == decision
    row = service.state.store.get(str(answer["decision_id"]))
    assert row is not None and row["output_json"] == written  # the text, as hashed
    assert service.state.store.verify().ok
    got = service.client.get(f"/v1/decisions/{answer['decision_id']}", headers=service.auth())
    assert got.status_code == 200 and got.json()["output"] == decision


@BOTH
def test_rows_stored_otherwise_read_and_verify_beside_packed_ones(service: Service) -> None:
    store: Store = service.state.store
    store.append(_new(1))  # without the service: the text as it is
    _decide(service, 12)
    earlier = _new(3)  # an LZ4 frame, as SQLite rows were stored before the dictionaries
    frame = bytes(lz4.frame.compress(canonical_json(earlier.output).encode()))
    store.append_batch([prepare(earlier, frame)])
    kinds = [v[:4] if isinstance(v, bytes) else "text" for v in _stored(service, "1=1")]
    if store.dialect == "sqlite":
        assert kinds == ["text", DICT_MAGIC, FRAME_MAGIC]
    else:  # bytea: a text is stored as its UTF-8
        assert kinds == [b'{"sc', DICT_MAGIC, FRAME_MAGIC]
    assert [json.loads(r["output_json"]) is not None for r in store.iter_chain()] == [True] * 3
    result = runner.invoke(app, ["audit", "verify", "--db", service.owner_url])
    assert result.exit_code == 0, result.output


@BOTH
def test_a_dictionary_is_recorded_once_and_found_by_another_process(
    make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = make_service(), make_service()  # two workers of one service
    assert first.state.text_dictionary() is not None
    assert first.state.text_dictionary().digest == second.state.text_dictionary().digest
    answer = _decide(second, 31)
    with first.state.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM text_dictionaries")).scalar() == 1
    monkeypatch.setattr(stored, "_known", {})  # a process that has not seen it
    reader = Store(first.owner_url)
    try:
        row = reader.get(str(answer["decision_id"]))
        assert row is not None and json.loads(row["output_json"])["household_id"] == 31
        assert reader.verify().ok
    finally:
        reader.dispose()


@SQLITE
def test_recorded_dictionaries_cannot_be_changed(service: Service) -> None:
    _decide(service, 41)
    engine = service.state.store.engine
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE text_dictionaries SET content = x'00'"))


@SQLITE
@pytest.mark.parametrize(
    "forged", ["another packed text", "not a frame", "unknown dictionary", "text"]
)
def test_an_altered_packed_row_is_named_by_verify(service: Service, forged: str) -> None:
    for i in range(3):
        _decide(service, 20 + i)
    row = next(r for r in service.state.store.iter_chain() if r["seq"] == 2)
    changed = row["output_json"].replace('"eligible":false', '"eligible":true', 1)
    assert changed != row["output_json"]
    dictionary = service.state.text_dictionary()
    assert dictionary is not None
    stranger = TextDictionary(b'{"services": []}' * 10)
    value: str | bytes = {
        "another packed text": dictionary.pack(changed.encode()),
        "not a frame": DICT_MAGIC + dictionary.digest + b"\x00" * 40,
        "unknown dictionary": DICT_MAGIC + bytes(32) + stranger.pack(changed.encode())[36:],
        "text": changed,
    }[forged]
    with service.state.store.engine.begin() as conn:  # a forger drops the trigger first
        conn.execute(text("DROP TRIGGER decisions_no_update"))
        conn.execute(text("UPDATE decisions SET output_json = :v WHERE seq = 2"), {"v": value})
    result = runner.invoke(app, ["audit", "verify", "--db", service.owner_url])
    assert result.exit_code == 1, result.output
    assert "broken at seq 2" in result.output and "hash does not match" in result.output
    if forged in ("not a frame", "unknown dictionary"):
        assert "its stored text is not a readable decision" in result.output


@pytest.mark.parametrize("db_urls", ["postgres"], indirect=True)
def test_a_postgresql_database_made_before_keeps_working_and_can_be_upgraded(
    db_urls: tuple[str, str], make_service: Any, caplog: pytest.LogCaptureFixture
) -> None:
    owner_url, _ = db_urls
    owner = Store(owner_url)
    alter = "ALTER TABLE decisions ALTER COLUMN output_json TYPE {} USING {}(output_json, 'UTF8')"
    with owner.engine.begin() as conn:  # as databases made before were
        conn.execute(text(alter.format("text", "convert_from")))
        conn.execute(text("DROP TABLE text_dictionaries"))
    with caplog.at_level("WARNING", logger="allocator.service"):
        service = make_service()  # the service's role may not create the table
    assert "text_dictionaries is missing" in caplog.text and "allocator db init" in caplog.text
    assert service.state.text_dictionary() is None
    before = _decide(service, 51)
    assert isinstance(_stored(service, "1=1")[0], str)
    # the upgrade: `allocator db init` as the owner, then the documented change of the column
    init_database(owner_url, PG_SERVICE_ROLE).dispose()
    with owner.engine.begin() as conn:
        conn.execute(text(alter.format("bytea", "convert_to")))
    later = make_service()
    after = _decide(later, 52)
    values = _stored(later, "1=1")
    assert values[0][:1] == b"{" and values[1][:4] == DICT_MAGIC
    for answer in (before, after):
        row = later.state.store.get(str(answer["decision_id"]))
        assert row is not None and json.loads(row["output_json"])["household_id"] in (51, 52)
    result = runner.invoke(app, ["audit", "verify", "--db", owner_url])
    assert result.exit_code == 0, result.output
    owner.dispose()


class _Backend:
    """Decides every day but ``refused`` (as a parameter out of force would)."""

    def __init__(self, *refused: date) -> None:
        self.refused = refused

    def decide(self, household: Any, neighborhood: Any, day: date) -> dict[str, Any]:
        if day in self.refused:
            raise InputError(f"no parameter in force on {day}")
        return {"household_id": household.household_id, "day": day.isoformat()}


def test_the_samples_are_decided_on_the_first_of_the_year_or_else_today() -> None:
    def dump(decision: dict[str, Any]) -> bytes:
        return json.dumps(decision).encode()

    today, first = date(2026, 12, 7), date(2026, 1, 1)
    registry = default_registry()
    texts = sample_texts(_Backend(), registry, dump, today)
    assert texts.count(b'"day": "2026-01-01"') == NEIGHBORHOODS * len(SAMPLES)
    assert b"2026-12-07" in sample_texts(_Backend(first), registry, dump, today)
    assert sample_texts(_Backend(first, today), registry, dump, today) == b""
    assert Store("sqlite://").text_dictionary(b"") is None  # then texts stay as they are
