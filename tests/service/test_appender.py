"""The chain's appender: one open driver connection, errors as SQLAlchemy raises them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from allocator.service.appender import ChainBroken
from allocator.service.store import NewDecision, Store


def _new(i: int, decision_id: str | None = None) -> NewDecision:
    return NewDecision(
        decision_id or f"d-{i}", i, 7, "imam_order",
        {"ruleset": "n", "version": "1", "hash": "h"}, "2025-06-01",
        {"household_id": i}, {"services": []},
        [("food_package", True, 2), ("shelter", False, None)],
    )  # fmt: skip


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_refused_batch_leaves_the_chain_as_it_was(tmp_path: Path, where: str) -> None:
    store = Store("sqlite://" if where == "memory" else f"sqlite:///{tmp_path / 'a.db'}")
    store.create_tables()
    store.append_batch([_new(1), _new(2)])
    with pytest.raises(IntegrityError):  # the driver's error, wrapped as SQLAlchemy does
        store.append_batch([_new(3), _new(4, decision_id="d-1")])
    assert store.count() == 2 and store.check_head() == ""
    assert store.append(_new(3))["seq"] == 3  # the in-memory database was kept
    assert store.verify().ok
    counted, outcomes = store.stats(None)  # the refused batch's outcome rows rolled back too
    assert counted == 3 and sum(n for *_, n in outcomes) == 6


def test_a_failed_connection_is_replaced(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.create_tables()
    store.append(_new(1))
    store._appender._connection.dbapi_connection.close()  # as if the database went away
    with pytest.raises(DBAPIError):
        store.append(_new(2))
    assert store.append(_new(2))["seq"] == 2  # a new connection
    assert store.verify().ok


def test_a_broken_head_appends_nothing(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.create_tables()
    store.append(_new(1))
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM chain_head")
    with pytest.raises(ChainBroken, match="chain_head row is missing"):
        store.append(_new(2))
    assert store.count() == 1


def test_two_processes_appending_at_once_keep_one_chain(db_urls: tuple[str, str]) -> None:
    """Two appenders with locks of their own (as two worker processes have) on one database:
    every batch is linked behind the other's, none is refused as a broken chain. On
    PostgreSQL the second waits for the head's row lock; the last decision it then reads
    must be the one the first just committed (one statement reading both saw the head
    moved but not the decision: ``chain-broken``)."""
    owner_url, service_url = db_urls
    owner = Store(owner_url)
    owner.create_tables()
    owner.dispose()
    stores = [Store(service_url) for _ in range(2)]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def append(k: int) -> None:
        start.wait()
        try:
            for i in range(150):
                n = 1 + i % 3
                stores[k].append_batch([_new(0, decision_id=f"w{k}-{i}-{j}") for j in range(n)])
        except BaseException as exc:  # reported below, with the others'
            failures.append(exc)

    threads = [threading.Thread(target=append, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert stores[0].count() == 2 * sum(1 + i % 3 for i in range(150))
    assert stores[0].verify().ok and stores[1].check_head() == ""
    for store in stores:
        store.dispose()


def test_the_outcome_rows_carry_no_index(tmp_path: Path) -> None:
    """Each decision writes a row per service; an index on them cost every append that
    many entries while ``stats`` reads every row anyway (docs/notes/h16wal.md)."""
    from sqlalchemy import inspect

    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    store.create_tables()
    assert inspect(store.engine).get_indexes("decision_outcomes") == []
    store.append(_new(1))
    groups = [("food_package", True, 2, 1), ("shelter", False, None, 1)]
    assert store.stats("imam_order") == (1, groups)
    store.dispose()


def test_a_batch_s_outcome_rows_are_stored_as_given(db_urls: tuple[str, str]) -> None:
    """On PostgreSQL the batch's outcome rows go in as five arrays in one statement
    (a missing tier a NULL in its array); SQLite inserts them row by row."""
    owner = Store(db_urls[0])
    owner.create_tables()
    owner.dispose()
    store = Store(db_urls[1])
    batch = [_new(i) for i in range(1, 4)]
    batch[2].outcomes.append(("shelter", True, None))  # eligible, but no tier
    store.append_batch(batch)
    assert store.stats("imam_order") == (
        3,
        [
            ("food_package", True, 2, 3),
            ("shelter", False, None, 3),
            ("shelter", True, None, 1),
        ],
    )
    assert store.stats("relief_committee") == (0, [])
    assert store.verify().ok
    store.dispose()
