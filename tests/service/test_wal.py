"""SQLite's write-ahead log is copied into the database by a thread, not by the commits."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from allocator.service import wal
from allocator.service.store import NewDecision, Store
from allocator.service.wal import FALLBACK_PAGES, WalCopier


def _new(i: int, size: int) -> NewDecision:
    return NewDecision(
        f"d-{i}", i, 7, "imam_order", {"ruleset": "n", "version": "1", "hash": "h"},
        "2025-06-01", {"household_id": i}, {"services": [], "pad": "x" * size},
        [("food_package", True, 2)],
    )  # fmt: skip


def _wal_pages(path: Path) -> int:
    wal_file = Path(str(path) + "-wal")
    return wal_file.stat().st_size // 4096 if wal_file.exists() else 0


def _log_frames(store: Store) -> int:
    """Frames in the log now (a ``PASSIVE`` checkpoint reports them)."""
    connection = store.engine.raw_connection()
    try:
        return wal.copy_log(connection)[0]
    finally:
        connection.close()


def test_commits_leave_the_log_to_the_copier(tmp_path: Path) -> None:
    """12 MB committed with the copier held back: the log holds all of it (without the
    copier the commits would have copied it every 4 MB); after one copy the next commit
    writes the log from its beginning again, and the chain is whole."""
    path = tmp_path / "audit.db"
    store = Store(f"sqlite:///{path}")
    store.create_tables()
    appender = store._appender
    assert appender.wal is not None
    appender.wal.copy_bytes = 10**12
    for i in range(100):
        store.append_batch([_new(3 * i + j, 40_000) for j in range(3)])
    cursor = appender._connection.cursor()
    assert cursor.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_PAGES
    cursor.close()
    assert appender.wal.copies == 0 and _wal_pages(path) > 2_500  # 10 MB
    size = Path(str(path) + "-wal").stat().st_size
    connection = store.engine.raw_connection()
    appender.wal._copy(connection)
    connection.close()
    store.append_batch([_new(300, 40_000)])
    assert _log_frames(store) < 50  # started again: one decision's pages
    assert Path(str(path) + "-wal").stat().st_size == size  # reused, not grown
    assert store.verify().ok and store.count() == 301
    store.dispose()


def test_the_copier_keeps_the_log_short(tmp_path: Path) -> None:
    """The same 12 MB with a copy every 256 kB: the log never reaches a third of it."""
    path = tmp_path / "audit.db"
    store = Store(f"sqlite:///{path}")
    store.create_tables()
    copier = store._appender.wal
    assert copier is not None
    copier.copy_bytes = 256_000
    for i in range(100):
        store.append_batch([_new(3 * i + j, 40_000) for j in range(3)])
        for _ in range(500):  # let the copier take what is due (it may lag by one copy)
            if copier._written < copier.copy_bytes:
                break
            threading.Event().wait(0.01)
    pages = _wal_pages(path)  # the file's size: the furthest the log ever reached
    assert copier.copies >= 10 and pages < 1_000
    assert store.verify().ok and store.count() == 300
    store.dispose()


def test_memory_and_postgres_have_no_copier() -> None:
    assert Store("sqlite://")._appender.wal is None


class _Lock:
    def __init__(self) -> None:
        self.held = False

    def __enter__(self) -> _Lock:
        self.held = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.held = False


class _Connection:
    """Answers ``PRAGMA wal_checkpoint`` with ``results`` and notes whether the lock was held."""

    def __init__(self, lock: _Lock, results: list[tuple[int, int, int]]) -> None:
        self.lock = lock
        self.results = results
        self.calls: list[bool] = []
        self.closed = False

    def cursor(self) -> _Connection:
        return self

    def execute(self, sql: str) -> _Connection:
        assert sql == "PRAGMA wal_checkpoint(PASSIVE)"
        self.calls.append(self.lock.held)
        return self

    def fetchone(self) -> tuple[int, int, int]:
        return self.results.pop(0) if self.results else (0, 10, 10)

    def close(self) -> None:
        self.closed = True


def _watch(copier: WalCopier) -> threading.Event:
    """An event set after each copy the copier completes."""
    done = threading.Event()
    original = copier._copy

    def copy(connection: Any) -> None:
        original(connection)
        done.set()

    copier._copy = copy  # type: ignore[method-assign]
    return done


def _run(copier: WalCopier, size: int) -> None:
    done = _watch(copier)
    copier.written(size)
    assert done.wait(10)
    copier.close()


def test_the_last_pass_holds_the_append_lock() -> None:
    lock = _Lock()
    connection = _Connection(lock, [(0, 1_000, 1_000)])  # much copied: a second pass
    copier = WalCopier(lambda: connection, lock, copy_bytes=100)
    copier.written(99)
    assert copier._thread is None  # not enough written yet
    _run(copier, 1)
    assert connection.calls == [False, False, True] and copier.copies == 1
    assert connection.closed


def test_a_short_first_pass_is_not_repeated_and_a_busy_copier_is_left_alone() -> None:
    lock = _Lock()
    connection = _Connection(lock, [(0, 40, 40)])
    copier = WalCopier(lambda: connection, lock, copy_bytes=100)
    _run(copier, 100)
    assert connection.calls == [False, True]
    busy = _Connection(lock, [(1, -1, -1)])  # another process's copier is at it
    copier = WalCopier(lambda: busy, lock, copy_bytes=100)
    _run(copier, 100)
    assert busy.calls == [False] and copier.copies == 0


def test_a_failed_copy_is_logged_and_the_next_one_reconnects(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lock = _Lock()
    connections: list[_Connection] = []

    def connect() -> _Connection:
        if not connections:
            connections.append(_Connection(lock, []))
            raise OSError("disk gone")
        connections.append(_Connection(lock, []))
        return connections[-1]

    copier = WalCopier(connect, lock, copy_bytes=100)
    with caplog.at_level(logging.WARNING, logger=wal.__name__):
        done = _watch(copier)
        copier.written(100)  # fails to connect
        for _ in range(100):
            if "OSError" in caplog.text:
                break
            threading.Event().wait(0.05)
        copier.written(100)
        assert done.wait(10)
        copier.close()
    assert "copying the write-ahead log failed: OSError" in caplog.text
    assert connections[-1].calls == [False, True]


def test_close_stops_the_thread_and_a_later_write_starts_another() -> None:
    lock = _Lock()
    connection = _Connection(lock, [])
    copier = WalCopier(lambda: connection, lock, copy_bytes=100)
    _run(copier, 100)
    assert copier._thread is None
    _run(copier, 100)
    assert copier.copies == 2
