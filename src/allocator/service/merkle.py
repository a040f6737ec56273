"""A Merkle tree over the decisions, as in RFC 9162 (Certificate Transparency 2.0).

Leaf ``i`` (0-based) is decision ``seq = i + 1``; its leaf input is the decision's chain
hash (32 bytes). ``leaf_hash = SHA-256(0x00 || input)``, ``node = SHA-256(0x01 || l || r)``,
and the tree of ``n`` leaves splits at the largest power of two below ``n`` (RFC 9162
§2.1.1). An inclusion proof (§2.1.3) is the list of sibling hashes from the leaf to the
root: with it, the decision's own hash and a signed root, anyone can check that the decision
is in the log without seeing any other decision.

:class:`MerkleLog` keeps the hash of every complete subtree as leaves are appended (as a
transparency log's tree table does), so that the root and an inclusion proof for any size
cost O(log² n) hashes instead of rehashing all ``n`` decisions per request.

Examples:
    >>> leaves = [bytes([i]) * 32 for i in range(5)]
    >>> root = tree_root(leaves)
    >>> proof = inclusion_proof(leaves, 3)
    >>> verify_inclusion(leaves[3], 3, 5, proof, root)
    True
    >>> verify_inclusion(leaves[2], 3, 5, proof, root)
    False
    >>> log = MerkleLog(leaves)
    >>> log.root(5) == root and log.proof(3, 5) == proof and log.root(3) == tree_root(leaves[:3])
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

_SIZE = 32  # bytes of a SHA-256 hash


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


class MerkleLog:
    """An append-only Merkle tree (RFC 9162) that answers roots and proofs for any size.

    Level ``h`` holds, contiguously, the hash of each complete subtree of ``2**h`` leaves
    that starts at a multiple of ``2**h`` (level 0: the leaf hashes): 64 bytes per leaf in
    all. Every subtree the RFC's recursive definition splits off on its left is such a
    complete, aligned subtree, so a root or a proof is a few lookups per level.
    """

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaves)

    def __len__(self) -> int:
        return len(self._levels[0]) // _SIZE

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append leaf inputs (the decisions' chain hashes), in order."""
        self._add(0, b"".join(leaf_hash(leaf) for leaf in leaves))

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        return self._node(0, index)

    def root(self, size: int | None = None) -> bytes:
        """The tree hash of the first ``size`` leaves (all by default)."""
        size = len(self) if size is None else size
        self._check(size)
        return self._range(0, size) if size else hashlib.sha256(b"").digest()

    def proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of the first ``size`` leaves."""
        size = len(self) if size is None else size
        self._check(size)
        if not 0 <= index < size:
            raise IndexError(f"leaf {index} is not in a tree of {size}")
        path: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index - lo < k:
                path.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._range(lo, lo + k))
                lo += k
        path.reverse()  # leaf to root
        return path

    def _check(self, size: int) -> None:
        if not 0 <= size <= len(self):
            raise IndexError(f"a tree of {size} leaves is not in a log of {len(self)}")

    def _node(self, level: int, index: int) -> bytes:
        return bytes(self._levels[level][index * _SIZE : (index + 1) * _SIZE])

    def _add(self, level: int, hashes: bytes) -> None:
        """Append ``hashes`` (concatenated) to ``level``, then the parents they complete."""
        if not hashes:
            return
        if level == len(self._levels):
            self._levels.append(bytearray())
        row = self._levels[level]
        first = len(row) // _SIZE // 2  # the first pair a new hash can complete
        row += hashes
        tail = bytes(row[2 * first * _SIZE :])  # the hashes of the pairs to complete
        sha, prefix = hashlib.sha256, b"\x01"
        parents = b"".join(
            sha(prefix + tail[i : i + 2 * _SIZE]).digest()  # node_hash of the pair
            for i in range(0, len(tail) - _SIZE, 2 * _SIZE)
        )
        self._add(level + 1, parents)

    def _range(self, lo: int, hi: int) -> bytes:
        """The tree hash of leaves ``lo`` to ``hi`` (exclusive), as RFC 9162 splits them."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:  # a complete, aligned subtree: stored
            level = n.bit_length() - 1
            return self._node(level, lo >> level)
        k = _split(n)
        return node_hash(self._range(lo, lo + k), self._range(lo + k, hi))
