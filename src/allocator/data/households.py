"""Household columns: housing, case file, pension, income and assets, vectorized per batch.

Drawn after the members, so that income can depend on whether anyone is employed.

Examples:
    >>> rng = np.random.default_rng(5)
    >>> cols = draw_households(rng, np.array([0, 1, 2], dtype=np.int8), np.zeros(3, bool),
    ...     np.array([1, 0, 2]), welfare_case_share=1.0)
    >>> [ENUM_TYPES["agency"][c] for c in cols["case_agency"]]
    ['welfare_organization', 'welfare_organization', 'welfare_organization']
"""

from __future__ import annotations

import numpy as np

from allocator.data import assumptions as A
from allocator.data.codes import Int8Array, code
from allocator.domain.enums import ENUM_TYPES, Agency, Housing
from allocator.domain.household import MAX_AMOUNT
from allocator.types import Array, BoolArray, FloatArray, IntArray

# Housing shares by group: 0 non-target urban, 1 non-target rural, 2 target, 3 informal.
_HOUSING_CUM = np.cumsum(
    [A.HOUSING_SHARES[g] for g in ("urban", "rural", "target", "informal")], axis=1
)
_HOUSING_CODES = [code("housing", h.value) for h in Housing]
_ASSETS_MEDIAN = np.array([A.ASSETS_MEDIAN[Housing(h)] for h in ENUM_TYPES["housing"]], float)
_AGENCY_CODES = np.array([code("agency", a.value) for a in A.CASE_SHARES], np.int8)
_PENSION = np.array([A.PENSION_SHARE[Agency(a)] for a in ENUM_TYPES["agency"]], np.float32)
_CLIENTS = [code("agency", a) for a in ("relief_committee", "welfare_organization")]
_WELFARE_ROW = list(A.CASE_SHARES).index(Agency.WELFARE_ORGANIZATION)


def _case_shares(welfare_case_share: float | None) -> Array:
    """Case-file shares, agencies x classes; the welfare share replaced if given."""
    shares = np.array(list(A.CASE_SHARES.values()))
    if welfare_case_share is not None:
        welfare = list(A.CASE_SHARES).index(Agency.WELFARE_ORGANIZATION)
        shares *= 1.0 - welfare_case_share
        shares[welfare] = welfare_case_share
    return shares


def _categorical(rng: np.random.Generator, cum: Array) -> IntArray:
    """One category per row of the cumulative shares ``cum`` (last column: the total)."""
    u = rng.random(len(cum))[:, None]
    index: IntArray = (u >= cum).sum(axis=1)
    return index


def draw_households(
    rng: np.random.Generator,
    cls: Int8Array,
    rural: BoolArray,
    earners: IntArray,
    *,
    welfare_case_share: float | None,
    factor: FloatArray | None = None,
    need: BoolArray | None = None,
) -> dict[str, Array]:
    """Household columns for households in classes ``cls`` with ``earners`` employed members.

    ``factor`` (Behzisti need factor of each household's province, :mod:`.behzisti`) scales
    the share holding a Behzisti case file, unless the preset sets ``welfare_case_share``;
    so does ``need`` (a member with a disability or in a social-harm group): those
    households hold most Behzisti files (``WELFARE_NEED_FACTOR``, ``WELFARE_OTHER_FACTOR``).

    Returns:
        Columns by name: ``int8`` codes for ``housing`` and ``case_agency``, booleans, and
        ``int64`` toman amounts for ``income`` and ``assets``.
    """
    n = len(cls)
    group = np.where(cls == A.NON_TARGET, rural.astype(np.int8), cls + 1)
    housing_index = np.minimum(_categorical(rng, _HOUSING_CUM[group]), len(_HOUSING_CODES) - 1)
    housing = np.asarray(_HOUSING_CODES, np.int8)[housing_index]

    shares = _case_shares(welfare_case_share)[:, cls].T
    if factor is not None and welfare_case_share is None:
        shares[:, _WELFARE_ROW] *= factor
    if need is not None and welfare_case_share is None:
        boost = np.where(need, A.WELFARE_NEED_FACTOR, A.WELFARE_OTHER_FACTOR)
        shares[:, _WELFARE_ROW] = np.minimum(shares[:, _WELFARE_ROW] * boost, 1.0)
    cum = np.cumsum(shares, axis=1)
    case_index = _categorical(rng, np.minimum(cum, 1.0))
    case_agency = np.zeros(n, dtype=np.int8)  # code 0 is "none"
    has_case = case_index < len(_AGENCY_CODES)
    case_agency[has_case] = _AGENCY_CODES[case_index[has_case]]
    pension = rng.random(n, dtype=np.float32) < _PENSION[case_agency]

    factor = np.asarray(A.INCOME_FACTOR)[cls] * np.where(rural, A.INCOME_RURAL_FACTOR, 1.0)
    factor *= np.where(earners == 0, A.INCOME_NO_EARNER_FACTOR, 1.0)
    factor *= np.where(np.isin(case_agency, _CLIENTS), A.INCOME_CLIENT_FACTOR, 1.0)
    income = A.INCOME_MEDIAN * factor * np.exp(A.INCOME_SIGMA * rng.standard_normal(n))
    income[rng.random(n) < np.asarray(A.ZERO_INCOME_SHARE)[cls]] = 0
    income = np.rint(income / A.INCOME_ROUNDING) * A.INCOME_ROUNDING

    assets = _ASSETS_MEDIAN[housing] * np.asarray(A.ASSETS_FACTOR)[cls]
    assets *= np.exp(A.ASSETS_SIGMA * rng.standard_normal(n))
    assets[rng.random(n) < np.asarray(A.ZERO_ASSETS_SHARE)[cls]] = 0
    return {
        "income": np.clip(income, 0, MAX_AMOUNT).astype(np.int64),
        "assets": np.clip(np.rint(assets), 0, MAX_AMOUNT).astype(np.int64),
        "housing": housing,
        "case_agency": case_agency,
        "continuous_pension": pension,
    }
