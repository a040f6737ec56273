"""The serving process's garbage collector (service/heap.py)."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Iterator

import pytest

from allocator.service import heap
from allocator.service.app import SETTINGS_ENV, app_from_environment


@pytest.fixture
def restored_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_a_worker_settles_its_collector_once_the_app_is_loaded(
    restored_gc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv(SETTINGS_ENV, json.dumps({"db_url": "sqlite://"}))
    app = app_from_environment()
    assert gc.get_threshold() == (heap.YOUNG, *heap.OLDER)
    # what start-up made (the ruleset among it) is out of the collector's sight
    assert gc.get_freeze_count() > 10_000
    assert not any(obj is app.state.service.ruleset for obj in gc.get_objects())


def test_cycles_made_while_serving_are_still_collected(restored_gc: None) -> None:
    heap.settle_for_serving()

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    kept = [[] for _ in range(heap.YOUNG + 100)]  # more new objects than the threshold
    assert gone() is None
    assert len(kept) > heap.YOUNG
