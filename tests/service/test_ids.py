"""Decision ids: version-4 UUIDs from blocks of the kernel's randomness."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from allocator.service.ids import DecisionIds


def test_ids_are_version_4_uuids_in_uuid4_s_form() -> None:
    ids = DecisionIds(block=4)
    drawn = [ids() for _ in range(1000)]  # many blocks
    for text in drawn:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
    assert len(set(drawn)) == len(drawn)


def test_threads_never_share_an_id() -> None:
    ids = DecisionIds(block=8)
    drawn: list[list[str]] = [[] for _ in range(4)]

    def draw(out: list[str]) -> None:
        for _ in range(5000):
            out.append(ids())

    threads = [threading.Thread(target=draw, args=(out,)) for out in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [text for out in drawn for text in out]
    assert len(set(every)) == len(every) == 20_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_repeat_its_parent_s_ids() -> None:
    ids = DecisionIds()
    ids()  # the parent holds a block with 255 ids left
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.write(write, ids().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    assert uuid.UUID(child).version == 4
    assert child != ids()
