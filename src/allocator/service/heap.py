"""The garbage collector of a serving process, set for many short-lived decisions.

A decision builds a few thousand small objects and drops them when it is answered; they
die by reference counting, but CPython's cyclic collector counts their allocations and,
with its default thresholds (700 allocations for the youngest generation), ran about
every 15 decisions, each time looking through every object of that generation; its older
generations also hold everything made at start-up (the ruleset, the compiled rules, the
application: about 200,000 objects), walked again by every full collection. Measured in
one process (``docs/notes/h16heap.md``): 0.055 ms of collection a decision, 0.003 ms with
the settings below.

:func:`settle_for_serving` moves what exists at start-up out of the collector's sight
(``gc.freeze``: it lives as long as the process) and lets the youngest generation grow to
:data:`YOUNG` allocations between collections. Reference cycles are still collected.
"""

from __future__ import annotations

import gc

#: Allocations (net of deallocations) between collections of the youngest generation.
YOUNG = 20_000
#: Collections of one generation between collections of the next older one.
OLDER = (20, 100)


def settle_for_serving() -> None:
    """Call once the application is loaded, in the process that serves it.

    Examples:
        >>> before = gc.get_threshold()
        >>> settle_for_serving(); gc.get_threshold()[0] == YOUNG
        True
        >>> gc.unfreeze(); gc.set_threshold(*before)  # (as it was, for the other tests)
    """
    gc.freeze()
    gc.set_threshold(YOUNG, *OLDER)
