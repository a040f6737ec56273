"""Apply one variant's values to a scenario: scaled resources, a new equity floor or α.

Examples:
    >>> from allocator.scenarios import parse_scenario
    >>> base = parse_scenario({"name": "demo", "data": {"source": "synthetic-demand"},
    ...     "resources": {"budget": {"total": 100.0, "by_agency": {"imam_order": 40.0}},
    ...                   "workers": {"by_agency": {"imam_order": 11}}}})
    >>> v = vary_scenario(base, {"budget": 0.5, "workers": 0.5, "floor": 0.2})
    >>> v.resources.budget.total, dict(v.resources.budget.by_agency)
    (50.0, {'imam_order': 20.0})
    >>> dict(v.resources.workers.by_agency), v.equity_floor.tier1_fraction
    ({'imam_order': 6.0}, 0.2)
    >>> vary_scenario(base, {"alpha": 0.0}).objective.alpha
    0.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from allocator.errors import ScenarioError
from allocator.optimize.constants import ObjectiveMode
from allocator.scenarios import Scenario

K = TypeVar("K")


def _times(values: Mapping[K, float], factor: float, whole: bool = False) -> dict[K, float]:
    return {k: _scale(v, factor, whole) for k, v in values.items()}


def _scale(value: float, factor: float, whole: bool = False) -> float:
    """``value * factor``; worker counts are whole persons (rounded half up)."""
    return float(int(value * factor + 0.5)) if whole else value * factor


def _missing(name: str, what: str) -> ScenarioError:
    return ScenarioError(
        f"--vary {name}: the scenario sets no {what} to scale", field=f"resources.{name}"
    )


def vary_scenario(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with each named resource scaled (or the floor or α set) as ``values`` says.

    Raises:
        ScenarioError: a resource to scale is not set in the scenario (varying it would
            change nothing).
    """
    res = scenario.resources
    update: dict[str, object] = {}
    budget, workers, slots = res.budget, res.workers, res.slots
    if "budget" in values:
        f = values["budget"]
        if budget.total is None and not budget.by_agency:
            raise _missing("budget", "budget (total or by_agency)")
        total = None if budget.total is None else _scale(budget.total, f)
        budget = budget.model_copy(
            update={"total": total, "by_agency": _times(budget.by_agency, f)}
        )
    if "workers" in values:
        f = values["workers"]
        if workers.total is None and not workers.by_agency and not workers.by_province:
            raise _missing("workers", "worker pool (total, by_agency or by_province)")
        total = None if workers.total is None else _scale(workers.total, f, whole=True)
        workers = workers.model_copy(
            update={
                "total": total,
                "by_agency": _times(workers.by_agency, f, whole=True),
                "by_province": _times(workers.by_province, f, whole=True),
            }
        )
    if "slots" in values:
        f = values["slots"]
        if not (slots.per_neighborhood or slots.per_center or slots.default_per_center):
            raise _missing("slots", "service slots")
        default = None if slots.default_per_center is None else slots.default_per_center * f
        slots = slots.model_copy(
            update={
                "per_neighborhood": _times(slots.per_neighborhood, f),
                "per_center": _times(slots.per_center, f),
                "default_per_center": default,
            }
        )
    resources = res.model_copy(update={"budget": budget, "workers": workers, "slots": slots})
    update["resources"] = resources
    if "floor" in values:
        update["equity_floor"] = scenario.equity_floor.model_copy(
            update={"tier1_fraction": float(values["floor"])}
        )
    if "alpha" in values:
        if scenario.objective.mode is not ObjectiveMode.FAIR:
            raise ScenarioError(
                "--vary alpha: the scenario's objective is linear; alpha shapes the fair "
                "objective only (objective.mode: fair)",
                field="objective.mode",
            )
        update["objective"] = scenario.objective.model_copy(
            update={"alpha": float(values["alpha"])}
        )
    return scenario.model_copy(update=update)
