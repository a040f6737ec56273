"""The result of an optimization: :class:`Plan` and its parts.

Examples:
    >>> TierNeed(tier=1, demand=200.0, served=150.0).share
    0.75
    >>> str(SlackItem("floor", "neighborhood 7", 30.0, 12.0, 18.0, "units"))
    'floor neighborhood 7: required 30, achieved 12, short by 18 units'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allocator.optimize.constants import Method, Status, Termination, TierMode
from allocator.optimize.demand import Demand
from allocator.optimize.params import OptimizeParams
from allocator.types import Array, FloatArray


@dataclass(frozen=True)
class TierNeed:
    """Need met in one tier (units: households, or members for member-level services), in
    all and in discretionary (not entitled) demand alone: entitlements are served in full
    first, so the discretionary share is where the tiers' priorities show."""

    tier: int
    demand: float
    served: float
    discretionary_demand: float = 0.0
    discretionary_served: float = 0.0

    @property
    def share(self) -> float:
        return self.served / self.demand if self.demand > 0 else 1.0

    @property
    def discretionary_share(self) -> float:
        d = self.discretionary_demand
        return self.discretionary_served / d if d > 0 else 1.0


@dataclass(frozen=True)
class SlackItem:
    """A soft constraint the plan does not meet, and by how much."""

    constraint: str  # floor | quota_workers_max | quota_workers_min | quota_budget_max | ...
    key: str  # "neighborhood 12", "province Tehran"
    required: float
    achieved: float
    shortfall: float
    unit: str

    def __str__(self) -> str:
        verb = "over by" if self.constraint.endswith("_max") else "short by"
        return (
            f"{self.constraint} {self.key}: required {self.required:,.6g}, "
            f"achieved {self.achieved:,.6g}, {verb} {self.shortfall:,.6g} {self.unit}"
        )


@dataclass(frozen=True, eq=False)
class ShadowPrices:
    """Duals of the LP relaxation, one entry per resource constraint, columnar.

    ``dual`` is the objective gained per one more ``unit`` of the constraint's right-hand
    side; ``per_tier[:, t-1] = dual / weight_t`` is the same in units (households) of tier t.
    """

    constraint: Array  # block name, e.g. "worker_pool_agency"
    key: Array  # agency / province / "neighborhood_id/service_id" / ""
    neighborhood_id: Array  # int or -1
    service_id: Array  # str or ""
    unit: Array  # "worker", "billion toman", "slot", "case file", "unit"
    rhs: FloatArray
    activity: FloatArray
    dual: FloatArray
    per_tier: FloatArray  # shape (k, 4)

    def __len__(self) -> int:
        return int(self.dual.size)

    def lookup(self, constraint: str, key: str = "") -> float:
        """The dual of one constraint (0.0 when absent)."""
        hit = (self.constraint == constraint) & (self.key == key)
        return float(self.dual[hit][0]) if hit.any() else 0.0


@dataclass(eq=False)
class Plan:
    """An allocation plan and everything needed to explain it."""

    status: Status
    termination: Termination
    method: Method
    tier_mode: TierMode
    solver: str
    lp_solver: str
    objective: float
    best_bound: float
    lp_bound: float
    relative_gap: float
    build_seconds: float
    solve_seconds: float
    demand: Demand  # the demand the rows refer to (after agency filter and cost overrides)
    params: OptimizeParams
    served: FloatArray  # per demand row
    binding: Array  # reason per demand row, "" when fully served
    workers: FloatArray  # per neighborhood
    need_met: list[TierNeed]
    workers_available: dict[str, Any]
    workers_used: dict[str, Any]
    budget_available: dict[str, Any]
    budget_used: dict[str, Any]
    slack: list[SlackItem]
    shadow_prices: ShadowPrices
    penalties: dict[str, float] = field(default_factory=dict)
    entitlements: dict[str, Any] = field(default_factory=dict)
    staffing: dict[str, Any] = field(default_factory=dict)
    floor_level: float | None = None  # max-min share of every floor met (None: not run)
    model: Any = None  # the OptimizationModel solved (for price checks and MPS export)
    messages: list[str] = field(default_factory=list)
    model_size: dict[str, int] = field(default_factory=dict)
    # centres per county chosen by the solver (``centres: {method: optimize}``; county
    # order of ``optimize.centres.county_index``), None when the centres are not variables
    centres: FloatArray | None = None
    #: wall-clock seconds per stage of the solve (``floor_level``, ``phase1``, ``build``,
    #: ``relaxation``, ``rounding``, ``polish``, ``mip``, ``report``), in the order run
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the plan can be used (possibly with warnings)."""
        return self.status is not Status.ERROR

    @property
    def unmet(self) -> FloatArray:
        return np.maximum(0.0, self.demand.units - self.served)
