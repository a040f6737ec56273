"""Decision ids: random (version 4) UUIDs, their randomness drawn from the kernel in blocks.

``uuid.uuid4()`` asks the kernel for 16 bytes per id, and ``os.urandom`` lets go of the
GIL around that call: on a served worker the audit writer's thread is then handed the
GIL and gives it back, a futex wake each way, for every decision (3-4% of a worker's CPU,
py-spy, docs/notes/h16ids.md). :class:`DecisionIds` reads the same kernel randomness 4 KB
at a time (256 ids): the ids are as random and as unpredictable as ``uuid4``'s, and in
the same form.

A child process made by ``fork`` starts with an empty block (``os.register_at_fork``), so
that a parent and its children never hand out the same ids.

Examples:
    >>> import uuid
    >>> ids = DecisionIds()
    >>> first, second = ids(), ids()
    >>> first != second and uuid.UUID(first).version == 4 and str(uuid.UUID(first)) == first
    True
"""

from __future__ import annotations

import os
import threading
import weakref

#: Ids drawn from one read of the kernel's randomness.
BLOCK = 256

_VERSION_CLEAR = ~((0xF << 76) | (0x3 << 62))
_VERSION_SET = (0x4 << 76) | (0x2 << 62)  # version 4, RFC 4122 variant (10xx)

_ALL: weakref.WeakSet[DecisionIds] = weakref.WeakSet()


class DecisionIds:
    """A callable giving a new random UUID (version 4) as text at each call; thread-safe."""

    def __init__(self, block: int = BLOCK) -> None:
        self._size = 16 * block
        self._lock = threading.Lock()
        self._block = b""
        self._at = 0
        _ALL.add(self)

    def __call__(self) -> str:
        with self._lock:
            if self._at >= len(self._block):
                self._block = os.urandom(self._size)
                self._at = 0
            raw = self._block[self._at : self._at + 16]
            self._at += 16
        number = int.from_bytes(raw, "big") & _VERSION_CLEAR | _VERSION_SET
        text = f"{number:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def forget(self) -> None:
        """Drop what is left of the block (the next id reads a new one)."""
        self._lock = threading.Lock()  # a lock held in the parent at fork stays held
        self._block = b""
        self._at = 0


def _after_fork() -> None:
    for ids in list(_ALL):
        ids.forget()


os.register_at_fork(after_in_child=_after_fork)

#: The process's decision ids.
new_decision_id = DecisionIds()
