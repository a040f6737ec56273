"""One variant of a sweep: the task a worker runs, and what it sends back.

A task builds its own model from the shared demand and returns only the plan's summary
(no arrays), so that results stay small when they travel back from a Dask worker. Any
exception, and any plan whose status is ``error`` (infeasible, solver failure), makes a
*failed* result with the reason; it never stops the other variants.

Examples:
    >>> from allocator.optimize import synthetic_demand
    >>> from allocator.scenarios import parse_scenario
    >>> s = parse_scenario({"name": "demo", "data": {"source": "synthetic-demand"},
    ...                     "resources": {"budget": {"total": 1e9}}})
    >>> r = solve_variant(synthetic_demand(3, 4, 0), VariantTask(0, {"budget": 1.0}, s, {}))
    >>> r.failed, r.summary["status"]
    (False, 'ok')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from allocator.optimize import Demand, optimize, summary_fields
from allocator.scenarios import Scenario, to_params


@dataclass(frozen=True)
class VariantTask:
    """What one variant needs besides the demand: its scenario and the rules' parameters."""

    index: int
    values: dict[str, float]
    scenario: Scenario
    rule_parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VariantResult:
    """The outcome of one variant.

    Attributes:
        index: position in the sweep's grid (``variants/<index>/``).
        values: the varied names and their factors (or values, for ``floor``).
        summary: :func:`~allocator.optimize.summary_fields` of the plan; None when the
            solve raised.
        error: why the variant failed (None when it did not).
        seconds: wall-clock seconds of the task, model building included.
    """

    index: int
    values: dict[str, float]
    summary: dict[str, Any] | None
    error: str | None
    seconds: float

    @property
    def failed(self) -> bool:
        return self.error is not None


def failure_reason(summary: dict[str, Any]) -> str | None:
    """Why a plan with this summary is unusable (None when its status is not ``error``)."""
    if summary.get("status") != "error":
        return None
    words = "; ".join(str(m) for m in summary.get("messages") or []) or "no solution"
    return f"{summary.get('termination', 'error')}: {words}"


def solve_variant(demand: Demand, task: VariantTask) -> VariantResult:
    """Build and solve one variant's model; never raises for a failing variant."""
    t0 = time.perf_counter()
    try:
        plan = optimize(demand, to_params(task.scenario, task.rule_parameters))
    except Exception as exc:  # a failing variant is reported, the sweep goes on
        error = f"{type(exc).__name__}: {exc}"
        return VariantResult(task.index, task.values, None, error, time.perf_counter() - t0)
    summary = summary_fields(plan)
    return VariantResult(
        task.index, task.values, summary, failure_reason(summary), time.perf_counter() - t0
    )
