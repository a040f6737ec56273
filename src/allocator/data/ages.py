"""Members' ages, derived from the head's age by relation (one uniform, one normal draw each).

Examples:
    >>> rng = np.random.default_rng(0)
    >>> relation = np.array([HEAD, SPOUSE, CHILD], dtype=np.int8)
    >>> age = draw_ages(rng, relation, np.full(3, 40, np.float32), np.zeros(3, bool))
    >>> int(age[0]), bool(age[2] <= 23)
    (40, True)
"""

from __future__ import annotations

import numpy as np

from allocator.data import assumptions as A
from allocator.data.codes import Float32Array, Int8Array, Int16Array, code
from allocator.types import BoolArray

HEAD, SPOUSE, CHILD, PARENT, SIBLING, OTHER = (
    code("relation", r) for r in ("head", "spouse", "child", "parent", "sibling", "other")
)


def draw_ages(
    rng: np.random.Generator, relation: Int8Array, head_age: Float32Array, female_head: BoolArray
) -> Int16Array:
    """Age of each member from its relation, its head's age and whether the head is a woman."""
    m = len(relation)
    u = rng.random(m, dtype=np.float32)
    z = rng.standard_normal(m, dtype=np.float32)
    age = head_age.copy()
    pick = relation == SPOUSE
    gap = np.where(female_head[pick], A.SPOUSE_AGE_GAP, -A.SPOUSE_AGE_GAP).astype(np.float32)
    age[pick] = np.maximum(head_age[pick] + gap + A.SPOUSE_AGE_SD * z[pick], A.SPOUSE_AGE_MIN)
    pick = relation == CHILD
    span = np.clip(head_age[pick] - A.CHILD_MIN_PARENT_AGE, 0, A.CHILD_AGE_MAX) + 1
    age[pick] = np.floor(u[pick] * span)
    pick = relation == PARENT
    gap_lo, gap_hi = A.PARENT_AGE_GAP
    age[pick] = head_age[pick] + gap_lo + np.floor(u[pick] * (gap_hi - gap_lo))
    pick = relation == SIBLING
    age[pick] = head_age[pick] + A.SIBLING_AGE_SD * z[pick]
    pick = relation == OTHER
    age[pick] = np.floor(u[pick] * (A.OTHER_AGE_MAX + 1))
    return np.clip(np.rint(age), 0, A.AGE_MAX).astype(np.int16)
