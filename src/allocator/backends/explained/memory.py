"""What the explaining engines remember across households: kept the second time it is asked.

Households alike share traces, explanations and whole refusals, so the engines remember
them (:class:`Memory`). But some of what a household needs is its own: a service whose
conditions read the income or the assets (food packages, pensions, one-off cash) meets
new values in nearly every household, and a member-level service's refusal is one per
combination of its members. Over 16,000 distinct households, 0.5% of the traces of
`food_package` were asked for again before the memory filled up and started anew.
Remembering such entries costs more than it saves: they stay alive until the memory is
emptied, so the garbage collector walks them again and again (about a tenth of deciding a
distinct household, ``docs/notes/h16memory.md``).

A :class:`Memory` therefore keeps an entry only when its key is asked for a second time:
the first time, only the key's hash is noted (an integer, which the collector never
walks). What households share is asked for again soon and is kept from then on; what is
one household's own is built, used and freed at once.

Examples:
    >>> memory = Memory(2)
    >>> memory.put("a", 1); memory.get("a") is None  # once: noted, not kept
    True
    >>> memory.put("a", 1); memory.get("a")  # twice: kept
    1
    >>> memory.put("b", 2); memory.put("b", 2); memory.put("c", 3); memory.put("c", 3)
    >>> len(memory)  # full with two: emptied, then "c" kept
    1
"""

from __future__ import annotations

from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: Hashes of keys asked once that are noted, per entry kept (then forgotten at once).
NOTED = 4


class Memory(dict[_K, _V]):
    """A dictionary of at most ``size`` entries, each kept on its key's second
    :meth:`put`; full, it is emptied and starts again. ``size`` 0 keeps nothing. Read it
    as a dictionary (``get`` is the dictionary's own: asked for a hundred times a
    decision)."""

    __slots__ = ("_noted", "size")

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        self._noted: set[int] = set()

    def put(self, key: _K, value: _V) -> None:
        """Keep ``value`` for ``key`` if the key was put before (since the last
        emptying of the notes); otherwise note the key."""
        if not self.size:
            return
        noted = hash(key)
        if noted not in self._noted:
            if len(self._noted) >= NOTED * self.size:
                self._noted.clear()
            self._noted.add(noted)
            return
        self._noted.discard(noted)
        if len(self) >= self.size:
            super().clear()
        self[key] = value

    def clear(self) -> None:
        """Forget every entry and every note."""
        super().clear()
        self._noted.clear()
