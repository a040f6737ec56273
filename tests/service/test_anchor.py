"""The anchored audit log: signed checkpoints outside the database, inclusion proofs, and
the service going unready on a broken head."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
from allocator.cli.app import app
from allocator.service.audit import check_proof, merkle_log, prove, verify_log, write_checkpoint
from allocator.service.chain import row_hash
from allocator.service.checkpoints import load_all, new_key, write_key
from allocator.service.merkle import tree_root
from allocator.service.store import NewDecision, Store
from tests.service.conftest import DAY, Service, household


def _new(i: int) -> NewDecision:
    """A decision whose outcomes agree with its output."""
    eligible = i % 2 == 0
    service = {"service_id": "food_basket", "eligible": eligible, "tier": 1 if eligible else None}
    return NewDecision(
        f"d-{i}", i, 1, "relief_committee", {"ruleset": "r", "version": "1", "hash": "h"},
        DAY, {"household_id": i}, {"services": [service]},
        [("food_basket", eligible, 1 if eligible else None)],
    )  # fmt: skip


runner = CliRunner()


@pytest.fixture
def logged(tmp_path: Path) -> tuple[Store, str, Path, Path]:
    """Six decisions, a checkpoint after four and one after six; (store, url, key, dir)."""
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    store = Store(url)
    store.create_tables()
    key_file = tmp_path / "signing.key"
    key = new_key()
    write_key(key, key_file)
    directory = tmp_path / "checkpoints"
    for i in range(1, 5):
        store.append(_new(i))
    assert write_checkpoint(store, key, directory) is not None
    for i in range(5, 7):
        store.append(_new(i))
    assert write_checkpoint(store, key, directory) is not None
    assert write_checkpoint(store, key, directory) is None  # nothing new
    return store, url, key_file, directory


def _verify(url: str, key: Path, directory: Path) -> tuple[int, str]:
    args = ["verify", "--db", url, "--checkpoints", str(directory), "--public-key"]
    result = runner.invoke(app, ["audit", *args, f"{key}.pub"])
    return result.exit_code, result.output


def _sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_an_intact_log_verifies_against_its_checkpoints(logged: tuple) -> None:
    _store, url, key, directory = logged
    assert [c.tree_size for c in load_all(directory)] == [4, 6]
    code, output = _verify(url, key, directory)
    assert code == 0, output
    assert "6 decision(s) verified, outcomes match the chain, 2 checkpoint(s) verified" in output


def test_deleting_the_head_is_detected(logged: tuple) -> None:
    store, url, key, directory = logged
    _sql(store, "DELETE FROM chain_head")
    code, output = _verify(url, key, directory)
    assert code == 1 and "chain_head row is missing" in output


def test_cutting_the_tail_with_the_head_moved_back_is_detected(logged: tuple) -> None:
    store, url, key, directory = logged
    with store.engine.connect() as conn:
        h4 = conn.execute(text("SELECT hash FROM decisions WHERE seq = 4")).scalar_one()
    _sql(
        store,
        "DROP TRIGGER decisions_no_delete",
        "DROP TRIGGER decision_outcomes_no_delete",
        "DELETE FROM decisions WHERE seq > 4",
        "DELETE FROM decision_outcomes WHERE seq > 4",
        f"UPDATE chain_head SET seq = 4, hash = '{h4}'",
    )
    assert store.verify().ok  # the chain alone looks fine...
    code, output = _verify(url, key, directory)
    assert code == 1 and "truncated" in output  # ...the checkpoint of size 6 does not


def test_resetting_the_whole_log_is_detected(logged: tuple) -> None:
    store, url, key, directory = logged
    _sql(
        store,
        "DROP TRIGGER decisions_no_delete",
        "DROP TRIGGER decision_outcomes_no_delete",
        "DELETE FROM decisions",
        "DELETE FROM decision_outcomes",
        "UPDATE chain_head SET seq = 0, hash = '" + "0" * 64 + "'",
    )
    code, output = _verify(url, key, directory)
    assert code == 1 and "reset" in output


def test_rewriting_a_row_and_every_later_hash_is_detected(logged: tuple) -> None:
    store, url, key, directory = logged
    rows = list(store.iter_chain())
    _sql(store, "DROP TRIGGER decisions_no_update")
    prev = rows[1]["hash"]
    with store.engine.begin() as conn:
        for row in rows[2:]:  # rewrite seq 3, then re-link 4, 5, 6
            if row["seq"] == 3:
                row["output_json"] = '{"services":[]}'
            row["prev_hash"] = prev
            row["hash"] = row_hash(prev, row)
            conn.execute(
                text("UPDATE decisions SET output_json=:o, prev_hash=:p, hash=:h WHERE seq=:s"),
                {"o": row["output_json"], "p": row["prev_hash"], "h": row["hash"], "s": row["seq"]},
            )
            prev = row["hash"]
        conn.execute(text("UPDATE chain_head SET hash = :h"), {"h": prev})
    assert store.verify().ok  # a consistent forgery of the chain...
    code, output = _verify(url, key, directory)
    assert code == 1 and "rewritten" in output  # ...that the signed checkpoints expose
    with pytest.raises(ValueError, match="differs from its checkpoint"):
        write_checkpoint(store, new_key(), directory)  # and that is never signed


def test_inserting_into_the_outcomes_table_is_detected(logged: tuple) -> None:
    store, url, key, directory = logged
    _sql(
        store,
        "INSERT INTO decision_outcomes (seq, service_id, custodian, eligible, tier) "
        "VALUES (2, 'food_basket', 'relief_committee', 1, 1)",
    )
    code, output = _verify(url, key, directory)
    assert code == 1 and "decision_outcomes does not match" in output


def test_a_checkpoint_signed_by_another_key_is_refused(logged: tuple, tmp_path: Path) -> None:
    _store, url, _key, directory = logged
    other = tmp_path / "other.key"
    write_key(new_key(), other)
    code, output = _verify(url, other, directory)
    assert code == 1 and "signature does not verify" in output


def test_an_inclusion_proof_verifies_and_a_forged_one_does_not(
    logged: tuple, tmp_path: Path
) -> None:
    store, _url, key, directory = logged
    from allocator.service.checkpoints import load_public_key

    public = load_public_key(Path(f"{key}.pub"))
    for i in range(1, 7):
        proof = prove(store, f"d-{i}", directory)
        assert proof is not None and proof["checkpoint"]["tree_size"] == 6
        assert check_proof(proof, public) == ""
    proof = prove(store, "d-3", directory)
    assert proof is not None
    forged = dict(proof, decision_hash=proof["decision_hash"][::-1])
    assert "not in the signed tree" in check_proof(forged, public)
    moved = dict(proof, leaf_index=2 if proof["leaf_index"] != 2 else 1)
    assert check_proof(moved, public) != ""
    resigned = json.loads(json.dumps(proof))
    resigned["checkpoint"]["root_hash"] = "00" * 32
    assert "signature" in check_proof(resigned, public)
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    ok = runner.invoke(app, ["audit", "verify-proof", str(path), "--public-key", f"{key}.pub"])
    assert ok.exit_code == 0 and "proof holds" in ok.output
    path.write_text(json.dumps(forged))
    bad = runner.invoke(app, ["audit", "verify-proof", str(path), "--public-key", f"{key}.pub"])
    assert bad.exit_code == 1 and "does not hold" in bad.output
    assert verify_log(store, load_all(directory), public).ok


def test_the_proof_endpoint(make_service: object, tmp_path: Path) -> None:
    directory = tmp_path / "cps"
    service: Service = make_service(checkpoint_dir=directory)  # type: ignore[operator]
    made = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    )
    decision_id = made.json()["decision_id"]
    early = service.client.get(f"/v1/decisions/{decision_id}/proof", headers=service.auth())
    assert early.status_code == 409  # no checkpoint covers it yet
    key = new_key()
    write_checkpoint(service.state.store, key, directory)
    r = service.client.get(f"/v1/decisions/{decision_id}/proof", headers=service.auth())
    assert r.status_code == 200
    assert check_proof(r.json(), key.public_key()) == ""
    other = service.client.get(
        f"/v1/decisions/{decision_id}/proof", headers=service.auth("imam_order")
    )
    assert other.status_code == 403


def test_a_broken_head_makes_the_service_unready_not_500(service: Service) -> None:
    ok = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    )
    assert ok.status_code == 201
    assert service.client.get("/readyz").status_code == 200
    owner = Store(service.owner_url)
    _sql(owner, "DELETE FROM chain_head")
    owner.dispose()
    ready = service.client.get("/readyz")
    assert ready.status_code == 503 and "chain_head row is missing" in ready.json()["status"]
    for _ in range(3):
        r = service.client.post(
            f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
        )
        assert r.status_code == 503 and r.json()["code"] == "chain-broken"
    assert service.rows() == 1


def test_the_cached_tree_follows_the_database_not_its_memory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cached.sqlite'}"
    store = Store(url)
    store.create_tables()
    for i in range(1, 4):
        store.append(_new(i))
    assert merkle_log(store, 3).root(3) == tree_root(_hashes(store))
    store.append(_new(4))  # extended with the new decision, not rebuilt
    assert merkle_log(store, 4).root(4) == tree_root(_hashes(store))
    store.dispose()
    (tmp_path / "cached.sqlite").unlink()  # another log under the same URL
    store = Store(url)
    store.create_tables()
    for i in range(11, 16):
        store.append(_new(i))
    assert merkle_log(store, 5).root(5) == tree_root(_hashes(store))
    _sql(store, "DROP TRIGGER decisions_no_delete", "DELETE FROM decisions WHERE seq = 5")
    with pytest.raises(ValueError, match="decisions were removed"):
        merkle_log(store, 5)
    store.dispose()


def _hashes(store: Store) -> list[bytes]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT hash FROM decisions ORDER BY seq")).scalars()
        return [bytes.fromhex(h) for h in rows]
