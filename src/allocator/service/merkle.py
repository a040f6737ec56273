"""A Merkle tree over the decisions, as in RFC 9162 (Certificate Transparency 2.0).

Leaf ``i`` (0-based) is decision ``seq = i + 1``; its leaf input is the decision's chain
hash (32 bytes). ``leaf_hash = SHA-256(0x00 || input)``, ``node = SHA-256(0x01 || l || r)``,
and the tree of ``n`` leaves splits at the largest power of two below ``n`` (RFC 9162
§2.1.1). An inclusion proof (§2.1.3) is the list of sibling hashes from the leaf to the
root: with it, the decision's own hash and a signed root, anyone can check that the decision
is in the log without seeing any other decision.

Examples:
    >>> leaves = [bytes([i]) * 32 for i in range(5)]
    >>> root = tree_root(leaves)
    >>> proof = inclusion_proof(leaves, 3)
    >>> verify_inclusion(leaves[3], 3, 5, proof, root)
    True
    >>> verify_inclusion(leaves[2], 3, 5, proof, root)
    False
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256 of 0x00 and the leaf input."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256 of 0x01 and the two children."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """The root over leaf hashes, bottom-up (same tree as the recursive definition)."""
    level = list(hashes)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of ``leaves`` (leaf inputs); SHA-256 of nothing when empty."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _root_of_hashes([leaf_hash(x) for x in leaves])


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 9162 PATH)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    hashes = [leaf_hash(x) for x in leaves]
    path: list[bytes] = []
    lo, hi, m = 0, len(hashes), index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m - lo < k:
            path.append(_root_of_hashes(hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(_root_of_hashes(hashes[lo : lo + k]))
            lo += k
    path.reverse()  # leaf to root
    return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf input ``leaf`` at ``index`` in a tree of ``size`` with
    ``root`` (the RFC 9162 §2.1.3.2 algorithm)."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root
