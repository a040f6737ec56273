"""The cached Merkle log answers exactly as the RFC 9162 definitions, for every size."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.service.merkle import MerkleLog, inclusion_proof, tree_root, verify_inclusion


def _leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


@given(st.integers(1, 300), st.data())
def test_roots_and_proofs_of_every_prefix_match_the_definition(n: int, data: st.DataObject):
    leaves = _leaves(n)
    log = MerkleLog(leaves[: n // 2])
    log.extend(leaves[n // 2 :])  # appended in two goes, as the service does
    size = data.draw(st.integers(1, n), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = tree_root(leaves[:size])
    assert log.root(size) == root
    path = log.proof(index, size)
    assert path == inclusion_proof(leaves[:size], index)
    assert verify_inclusion(leaves[index], index, size, path, root)


def test_sizes_outside_the_log_are_refused():
    log = MerkleLog(_leaves(5))
    assert log.root(0) == tree_root([])
    with pytest.raises(IndexError):
        log.root(6)
    with pytest.raises(IndexError):
        log.proof(5, 5)
