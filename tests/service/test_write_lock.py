"""Appends from several processes queue on the SQLite database's append lock."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from allocator.service.store import NewDecision, Store
from allocator.service.write_lock import SUFFIX, AppendLock


def _new(i: int) -> NewDecision:
    return NewDecision(
        f"d-{i}", i, 7, "imam_order", {"ruleset": "n", "version": "1", "hash": "h"},
        "2025-06-01", {"household_id": i}, {"services": []}, [],
    )  # fmt: skip


def _append(url: str, first: int, count: int) -> None:
    store = Store(url)
    for i in range(first, first + count):
        store.append(_new(i))
    store.dispose()


def test_an_append_waits_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "audit.sqlite"
    url = f"sqlite:///{db}"
    store = Store(url)
    store.create_tables()
    held = AppendLock.for_database(str(db))
    context = multiprocessing.get_context("spawn")
    with held:
        child = context.Process(target=_append, args=(url, 1, 1))
        child.start()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and child.is_alive():
            time.sleep(0.05)
        assert store.count() == 0  # without the lock, SQLite would have let it in
    child.join(30)
    assert child.exitcode == 0
    assert store.count() == 1
    assert Path(str(db) + SUFFIX).exists()


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    store = Store(url)
    store.create_tables()
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_append, args=(url, k * 100, 40)) for k in (1, 2)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    report = store.verify()
    assert report.ok and report.checked == 80


def test_memory_databases_lock_only_this_process() -> None:
    assert AppendLock.for_database(":memory:").path is None
    assert Store("sqlite://")._append_lock.path is None
