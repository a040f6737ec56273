"""The chain's appender: one open driver connection, errors as SQLAlchemy raises them."""

from __future__ import annotations

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
