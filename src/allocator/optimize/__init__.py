"""The optimizer: allocate social workers, service slots and budget to aggregated demand.

Examples:
    >>> from allocator.optimize import OptimizeParams, optimize, synthetic_demand
    >>> plan = optimize(synthetic_demand(3, 4, seed=0), OptimizeParams(budget_total=1e9))
    >>> plan.status.value
    'ok'
"""

from __future__ import annotations

from allocator.optimize.compare import compare_runs
from allocator.optimize.constants import (
    BindingReason,
    Method,
    SolveResult,
    Status,
    Termination,
    TierMode,
)
from allocator.optimize.demand import Demand, synthetic_demand
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.outputs import summary_fields, write_plan
from allocator.optimize.params import OptimizeParams, SlotParams
from allocator.optimize.plan import Plan, ShadowPrices, SlackItem, TierNeed
from allocator.optimize.solve import optimize
from allocator.optimize.solvers import BACKENDS, SolverBackend, get_backend

__all__ = [
    "BACKENDS",
    "BindingReason",
    "Demand",
    "Method",
    "OptimizationModel",
    "OptimizeParams",
    "Plan",
    "ShadowPrices",
    "SlackItem",
    "SlotParams",
    "SolveResult",
    "SolverBackend",
    "Status",
    "Termination",
    "TierMode",
    "TierNeed",
    "build_model",
    "compare_runs",
    "get_backend",
    "optimize",
    "summary_fields",
    "synthetic_demand",
    "write_plan",
]
