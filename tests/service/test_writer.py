"""Group commit: decisions waiting together are committed in one transaction, answered only
after it, and a failed transaction fails each of its requests."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from concurrent.futures import Future

import pytest

from allocator.service.store import NewDecision, Prepared, Row, Store
from allocator.service.writer import GroupWriter
from tests.service.test_audit import _new


class _SlowStore(Store):
    """A store whose first commit waits for a signal, so that others queue behind it."""

    def __init__(self) -> None:
        super().__init__("sqlite://")
        self.create_tables()
        self.release = threading.Event()
        self.sizes: list[int] = []
        self.failing = False

    def append_batch(self, batch: Iterable[NewDecision | Prepared]) -> list[Row]:
        self.release.wait(timeout=10)
        batch = list(batch)
        self.sizes.append(len(batch))
        if self.failing:
            raise RuntimeError("disk full")
        return super().append_batch(batch)


def test_waiting_decisions_share_one_commit() -> None:
    store = _SlowStore()
    writer = GroupWriter(store)
    first = writer.submit(_new(1))
    rest = [writer.submit(_new(i)) for i in range(2, 41)]
    assert not first.done()  # not answered before its commit
    store.release.set()
    rows = [f.result(timeout=10) for f in [first, *rest]]
    writer.close()
    assert [r["seq"] for r in rows] == list(range(1, 41))  # in submission order
    assert sum(store.sizes) == 40 and len(store.sizes) < 40 and max(store.sizes) > 1
    assert store.verify().ok and store.verify().checked == 40


def test_a_failed_commit_fails_each_request_of_its_batch() -> None:
    store = _SlowStore()
    store.failing = True
    writer = GroupWriter(store)
    futures: list[Future[Row]] = [writer.submit(_new(i)) for i in range(1, 6)]
    store.release.set()
    for future in futures:
        with pytest.raises(RuntimeError, match="disk full"):
            future.result(timeout=10)
    store.failing = False
    assert writer.submit(_new(6)).result(timeout=10)["seq"] == 1  # nothing half-written
    writer.close()
    assert store.count() == 1


def test_a_decision_arriving_while_the_writer_lingers_joins_the_batch() -> None:
    store = Store("sqlite://")
    store.create_tables()
    writer = GroupWriter(store, linger=1.0)  # long enough for the second to arrive
    first = writer.submit(_new(1))
    assert not first.done()
    second = writer.submit(_new(2))
    assert first.result(timeout=30)["seq"] == 1 and second.result(timeout=30)["seq"] == 2
    assert (writer.batches, writer.decisions) == (1, 2)
    writer.close()


class _Watched:
    """The writer's queue, recording the timeout of each blocking ``get``."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.timeouts: list[float | None] = []

    def put(self, item: object) -> None:
        self.queue.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> object:
        self.timeouts.append(timeout)
        return self.queue.get(block, timeout)

    def get_nowait(self) -> object:
        return self.queue.get_nowait()

    def qsize(self) -> int:
        return self.queue.qsize()


def test_the_writer_never_waits_on_its_queue_with_a_timeout() -> None:
    """CPython's ``SimpleQueue.get(timeout=...)`` can wait forever (a free lock taken on an
    empty queue, the time left recomputed once already past, then a negative timeout): a
    batch of three decisions once waited 15 minutes for a fourth. The writer lingers by
    sleeping and takes what came without waiting; a stop signal sent meanwhile still
    commits what was submitted before it."""
    store = Store("sqlite://")
    store.create_tables()
    writer = GroupWriter(store, linger=0.05)
    watched = _Watched()
    writer._queue = watched  # type: ignore[assignment]
    first = writer.submit(_new(1))
    second = writer.submit(_new(2))
    assert first.result(timeout=30)["seq"] == 1 and second.result(timeout=30)["seq"] == 2
    third = writer.submit(_new(3))
    writer.close()  # the stop signal arrives while the writer lingers on the third
    assert third.done() and third.result()["seq"] == 3
    assert (writer.batches, writer.decisions) == (2, 3)
    assert watched.timeouts and set(watched.timeouts) == {None}


def test_without_lingering_a_lone_decision_is_committed_at_once() -> None:
    store = Store("sqlite://")
    store.create_tables()
    writer = GroupWriter(store, linger=0.0)
    assert writer.submit(_new(1)).result(timeout=30)["seq"] == 1
    assert writer.submit(_new(2)).result(timeout=30)["seq"] == 2
    assert (writer.batches, writer.decisions) == (2, 2)
    writer.close()


def test_decisions_queued_while_the_chain_is_locked_join_the_transaction() -> None:
    """Another worker's commit holds the chain: what arrives meanwhile is committed with
    the decision already waiting, in one transaction, instead of in the next one."""
    store = Store("sqlite://")
    store.create_tables()
    writer = GroupWriter(store, linger=0.0)
    with store._append_lock:  # as another worker's append would
        first = writer.submit(_new(1))
        while writer._queue.qsize():  # the writer has taken it ...
            threading.Event().wait(0.001)
        threading.Event().wait(0.05)  # ... and waits for the lock
        rest = [writer.submit(_new(i)) for i in range(2, 6)]
    rows = [f.result(timeout=30) for f in [first, *rest]]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert (writer.batches, writer.decisions) == (1, 5)
    writer.close()
    assert store.verify().ok


def test_a_stop_met_while_joining_commits_the_batch_and_ends_the_thread() -> None:
    store = Store("sqlite://")
    store.create_tables()
    writer = GroupWriter(store, linger=0.0)
    with store._append_lock:
        first = writer.submit(_new(1))
        while writer._queue.qsize():
            threading.Event().wait(0.001)
        threading.Event().wait(0.05)
        second = writer.submit(_new(2))
        thread = writer._thread
        writer._queue.put(None)  # what close() sends
    assert first.result(timeout=30)["seq"] == 1 and second.result(timeout=30)["seq"] == 2
    assert thread is not None
    thread.join(timeout=30)
    assert not thread.is_alive() and writer.batches == 1


def test_an_event_loop_s_decisions_are_settled_on_it_once_a_batch() -> None:
    """``submit_async``: the futures are the loop's, settled in submission order by one
    call from the writer's thread per batch; a failed batch fails each of them; a future
    cancelled meanwhile (the client left) is skipped, and its decision kept."""
    import asyncio

    store = _SlowStore()
    writer = GroupWriter(store)

    async def main() -> tuple[list[int], int, int]:
        loop = asyncio.get_running_loop()
        calls = 0
        original = loop.call_soon_threadsafe

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal calls
            if threading.current_thread() is not threading.main_thread():
                calls += 1
            return original(*args, **kwargs)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        futures = [writer.submit_async(_new(i)) for i in range(1, 31)]
        futures[3].cancel()
        store.release.set()
        done = await asyncio.gather(*futures, return_exceptions=True)
        seqs = [r["seq"] for r in done if isinstance(r, dict)]
        store.failing = True
        store.release.clear()
        failing = [writer.submit_async(_new(i)) for i in range(31, 34)]
        store.release.set()
        errors = await asyncio.gather(*failing, return_exceptions=True)
        assert all(isinstance(e, RuntimeError) for e in errors)
        return seqs, calls, len(store.sizes)

    seqs, calls, batches = asyncio.run(main())
    writer.close()
    assert seqs == [s for s in range(1, 31) if s != 4]
    assert store.count() == 30  # the cancelled request's decision too
    assert calls == batches < 31
