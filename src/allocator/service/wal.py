"""Copying SQLite's write-ahead log into the database away from the commits.

In WAL mode every commit appends its pages to the log, and by default the commit that
takes the log past 1,000 pages also copies the whole log into the database file and syncs
it (a *checkpoint*). For the audit writer that is about 4 MB every 80 decisions of 48 KB:
measured alone, a commit of three decisions takes 0.55 ms at the median and 10.5 ms at
the 99th percentile, and the mean (0.96 ms) is 40% checkpoints, all of them inside the
chain's lock, where every other worker waits (``docs/notes/h16wal.md``).

:class:`WalCopier` moves that work to a thread of its own. The appender's connection
checkpoints only past :data:`FALLBACK_PAGES` (a bound on the log should the copier fall
behind); after each commit it tells the copier how many bytes it wrote, and once
:data:`COPY_BYTES` have been written the copier

1. copies the log into the database without any lock (SQLite's ``PASSIVE`` checkpoint:
   writers go on appending meanwhile), once more if the first pass found much to copy;
2. then, holding the append lock so that no commit comes in between, copies the few
   pages committed during step 1. The whole log is now in the database, and the next
   commit starts the log again from its beginning instead of growing it.

Durability does not change: each commit is synced to the log before it is answered, as
before. A crash during a copy is one of SQLite's ordinary cases (the log is replayed).

Examples:
    >>> import sqlite3
    >>> path = str(tmp_path / "a.db")  # tmp_path: a fresh directory (pytest's fixture)
    >>> db = sqlite3.connect(path, isolation_level=None)
    >>> db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    'wal'
    >>> _ = db.execute("CREATE TABLE t (x)")
    >>> copy_log(db)  # (pages in the log, pages copied)
    (2, 2)
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

_log = logging.getLogger(__name__)

#: Bytes committed between two copies of the log (SQLite's own default is about 4 MB).
COPY_BYTES = 4_000_000
#: Pages past which a commit on the appender's connection copies the log itself (64 MB
#: of 4 KB pages): only when the copier cannot keep up, e.g. a long reader holds the log.
FALLBACK_PAGES = 16_384
#: A first unlocked pass that copied more pages than this is followed by a second one, so
#: that little is left for the pass under the lock.
SECOND_PASS_PAGES = 256


def copy_log(connection: Any) -> tuple[int, int]:
    """One ``PASSIVE`` checkpoint on ``connection`` (a DBAPI connection to a SQLite file
    in WAL mode): ``(pages in the log, pages copied)``; ``(-1, -1)`` if another
    checkpoint was running."""
    cursor = connection.cursor()
    try:
        busy, log, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        cursor.close()
    return (-1, -1) if busy else (int(log), int(copied))


class WalCopier:
    """A thread that copies the log of one SQLite database file into it.

    ``connect`` opens a DBAPI connection to the database (the copier's own, kept open);
    ``lock`` is the append lock, held for the last pass.
    """

    def __init__(
        self,
        connect: Callable[[], Any],
        lock: contextlib.AbstractContextManager[Any],
        copy_bytes: int = COPY_BYTES,
    ) -> None:
        self._connect = connect
        self._lock = lock
        self.copy_bytes = copy_bytes
        self._written = 0
        self._wake = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        #: Copies made (both passes), for tests and the benchmark.
        self.copies = 0

    def written(self, size: int) -> None:
        """Note about ``size`` bytes just committed (the appender counts the decisions'
        JSON characters: an estimate is enough); wakes the copier once enough have been."""
        with self._wake:
            self._written += size
            if self._written < self.copy_bytes or self._stop:
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="allocator-wal-copier", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        connection = None
        while True:
            with self._wake:
                while self._written < self.copy_bytes and not self._stop:
                    self._wake.wait()
                if self._stop:
                    break
                self._written = 0
            try:
                if connection is None:
                    connection = self._connect()
                self._copy(connection)
            except Exception as exc:  # the appender's own fallback bounds the log
                _log.warning("copying the write-ahead log failed: %s", type(exc).__name__)
                with contextlib.suppress(Exception):
                    if connection is not None:
                        connection.close()
                connection = None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def _copy(self, connection: Any) -> None:
        log, copied = copy_log(connection)
        if log < 0:
            return  # another process's copier is at it
        if copied > SECOND_PASS_PAGES:  # commits came in meanwhile: copy them unlocked too
            copy_log(connection)
        with self._lock:
            copy_log(connection)
        self.copies += 1

    def close(self) -> None:
        """Stop the thread (what is in the log stays there, safely, until the next copy);
        a later :meth:`written` starts another."""
        with self._wake:
            self._stop = True
            thread, self._thread = self._thread, None
            self._wake.notify()
        if thread is not None:
            thread.join()
        with self._wake:
            self._stop = False
            self._written = 0
