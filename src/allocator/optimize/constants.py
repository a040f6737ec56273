"""Outcome vocabularies of the optimizer: enums plus the raw result of one solver call.

In the spirit of linopy's ``constants.py``: an infeasible model or a failing solver is a
*value* (:class:`Termination`) reported in the plan, never an exception.

Examples:
    >>> Termination.TIME_LIMIT.status
    <Status.WARNING: 'warning'>
    >>> Termination.SOLVER_ERROR.status
    <Status.ERROR: 'error'>
    >>> BindingReason.LOWER_PRIORITY.value
    'lower_priority'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from allocator.types import FloatArray


class Status(StrEnum):
    """Overall verdict on a solve: usable (``ok``), usable with caveats, or unusable."""

    OK = "ok"
    WARNING = "warning"
    ENTITLEMENTS_UNFUNDED = "entitlements_unfunded"  # a plan, but some entitled demand unmet
    ERROR = "error"


class Termination(StrEnum):
    """Why the solver stopped."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a solution within the gap, but not proven optimal
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    SOLVER_ERROR = "solver_error"
    NOT_SOLVED = "not_solved"

    @property
    def status(self) -> Status:
        """The :class:`Status` this termination maps to."""
        if self in (Termination.OPTIMAL, Termination.FEASIBLE):
            return Status.OK
        if self is Termination.TIME_LIMIT:
            return Status.WARNING
        return Status.ERROR


class Method(StrEnum):
    """How the integer worker counts are handled."""

    FAST = "fast"  # LP relaxation, round workers, repair, optionally re-solve (polish)
    MIP = "mip"  # exact mixed-integer program
    LP = "lp"  # LP relaxation only: fractional workers (exact shadow prices)


class ObjectiveMode(StrEnum):
    """What a unit of need met is worth (``docs/model.md``, section "Objective")."""

    FAIR = "fair"  # tier weight x outcome value, concave (alpha-fair) in each cell's coverage
    LINEAR = "linear"  # the former objective: tier weight per unit, nothing else


class TierMode(StrEnum):
    """How the four priority tiers are traded off."""

    WEIGHTED = "weighted"
    LEXICOGRAPHIC = "lexicographic"


class BindingReason(StrEnum):
    """Why a demand row was served less than its demand (``allocation.parquet``)."""

    SLOTS = "slots"
    WORKERS = "workers"
    AGENCY_BUDGET = "agency_budget"
    BUDGET = "budget"
    QUOTA = "quota"
    LOWER_PRIORITY = "lower_priority"
    UNFUNDED_ENTITLEMENT = "unfunded_entitlement"  # entitled demand the resources cannot fund
    OTHER = "other"
    NOT_OPTIMAL = "not_optimal"


@dataclass
class SolveResult:
    """What one solver call returned, as arrays indexed like the program.

    Attributes:
        solver: backend name (``highs``, ``scip``, ...).
        termination: why it stopped.
        message: the solver's own words (status string or exception text).
        objective: primal objective (NaN without a solution).
        bound: best proven bound on the objective (NaN when unknown).
        values: variable values (empty without a solution).
        duals: row duals, d objective / d rhs (empty when the solver gives none).
        seconds: wall-clock seconds of the call.
        basis: the solver's final basis (HiGHS through highspy), to warm-start a related LP
            of the same shape (``SolverBackend.solve(..., warm=basis)``); None otherwise.
    """

    solver: str
    termination: Termination
    message: str = ""
    objective: float = float("nan")
    bound: float = float("nan")
    values: FloatArray = field(default_factory=lambda: np.zeros(0))
    duals: FloatArray = field(default_factory=lambda: np.zeros(0))
    seconds: float = 0.0
    basis: object | None = None

    @property
    def has_solution(self) -> bool:
        """True when ``values`` holds a primal solution."""
        return self.values.size > 0
