"""Integer apportionment: split a whole number in proportion to weights.

Examples:
    >>> apportion(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
    >>> int(apportion(2_000, np.array([5.0, 2.0, 0.5])).sum())
    2000
"""

from __future__ import annotations

import numpy as np

from allocator.types import FloatArray, IntArray


def apportion(total: int, weights: FloatArray) -> IntArray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder method).

    Ties in the remainders go to the earlier position, so the result is deterministic.

    Args:
        total: the whole number to split (>= 0).
        weights: non-negative weights, not all zero.

    Returns:
        Integers summing to ``total``.
    """
    quotas: FloatArray = total * weights / weights.sum()
    shares: IntArray = np.floor(quotas).astype(np.int64)
    missing = total - int(shares.sum())
    if missing > 0:
        order = np.argsort(-(quotas - shares), kind="stable")
        shares[order[:missing]] += 1
    return shares


def with_floor(shares: IntArray, index: int, floor: int) -> IntArray:
    """Raise ``shares[index]`` to ``floor``, taking the difference from the largest shares.

    Examples:
        >>> with_floor(np.array([8, 2, 2]), 1, 4).tolist()
        [6, 4, 2]
    """
    shares = shares.copy()
    while shares[index] < floor:
        donors = shares.copy()
        donors[index] = -1
        shares[int(np.argmax(donors))] -= 1
        shares[index] += 1
    return shares
