"""One appender at a time across processes, for a SQLite database file.

Several ``allocator serve`` workers append to the same SQLite file. SQLite itself lets only
one write transaction in at a time, and a writer that finds the database locked *sleeps*
in its busy handler (1, 2, 5, 10 … up to 100 ms between tries) instead of waking when the
lock is free: in ``benchmarks/service.py`` two workers' writers taking turns that way gave
a p99 of 250-350 ms. An exclusive ``flock`` on a file next to the database queues the
writers in the kernel instead, and a waiting writer starts the moment the other commits.

The lock file (``<database>.append-lock``) holds no data; it is created when missing and
may be deleted while no service runs. Where ``fcntl`` does not exist (Windows), only the
writers of one process are queued (SQLite's own lock still keeps the chain whole).

Examples:
    >>> import pathlib
    >>> db = tmp_path / "audit.db"  # tmp_path: a fresh directory (pytest's fixture)
    >>> lock = AppendLock.for_database(str(db))
    >>> with lock:
    ...     pass
    >>> pathlib.Path(str(db) + ".append-lock").exists()
    True
    >>> AppendLock.for_database(None).path is None   # in memory: one process only
    True
"""

from __future__ import annotations

import os
import threading
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Suffix of the lock file next to a SQLite database.
SUFFIX = ".append-lock"


class AppendLock:
    """An exclusive lock held for the length of one append transaction."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._thread_lock = threading.Lock()  # flock does not exclude threads of a process
        self._fd: int | None = None

    @classmethod
    def for_database(cls, database: str | None) -> AppendLock:
        """The lock of a SQLite database file (``None`` or ``:memory:``: this process only)."""
        if database in (None, "", ":memory:") or fcntl is None:
            return cls(None)
        return cls(os.fspath(database) + SUFFIX)

    def __enter__(self) -> AppendLock:
        self._thread_lock.acquire()
        if self.path is None:
            return self
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        """Close the lock file (a later append opens it again)."""
        with self._thread_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
