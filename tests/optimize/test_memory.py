"""Freed memory goes back to the system (glibc), so that solving province after province
does not grow the process by a province's worth each time."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from allocator.optimize.memory import _libc, release_freed


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or _libc() is None, reason="glibc's malloc_trim"
)
def test_memory_freed_between_blocks_in_use_is_returned() -> None:
    # every other block freed: holes between blocks in use, which glibc keeps by itself
    blocks = [bytearray(64_000) for _ in range(4_000)]  # about 256 MB, pages touched
    kept = blocks[1::2]
    del blocks
    before = _rss_mb()
    assert release_freed()
    after = _rss_mb()
    assert before - after > 60, (before, after)
    assert sum(len(b) for b in kept) == 2_000 * 64_000  # what is in use stays


def test_elsewhere_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator.optimize.memory as memory

    monkeypatch.setattr(memory, "_libc", lambda: None)
    assert memory.release_freed() is False
