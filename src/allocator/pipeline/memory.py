"""Process memory settings for bulk runs: reuse freed arrays instead of faulting in new pages.

A row group allocates and frees hundreds of temporary arrays of a few MB. By default glibc
serves each from a fresh ``mmap`` and NumPy asks the kernel for transparent huge pages on it,
so every array costs page faults, and on virtual machines a huge-page fault may stall for
compaction: on the 2-core development machine that was half the run time in the kernel.
:func:`tune_memory` keeps arrays up to 32 MB on glibc's heap, which is not returned to the
system between row groups, stops the huge-page advice, and makes Arrow allocate from that
heap too (its default mimalloc pool returns pages and faults them in again). It is called
once per process by the classification (the local run and each Dask worker); elsewhere it
does nothing.

Examples:
    >>> tune_memory() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc's largest allowed mmap threshold on 64-bit systems.
_MMAP_THRESHOLD = 32 * 1024 * 1024
_TRIM_THRESHOLD = 1 << 30
_lock = threading.Lock()
_done: list[bool] = []


def tune_memory() -> bool:
    """Apply the settings once per process; whether glibc's ``mallopt`` could be called."""
    with _lock:
        if _done:
            return _done[0]
        ok = False
        import numpy as np

        core = getattr(np, "_core", None)
        switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
        if switch is not None:
            switch(False)
        if sys.platform.startswith("linux"):
            try:  # find_library runs ldconfig (10 ms): try glibc's usual name first
                libc = ctypes.CDLL("libc.so.6")
            except OSError:
                libc = None
            try:
                libc = libc or ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                ok = bool(libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
                    libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
                )
            except (OSError, AttributeError):
                ok = False
            if ok:
                # Arrow's own allocator (mimalloc) hands freed pages back to the kernel and
                # faults them in again at the next row group: a third of the read time went
                # to the kernel. Arrow then allocates from the tuned glibc heap as well.
                import pyarrow as pa

                pa.set_memory_pool(pa.system_memory_pool())
        _done.append(ok)
        return ok
