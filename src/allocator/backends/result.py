"""What a backend answers for a batch: per service and household, as arrays.

A service's result is kept the way it is computed: the ascending ``rows`` of the eligible
households with their values (``units_at``, ``score_at``, ``tier_at``, ``agency_at``, one per
row), and ``failed`` for every household. Few households are eligible for most services,
so totals and the compact decision table read only those; the dense columns ``eligible``,
``units``, ``score``, ``tier`` and ``agency`` are built on first use.

Codes: ``agency`` is the position in ``ENUM_TYPES["agency"]`` (``-1`` when not eligible),
``failed`` the index of the failed condition in the service's conditions (``-1`` when
eligible or when there is no condition to report), ``tier`` 1 to 4 (``0`` when not
eligible), ``score`` the need score (``0.0`` when not eligible).

Examples:
    >>> r = ServiceResult.empty(2)
    >>> r.eligible.tolist(), r.tier.tolist(), r.failed.tolist()
    ([False, False], [0, 0], [-1, -1])
    >>> r = ServiceResult(np.array([-1, 0, -1], np.int8), np.array([0, 2]), np.array([1, 3]),
    ...                   np.array([40.0, 75.0]), np.array([3, 1]), np.array([2, 2]))
    >>> r.eligible.tolist(), r.units.tolist(), r.tier.tolist(), r.agency.tolist()
    ([True, False, True], [1, 0, 3], [3, 0, 1], [2, -1, 2])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from allocator.types import Array, BoolArray, FloatArray, IntArray


@dataclass(eq=False)
class ServiceResult:
    """One service's household-level outcome for every household of a batch (sparse)."""

    failed: Array  # int8 condition index per household, -1 when eligible
    rows: IntArray  # eligible households, ascending
    units_at: Array  # int16, per eligible row
    score_at: FloatArray
    tier_at: Array  # int8
    agency_at: Array  # int8 code

    @property
    def n(self) -> int:
        return len(self.failed)

    def _dense(self, values: Array, fill: int | float) -> Array:
        out = np.full(self.n, fill, dtype=values.dtype)
        out[self.rows] = values
        return out

    @cached_property
    def eligible(self) -> BoolArray:
        out = np.zeros(self.n, dtype=np.bool_)
        out[self.rows] = True
        return out

    @cached_property
    def units(self) -> Array:
        return self._dense(self.units_at, 0)

    @cached_property
    def score(self) -> FloatArray:
        return self._dense(self.score_at, 0.0)

    @cached_property
    def tier(self) -> Array:
        return self._dense(self.tier_at, 0)

    @cached_property
    def agency(self) -> Array:
        return self._dense(self.agency_at, -1)

    def take(self, rows: IntArray) -> ServiceResult:
        """The results of households ``rows``, in that order."""
        return ServiceResult.from_dense(
            eligible=self.eligible[rows],
            units=self.units[rows],
            score=self.score[rows],
            tier=self.tier[rows],
            agency=self.agency[rows],
            failed=self.failed[rows],
        )

    @classmethod
    def from_dense(
        cls,
        eligible: BoolArray,
        units: Array,
        score: Array,
        tier: Array,
        agency: Array,
        failed: Array,
    ) -> ServiceResult:
        """The result of dense columns (one value per household)."""
        rows = np.flatnonzero(eligible)
        return cls(
            failed=failed.astype(np.int8, copy=False),
            rows=rows,
            units_at=units[rows].astype(np.int16, copy=False),
            score_at=score[rows].astype(np.float64, copy=False),
            tier_at=tier[rows].astype(np.int8, copy=False),
            agency_at=agency[rows].astype(np.int8, copy=False),
        )

    @classmethod
    def empty(cls, n: int) -> ServiceResult:
        """Nobody eligible, nothing failed yet."""
        return cls(
            failed=np.full(n, -1, dtype=np.int8),
            rows=np.zeros(0, dtype=np.int64),
            units_at=np.zeros(0, dtype=np.int16),
            score_at=np.zeros(0, dtype=np.float64),
            tier_at=np.zeros(0, dtype=np.int8),
            agency_at=np.zeros(0, dtype=np.int8),
        )


@dataclass
class BatchResult:
    """Decisions of a batch: household keys, each service's result, and the case file.

    Attributes:
        household_id: id of each household.
        neighborhood_id: its neighborhood.
        sizes: number of members of each household.
        services: result per service id, in ruleset order.
        case_file: some eligible service opens a case file.
        case_file_agency: agency code of the first such service (``-1`` when none).
        order: the batch row of each result row (``None``: the batch's own order). The
            NumPy kernel answers in its size-sorted layout order.
        why_not: ineligible households as counted by the engine while deciding, if it did
            (the C kernel): ``(lowest neighborhood id, table)``, the int32 table having a row
            per neighborhood id from the lowest on and, per service of ``k`` conditions,
            ``k + 1`` columns counting households by ``failed + 1``.
        demand: eligible households as counted by the engine, if it did: ``(lowest
            neighborhood id, table)``, the int32 table of shape (neighborhood ids, services,
            tiers x agencies, 3) holding units, households and people per cell.

    Examples:
        >>> r = BatchResult(np.array([7, 5]), np.array([1, 1]), np.array([2, 1]), {},
        ...                 np.array([False, True]), np.array([-1, 2]), order=np.array([1, 0]))
        >>> r.in_batch_order().household_id.tolist()
        [5, 7]
        >>> r.batch_ordered(np.array([0, 1])).tolist()
        [1, 0]
    """

    household_id: IntArray
    neighborhood_id: IntArray
    sizes: IntArray
    services: dict[str, ServiceResult]
    case_file: BoolArray
    case_file_agency: Array
    order: IntArray | None = None
    why_not: tuple[int, Array] | None = None
    demand: tuple[int, Array] | None = None

    @property
    def n_households(self) -> int:
        return len(self.household_id)

    def batch_ordered(self, rows: IntArray) -> Array:
        """The permutation of ``rows`` (ascending result rows) that puts them in batch order.

        ``rows[perm]`` are then the same households in the batch's household order.
        """
        if self.order is None:
            return np.arange(len(rows))
        if len(rows) * 4 < self.n_households:  # a stable sort of few rows is cheaper
            return np.argsort(self.order[rows], kind="stable")
        # Many rows: mark their batch positions and read them back in batch order.
        position = np.full(self.n_households, -1, dtype=np.int32)
        position[self.order[rows]] = np.arange(len(rows), dtype=np.int32)
        return position[position >= 0]

    def in_batch_order(self) -> BatchResult:
        """The same result with rows in the batch's household order."""
        if self.order is None:
            return self
        back = np.argsort(self.order, kind="stable")
        return BatchResult(
            household_id=self.household_id[back],
            neighborhood_id=self.neighborhood_id[back],
            sizes=self.sizes[back],
            services={k: v.take(back) for k, v in self.services.items()},
            case_file=self.case_file[back],
            case_file_agency=self.case_file_agency[back],
        )
