"""``allocator serve --workers 2 --key --checkpoints``: two worker processes share one
chain, and the serving process signs checkpoints at its interval."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from allocator.service.checkpoints import load_all, new_key, write_key
from allocator.service.store import Store
from allocator.service.tokens import create_token
from tests.faults.processes import run_cli, served
from tests.service.conftest import DAY, household

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_served_workers_and_signed_checkpoints(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    store = Store(db)
    store.create_tables()
    token = create_token(store, role="agency", agency="welfare_organization")
    store.dispose()
    key = tmp_path / "signing.key"
    write_key(new_key(), key)
    checkpoints = tmp_path / "checkpoints"
    extra = ["--workers", "2", "--key", str(key), "--checkpoints", str(checkpoints)]
    extra += ["--checkpoint-interval", "1"]
    with served(db, tmp_path / "server.log", *extra) as base:
        auth = {"Authorization": f"Bearer {token}"}
        ids = []
        for i in range(6):
            r = httpx.post(
                f"{base}/v1/eligibility?date={DAY}",
                json=household(household_id=500 + i),
                headers=auth,
                timeout=60,
            )
            assert r.status_code == 201, r.text
            ids.append(r.json()["decision_id"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = load_all(checkpoints) if checkpoints.is_dir() else []
            if found and found[-1].tree_size == 6:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("no checkpoint of the six decisions was signed")
        proof = httpx.get(f"{base}/v1/decisions/{ids[2]}/proof", headers=auth, timeout=60)
        assert proof.status_code == 200
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof.json()))
    assert "proof holds" in run_cli(
        "audit", "verify-proof", str(path), "--public-key", f"{key}.pub"
    )
    out = run_cli(
        "audit", "verify", "--db", db, "--checkpoints", str(checkpoints), "--public-key", str(key)
    )
    assert "audit chain intact: 6 decision(s) verified" in out
