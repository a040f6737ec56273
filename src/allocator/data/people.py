"""Household composition: who the members are (relation, sex, age), vectorized per batch.

Member ``j`` of a household is at position ``j`` of its run of rows; position 0 is the head,
position 1 the spouse when the head has one, later positions children, parents, siblings or
other relatives.

Examples:
    >>> rng = np.random.default_rng(1)
    >>> p = draw_people(rng, np.array([1, 3, 2]), np.zeros(3, dtype=np.int8))
    >>> p.household.tolist()
    [0, 1, 1, 1, 2, 2]
    >>> from allocator.domain.enums import ENUM_TYPES
    >>> [ENUM_TYPES["relation"][c] for c in p.relation[:2]]
    ['head', 'head']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.data import assumptions as A
from allocator.data.ages import HEAD, SPOUSE, draw_ages
from allocator.data.codes import Int8Array, Int16Array, categorical, code
from allocator.types import BoolArray, IntArray

LATER = np.array([code("relation", r) for r in ("child", "parent", "sibling", "other")], np.int8)


@dataclass(frozen=True)
class People:
    """Members of a batch: the position of each one's household in the batch, and basics."""

    household: IntArray
    relation: Int8Array
    male: BoolArray
    age: Int16Array


def draw_sizes(rng: np.random.Generator, n: int, mean: float) -> IntArray:
    """Household sizes: 1 + Poisson(mean - 1), capped at the domain's maximum."""
    return np.minimum(1 + rng.poisson(mean - 1.0, n), A.HOUSEHOLD_SIZE_MAX).astype(np.int64)


def draw_people(rng: np.random.Generator, sizes: IntArray, cls: Int8Array) -> People:
    """Relation, sex and age of every member of households of ``sizes`` in classes ``cls``."""
    n = len(sizes)
    household = np.repeat(np.arange(n), sizes)
    position = np.arange(len(household)) - (np.cumsum(sizes) - sizes)[household]

    female_head = rng.random(n) < np.asarray(A.FEMALE_HEAD)[cls]
    spouse_p = np.where(female_head, A.SPOUSE_IF_FEMALE_HEAD, A.SPOUSE_IF_MALE_HEAD)
    has_spouse = (sizes >= 2) & (rng.random(n) < spouse_p)
    drawn = rng.normal(A.HEAD_AGE_MEAN, A.HEAD_AGE_SD, n)
    head_age = np.clip(np.rint(drawn), A.HEAD_AGE_MIN, A.HEAD_AGE_MAX).astype(np.float32)

    m = len(household)
    relation = LATER[categorical(rng.random(m, dtype=np.float32), A.LATER_RELATION_SHARES)]
    relation[(position == 1) & has_spouse[household]] = SPOUSE
    relation[position == 0] = HEAD

    fem_head = female_head[household]
    male = rng.random(m, dtype=np.float32) < A.MALE_SHARE
    male[relation == HEAD] = ~female_head
    is_spouse = relation == SPOUSE
    male[is_spouse] = fem_head[is_spouse]
    age = draw_ages(rng, relation, head_age[household], fem_head)
    return People(household, relation, male, age)
