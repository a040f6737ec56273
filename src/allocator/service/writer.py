"""Group commit: one writer thread appends many decisions to the chain per transaction.

Request handlers prepare a :class:`~allocator.service.store.NewDecision` and hand it to
:meth:`GroupWriter.submit`, which returns a future. The writer thread takes everything
waiting (up to ``max_batch``, ``linger`` seconds after the first came), appends it
in one transaction (one lock of the chain head, one durable commit) and only then resolves
the futures: a request is answered after its decision is committed, and a failed
transaction fails every request of its batch. Decisions submitted while the transaction
waits for the chain's lock (held by another worker's commit) join it once it is taken.

Examples:
    >>> from allocator.service.store import NewDecision, Store
    >>> store = Store("sqlite://"); store.create_tables()
    >>> writer = GroupWriter(store)
    >>> new = NewDecision("d-1", 7, 7, "imam_order", {"ruleset": "n", "version": "1",
    ...     "hash": "h"}, "2025-06-01", {"household_id": 7}, {"services": []}, [])
    >>> writer.submit(new).result(timeout=10)["seq"]
    1
    >>> writer.close(); store.verify().ok
    True
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from allocator.service.store import NewDecision, Prepared, Row, Store

#: Most decisions committed in one transaction.
MAX_BATCH = 256
#: Seconds the writer waits after the first decision of a batch for more to join it.
#: A commit costs about 1.2 ms of CPU whatever its size and each decision about 0.4 ms
#: more (SQLite, docs/notes/h16lean.md): with 8 clients on 2 workers the batches were of
#: one or two decisions, and a millisecond's wait (the time to decide another) gave
#: 10-30% more decisions a second and a lower p99 in the same runs.
LINGER = 0.001

_Item = tuple[NewDecision | Prepared, "Future[Row] | asyncio.Future[Row]"]


def _settle(outcomes: list[tuple[asyncio.Future[Row], Row | BaseException]]) -> None:
    """On the futures' event loop: give each its row or its error (unless cancelled: the
    client went away; its decision is recorded all the same)."""
    for future, outcome in outcomes:
        if future.cancelled():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class GroupWriter:
    """A thread that commits submitted decisions in batches, in submission order."""

    def __init__(self, store: Store, max_batch: int = MAX_BATCH, linger: float = LINGER) -> None:
        self.store = store
        self.max_batch = max_batch
        self.linger = linger
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = False  # a stop signal was met while a batch was being joined
        #: Batches committed and decisions in them (for the benchmark).
        self.batches = 0
        self.decisions = 0

    def submit(self, new: NewDecision | Prepared) -> Future[Row]:
        """Queue ``new``; the future gives its stored row once the batch is committed."""
        future: Future[Row] = Future()
        self._put((new, future))
        return future

    def submit_async(self, new: NewDecision | Prepared) -> asyncio.Future[Row]:
        """:meth:`submit` for a caller on a running event loop: the future is that loop's
        and is settled on it, one call from the writer's thread per batch (no
        ``concurrent.futures`` future and its wrapping per decision)."""
        future: asyncio.Future[Row] = asyncio.get_running_loop().create_future()
        self._put((new, future))
        return future

    def _put(self, item: _Item) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="allocator-audit-writer", daemon=True
                )
                self._thread.start()
            self._queue.put(item)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            # Waiting with ``get(timeout=...)`` can hang: CPython's ``SimpleQueue.get``
            # recomputes the time left after it takes a free lock on an empty queue, and
            # when that is already more than a microsecond past (the thread descheduled
            # there) it waits on the lock with a negative timeout, which means forever,
            # until the next decision comes. A batch of three once waited 15 minutes in
            # the benchmark (all its worker's connections were in it). So: sleep, then
            # take what came.
            if self.linger > 0:
                time.sleep(self.linger)
            stop = self._take(batch)
            stop = self._commit(batch) or stop
            if stop:
                return

    def _take(self, batch: list[_Item]) -> bool:
        """Add what is queued to ``batch`` (up to ``max_batch``); returns whether a stop
        signal was met."""
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    def _joining(self, batch: list[_Item]) -> Iterator[NewDecision | Prepared]:
        """The batch's decisions, then those queued meanwhile (``batch`` grows with them).

        The store reads this after it has locked the chain: decisions submitted while it
        waited for the lock (another worker's commit) join this transaction instead of
        waiting for the next one. A stop signal found here is kept in ``self._stopping``.
        """
        i = 0
        while True:
            while i < len(batch):
                yield batch[i][0]
                i += 1
            if len(batch) >= self.max_batch or self._stopping:
                return
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:
                self._stopping = True
                return
            batch.append(item)

    def _commit(self, batch: list[_Item]) -> bool:
        """Commit ``batch`` and whatever joins it; returns whether a stop signal was met."""
        self._stopping = False
        try:
            rows = self.store.append_batch(self._joining(batch))
        except BaseException as exc:  # every waiting request gets the error
            self._resolve([(future, exc) for _, future in batch])
            return self._stopping
        self.batches += 1
        self.decisions += len(rows)
        self._resolve([(future, row) for (_, future), row in zip(batch, rows, strict=True)])
        return self._stopping

    @staticmethod
    def _resolve(outcomes: list[tuple[Any, Row | BaseException]]) -> None:
        """Settle each future with its row or error: a thread's at once, an event loop's
        on its loop (one call per loop)."""
        loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Row], Any]]] = {}
        for future, outcome in outcomes:
            if isinstance(future, asyncio.Future):
                loops.setdefault(future.get_loop(), []).append((future, outcome))
            elif isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        for loop, settled in loops.items():
            with contextlib.suppress(RuntimeError):  # the loop has closed (shutdown)
                loop.call_soon_threadsafe(_settle, settled)

    def close(self) -> None:
        """Commit what is queued, then stop the thread (a later submit starts a new one)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()
