"""What the array engine answers for a batch: per service and household, as arrays.

Codes: ``agency`` is the position in ``ENUM_TYPES["agency"]`` (``-1`` when not eligible),
``failed`` the index of the failed condition in the service's conditions (``-1`` when
eligible or when there is no condition to report), ``tier`` 1 to 4 (``0`` when not
eligible), ``score`` the need score (``0.0`` when not eligible).

Examples:
    >>> r = ServiceResult.empty(2)
    >>> r.eligible.tolist(), r.tier.tolist(), r.failed.tolist()
    ([False, False], [0, 0], [-1, -1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.types import Array, BoolArray, FloatArray, IntArray


@dataclass
class ServiceResult:
    """One service's household-level outcome for every household of a batch."""

    eligible: BoolArray
    units: Array  # int16
    score: FloatArray
    tier: Array  # int8
    agency: Array  # int8 code, -1 when not eligible
    failed: Array  # int8 condition index, -1 when eligible

    def take(self, rows: IntArray) -> ServiceResult:
        """The results of households ``rows``, in that order."""
        return ServiceResult(
            eligible=self.eligible[rows],
            units=self.units[rows],
            score=self.score[rows],
            tier=self.tier[rows],
            agency=self.agency[rows],
            failed=self.failed[rows],
        )

    @classmethod
    def empty(cls, n: int) -> ServiceResult:
        """Nobody eligible, nothing failed yet."""
        return cls(
            eligible=np.zeros(n, dtype=np.bool_),
            units=np.zeros(n, dtype=np.int16),
            score=np.zeros(n, dtype=np.float64),
            tier=np.zeros(n, dtype=np.int8),
            agency=np.full(n, -1, dtype=np.int8),
            failed=np.full(n, -1, dtype=np.int8),
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
            vector engine answers in its size-sorted layout order.

    Examples:
        >>> r = BatchResult(np.array([7, 5]), np.array([1, 1]), np.array([2, 1]), {},
        ...                 np.array([False, True]), np.array([-1, 2]), order=np.array([1, 0]))
        >>> r.in_batch_order().household_id.tolist()
        [5, 7]
    """

    household_id: IntArray
    neighborhood_id: IntArray
    sizes: IntArray
    services: dict[str, ServiceResult]
    case_file: BoolArray
    case_file_agency: Array
    order: IntArray | None = None

    @property
    def n_households(self) -> int:
        return len(self.household_id)

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
