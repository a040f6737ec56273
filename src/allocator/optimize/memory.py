"""Giving memory the solver has freed back to the operating system.

HiGHS allocates and frees the matrices of each province's LP; glibc's allocator keeps
freed memory in its arenas (one per thread that allocated, and the relaxation solves two
provinces at a time in threads), so the process's resident size grew by a province's
worth at every solve. :func:`release_freed` asks glibc to return what is free
(``malloc_trim``); it frees nothing in use. At 10,000 neighborhoods it took the peak from
2.1-2.2 GB to 1.4 GB, the same solve (``docs/notes/h13memory.md``). Elsewhere than glibc
(macOS, musl, Windows) it does nothing.

Examples:
    >>> release_freed() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return libc


def release_freed() -> bool:
    """Return the allocator's free memory to the system; whether any was (glibc only)."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
