"""The resolved numeric parameters one optimization uses (no YAML, no pydantic here).

A scenario file is validated and resolved into :class:`OptimizeParams` by
:mod:`allocator.scenarios`; tests and benchmarks may build one directly.

Examples:
    >>> p = OptimizeParams(budget_total=1.3e12)
    >>> p.tier_weights, p.caseload, p.method
    ((1000.0, 100.0, 10.0, 1.0), 150.0, <Method.FAST: 'fast'>)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from allocator.optimize.constants import Method, ObjectiveMode, TierMode

#: Rules parameter giving the default caseload (seed 001: one social worker per 150 files).
CASELOAD_PARAMETER = "caseload.files_per_worker"
DEFAULT_CASELOAD = 150.0
DEFAULT_TIER_WEIGHTS = (1000.0, 100.0, 10.0, 1.0)


@dataclass(frozen=True)
class SlotParams:
    """Service slots: capacity per (neighborhood, service) per year.

    Either ``per_neighborhood`` (service -> slots in every neighborhood), or centers times
    ``per_center`` (service -> slots per center; ``default_per_center`` for the others).
    Centers per neighborhood are ``centers_per_neighborhood``, or ``centers_total`` spread
    over the neighborhoods in proportion to their eligible case files (seed 001's rule that
    centers follow case files). A service with no capacity given is not slot-limited.
    """

    per_neighborhood: Mapping[str, float] = field(default_factory=dict)
    per_center: Mapping[str, float] = field(default_factory=dict)
    default_per_center: float | None = None
    centers_per_neighborhood: float | None = None
    centers_total: float | None = None
    #: How ``centers_total`` reaches the neighborhoods: ``spread`` (fractional, in proportion
    #: to case files), ``apportion`` (whole centres per county, :mod:`.centres`) or
    #: ``optimize`` (whole centres per county chosen by the solver: the ``centres``
    #: variables of ``docs/model.md``).
    centres_method: str = "spread"

    @property
    def optimize_centres(self) -> bool:
        """Whether the centres per county are variables of the model."""
        return self.centres_method == "optimize" and self.centers_total is not None


@dataclass(frozen=True)
class OptimizeParams:
    """Every parameter of one optimization, defaults filled in.

    Money is in toman, workers in persons, quantities in units served per year.
    An empty mapping or ``None`` means "no such limit".
    """

    caseload: float = DEFAULT_CASELOAD
    workers_agency: Mapping[str, float] = field(default_factory=dict)
    workers_province: Mapping[str, float] = field(default_factory=dict)
    workers_total: float | None = None
    slots: SlotParams = field(default_factory=SlotParams)
    budget_total: float | None = None
    budget_agency: Mapping[str, float] = field(default_factory=dict)
    unit_costs: Mapping[str, float] = field(default_factory=dict)
    quota_band: float | None = None
    quota_workers: bool = True
    quota_budget: bool = True
    quota_worker_allowance: float = 1.0  # workers a province may be off its band (integrality)
    floor_tier1: float = 0.0
    tier_mode: TierMode = TierMode.WEIGHTED
    tier_weights: tuple[float, float, float, float] = DEFAULT_TIER_WEIGHTS
    penalty_floor: float | None = None
    penalty_quota_workers: float | None = None
    penalty_quota_budget: float | None = None
    worker_epsilon: float = 1e-3
    # objective per centre away from its county's case-file quota (``centres: {method:
    # optimize}``): a tie-break, so that centres no binding need calls for follow case files
    centre_epsilon: float = 1e-3
    objective: ObjectiveMode = ObjectiveMode.LINEAR  # scenarios default to ``fair``
    outcome_values: Mapping[str, float] = field(default_factory=dict)  # per unit; missing: 1
    alpha: float = 1.0  # alpha-fair: 0 linear, 1 proportional (log), large: max-min-like
    value_by_tier: bool = True  # value cells per (n, s, tier), else per (n, s)
    segments: int = 4  # pieces of the concave utility per (neighborhood, service)
    worker_cost: float = 0.0  # toman per worker-year, paid from the budget rows
    staff_level: str = "neighborhood"  # workers per (area, agency): neighborhood|county|province
    floor_maxmin: bool = True  # spread a floor shortfall evenly (max-min) before the penalty
    solver: str = "highs"
    lp_solver: str = "highs"
    method: Method = Method.FAST
    time_limit_s: float = 120.0
    relative_gap: float = 1e-4
    threads: int | None = None
    lp_algorithm: str = "auto"
    polish: bool | None = None  # fast path: re-solve with workers fixed; None = auto by size
    #: fast path's whole workers: "nearest" per staff cell, or "priced" by their worth at
    #: the LP's prices (``worker_choice.py``; only when the plan is polished)
    worker_rounding: str = "nearest"
    decompose: bool | None = None  # LP relaxation by province; None = auto (fast path, large)
    #: decomposed relaxation: rounds of the master program over the provinces' plans
    #: (``coordinate.py``; 0: each province keeps the share its sample gave it)
    coordination_rounds: int = 0
    shadow_prices: bool = True
    agencies: tuple[str, ...] = ()  # keep only rows delivered by these agencies (empty: all)

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "tier_mode", TierMode(self.tier_mode))
        object.__setattr__(self, "objective", ObjectiveMode(self.objective))
        if self.staff_level not in ("neighborhood", "county", "province"):
            raise ValueError("staff_level must be neighborhood, county or province")
        if self.worker_rounding not in ("nearest", "priced"):
            raise ValueError("worker_rounding must be nearest or priced")
        if self.alpha < 0:
            raise ValueError("alpha must be >= 0")
        if self.segments < 1:
            raise ValueError("segments must be >= 1")
        if self.coordination_rounds < 0:
            raise ValueError("coordination_rounds must be >= 0")
        if self.worker_cost < 0:
            raise ValueError("worker_cost must be >= 0")
        if any(v < 0 for v in self.outcome_values.values()):
            raise ValueError("outcome values must be >= 0")
        object.__setattr__(self, "tier_weights", tuple(float(w) for w in self.tier_weights))
        if self.caseload <= 0:
            raise ValueError("caseload must be > 0")
        if not 0.0 <= self.floor_tier1 <= 1.0:
            raise ValueError("floor_tier1 must be within [0, 1]")
        if self.quota_band is not None and self.quota_band < 0:
            raise ValueError("quota_band must be >= 0")
        if len(self.tier_weights) != 4 or min(self.tier_weights) <= 0:
            raise ValueError("tier_weights must be four positive numbers")
