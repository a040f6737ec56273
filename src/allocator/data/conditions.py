"""Member conditions: insurance, disability, disease, school, work and social harms.

Every rate comes from :mod:`~allocator.data.assumptions` and depends on the member's
neighborhood class (non-target, target, informal settlement), sex and age.

Examples:
    >>> from allocator.data.people import draw_people
    >>> rng = np.random.default_rng(3)
    >>> sizes = np.full(1000, 3)
    >>> people = draw_people(rng, sizes, np.ones(1000, dtype=np.int8))
    >>> cols = draw_conditions(rng, people, np.ones(3000, dtype=np.int8), disability_rate=0.5)
    >>> bool(((cols["disability_type"] == 0) == (cols["disability_severity"] == 0)).all())
    True
"""

from __future__ import annotations

import numpy as np

from allocator.data import assumptions as A
from allocator.data.codes import Int8Array, categorical, code
from allocator.data.people import People
from allocator.types import Array, BoolArray, FloatArray

_TYPE_CODES = np.array(
    [code("disability_type", t.value) for t in A.DISABILITY_TYPE_SHARES], np.int8
)
_TYPE_SHARES = tuple(A.DISABILITY_TYPE_SHARES.values())
_SEVERITY_CODES = np.array([code("severity", s.value) for s in A.SEVERITY_SHARES], np.int8)
_SEVERITY_SHARES = tuple(A.SEVERITY_SHARES.values())
_UNINTENTIONAL = code("imprisonment", "unintentional")
_INTENTIONAL = code("imprisonment", "intentional")


def _pick(
    rng: np.random.Generator, codes: Int8Array, shares: tuple[float, ...], k: int
) -> Int8Array:
    """``k`` draws of ``codes`` with probabilities ``shares``."""
    return codes[categorical(rng.random(k, dtype=np.float32), shares)]


def _between(age: Array, ages: tuple[int, int]) -> BoolArray:
    return (age >= ages[0]) & (age <= ages[1])


def _by_sex(male: BoolArray, cls: Int8Array, men: A.ByClass, women: A.ByClass) -> Array:
    """Per-member rate: ``men[cls]`` for men, ``women[cls]`` for women (float32, writable)."""
    return np.where(male, np.asarray(men, np.float32)[cls], np.asarray(women, np.float32)[cls])


def draw_conditions(
    rng: np.random.Generator,
    people: People,
    cls: Int8Array,
    *,
    disability_rate: float | None,
    factor: FloatArray | None = None,
) -> dict[str, Array]:
    """Condition columns of the members ``people`` whose neighborhood classes are ``cls``.

    Args:
        rng: the batch's random generator.
        people: relation, sex and age of each member.
        cls: neighborhood class of each member.
        disability_rate: share of people with a disability (``None``: by class, times
            ``factor``).
        factor: Behzisti need factor of each member's province (:mod:`.behzisti`): scales
            the rates by class of disability and of the social harms (``None``: 1).

    Returns:
        Member columns by name: booleans, and ``int8`` codes for enum columns.
    """
    m = len(cls)
    age, male = people.age, people.male

    scale = np.ones(m, np.float32) if factor is None else np.asarray(factor, np.float32)

    def chance(rate: A.ByClass | float, scaled: bool = False) -> BoolArray:
        p = np.asarray(rate, dtype=np.float32)
        p = p[cls] if p.ndim else np.full(m, p)
        return rng.random(m, dtype=np.float32) < (p * scale if scaled else p)

    if disability_rate is None:
        disabled = np.flatnonzero(chance(A.DISABILITY_RATE, scaled=True))
    else:  # a preset's own measured rate (seed 002) is not scaled
        disabled = np.flatnonzero(chance(disability_rate))
    dtype = np.zeros(m, dtype=np.int8)
    severity = np.zeros(m, dtype=np.int8)
    dtype[disabled] = _pick(rng, _TYPE_CODES, _TYPE_SHARES, len(disabled))
    severity[disabled] = _pick(rng, _SEVERITY_CODES, _SEVERITY_SHARES, len(disabled))

    street = _between(age, A.STREET_CHILD_AGES) & chance(A.STREET_CHILD, scaled=True)
    u = rng.random(m, dtype=np.float32)
    dropout = np.asarray(A.DROPOUT, dtype=np.float32)[cls]
    in_school = _between(age, A.SCHOOL_AGES) & np.where(
        street, u < A.STREET_CHILD_IN_SCHOOL, u >= dropout
    )

    prison_p = _by_sex(male, cls, A.PRISON_MALE, A.PRISON_FEMALE)
    prison_p[~_between(age, A.PRISON_AGES)] = 0
    u = rng.random(m, dtype=np.float32)
    imprisoned = np.where(u < prison_p, _INTENTIONAL, 0).astype(np.int8)
    imprisoned[u < prison_p * np.float32(A.PRISON_UNINTENTIONAL)] = _UNINTENTIONAL

    work_p = _by_sex(male, cls, A.EMPLOYED_MALE, A.EMPLOYED_FEMALE)
    work_p[in_school] *= np.float32(A.EMPLOYED_IF_IN_SCHOOL)
    employed = (
        _between(age, A.WORKING_AGES)
        & (imprisoned == 0)
        & (rng.random(m, dtype=np.float32) < work_p)
    )
    addiction_p = _by_sex(male, cls, A.ADDICTION_MALE, A.ADDICTION_FEMALE) * scale
    addiction = _between(age, A.ADDICTION_AGES) & (rng.random(m, dtype=np.float32) < addiction_p)
    return {
        "insured": chance(A.INSURED),
        "disability_type": dtype,
        "disability_severity": severity,
        "hard_to_treat_disease": chance(A.HARD_TO_TREAT),
        "in_school": in_school,
        "employed": employed,
        "drug_addiction": addiction,
        "street_child": street,
        "waste_picker": _between(age, A.WASTE_PICKER_AGES) & chance(A.WASTE_PICKER, True),
        "woman_at_risk": ~male
        & _between(age, A.WOMAN_AT_RISK_AGES)
        & chance(A.WOMAN_AT_RISK, True),
        "imprisoned": imprisoned,
    }
