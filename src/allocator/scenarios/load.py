"""Load, resolve and apply scenario files.

Examples:
    >>> s = parse_scenario({"name": "t", "data": {"source": "synthetic-demand", "preset": "tiny"},
    ...                     "resources": {"budget": {"total": 1e9}}})
    >>> r = resolve(s)
    >>> r["resources"]["workers"]["caseload"], r["resources"]["workers"]["caseload_source"]
    (150.0, 'default of rules parameter caseload.files_per_worker')
    >>> parse_scenario({"name": "t", "data": {"source": "synthetic"}, "tiers": {"weights": [1]}})
    Traceback (most recent call last):
    ...
    allocator.errors.ScenarioError: tiers.weights: List should have at least 4 items ...
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from allocator.data.presets import demand_shape
from allocator.data.synthetic_demand import synthetic_tables
from allocator.errors import ScenarioError
from allocator.loading.yamlio import load_yaml_text
from allocator.locations import read_text, yaml_problem
from allocator.optimize.demand import Demand
from allocator.optimize.outcomes import DEFAULT_OUTCOMES
from allocator.optimize.params import (
    CASELOAD_PARAMETER,
    DEFAULT_CASELOAD,
    OptimizeParams,
    SlotParams,
)
from allocator.scenarios.model import DemandData, Scenario, SyntheticData

_SOURCES = ("synthetic", "parquet", "classification", "synthetic-demand", "demand")


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises:
        ScenarioError: unreadable YAML, or a field is wrong (``field`` names it).
    """
    path = Path(path)
    try:
        text = read_text(path, "a scenario YAML file")
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    try:
        raw = load_yaml_text(text, lines=False)
    except yaml.YAMLError as exc:
        raise ScenarioError(yaml_problem(path, text, exc)) from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping")
    try:
        return parse_scenario(raw)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}", field=exc.field) from None


def parse_scenario(raw: Mapping[str, Any]) -> Scenario:
    """Validate a scenario given as a mapping; errors name the dotted field path."""
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if p not in _SOURCES]
            problems.append((".".join(loc) or "<root>", err["msg"].removeprefix("Value error, ")))
        field, msg = problems[0]
        more = "".join(f"\n  {f}: {m}" for f, m in problems[1:])
        raise ScenarioError(f"{field}: {msg}{more}", field=field) from None


def resolve(scenario: Scenario, rule_parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every parameter the run uses, defaults filled in (for ``resolved_scenario.json``).

    ``rule_parameters`` are the ruleset's parameter values on the decision date; the
    caseload comes from ``caseload.files_per_worker`` unless the scenario overrides it.
    """
    out = scenario.model_dump(mode="json")
    workers = out["resources"]["workers"]
    if scenario.resources.workers.caseload is not None:
        workers["caseload_source"] = "scenario"
    elif rule_parameters and CASELOAD_PARAMETER in rule_parameters:
        workers["caseload"] = float(rule_parameters[CASELOAD_PARAMETER])
        workers["caseload_source"] = f"rules parameter {CASELOAD_PARAMETER}"
    else:
        workers["caseload"] = DEFAULT_CASELOAD
        workers["caseload_source"] = f"default of rules parameter {CASELOAD_PARAMETER}"
    if isinstance(scenario.data, SyntheticData):
        shape = demand_shape(scenario.data.preset)
        data = out["data"]
        data["n_neighborhoods"] = data["n_neighborhoods"] or shape.neighborhoods
        data["provinces"] = list(shape.provinces) if shape.provinces else None
        data["households_per_neighborhood"] = shape.households_per_neighborhood
    pen = out["penalties"]
    for k in pen:
        pen[k] = "auto" if pen[k] is None else pen[k]
    solver = out["solver"]
    for key in ("polish", "decompose", "price_checks"):
        solver[key] = "auto" if solver[key] is None else solver[key]
    out["quotas"]["enabled"] = scenario.quotas.band is not None
    out["outcomes_defaults"] = {k: v.value for k, v in DEFAULT_OUTCOMES.items()}
    return out


def to_params(
    scenario: Scenario | Mapping[str, Any], rule_parameters: Mapping[str, Any] | None = None
) -> OptimizeParams:
    """The :class:`OptimizeParams` of a scenario (or of a :func:`resolve` dict)."""
    s = scenario if isinstance(scenario, Scenario) else _from_resolved(scenario)
    caseload = resolve(s, rule_parameters)["resources"]["workers"]["caseload"]
    w, b = s.resources.workers, s.resources.budget
    return OptimizeParams(
        caseload=float(caseload),
        workers_agency={str(k): v for k, v in w.by_agency.items()},
        workers_province=dict(w.by_province),
        workers_total=w.total,
        slots=_slots(s),
        budget_total=b.total,
        budget_agency={str(k): v for k, v in b.by_agency.items()},
        unit_costs=dict(b.unit_costs),
        quota_band=s.quotas.band,
        quota_workers=s.quotas.workers,
        quota_budget=s.quotas.budget,
        quota_worker_allowance=s.quotas.worker_allowance,
        floor_tier1=s.equity_floor.tier1_fraction,
        floor_maxmin=s.equity_floor.spread == "maxmin",
        objective=s.objective.mode,
        alpha=s.objective.alpha,
        segments=s.objective.segments,
        value_by_tier=s.objective.by_tier,
        outcome_values=dict(s.outcomes),
        worker_cost=w.cost_per_year,
        staff_level=w.level,
        tier_mode=s.tiers.mode,
        tier_weights=(
            s.tiers.weights[0],
            s.tiers.weights[1],
            s.tiers.weights[2],
            s.tiers.weights[3],
        ),
        penalty_floor=s.penalties.floor,
        penalty_quota_workers=s.penalties.quota_workers,
        penalty_quota_budget=s.penalties.quota_budget,
        solver=s.solver.name,
        lp_solver=s.solver.lp_solver,
        method=s.solver.method,
        time_limit_s=s.solver.time_limit_s,
        relative_gap=s.solver.relative_gap,
        threads=s.solver.threads,
        lp_algorithm=s.solver.lp_algorithm,
        polish=s.solver.polish,
        worker_rounding=s.solver.worker_rounding,
        decompose=s.solver.decompose,
        coordination_rounds=s.solver.coordination_rounds,
        shadow_prices=s.solver.shadow_prices,
        agencies=tuple(s.data.agencies),
    )


def _slots(s: Scenario) -> SlotParams:
    """Slot capacities: the ``centres`` section (whole centres per county) or ``slots``."""
    sl = s.resources.slots
    if s.centres is not None:
        c = s.centres
        return SlotParams(
            per_neighborhood=dict(sl.per_neighborhood),
            per_center=dict(c.per_service),
            default_per_center=c.default_per_service,
            centers_total=float(c.total),
            centres_method=c.method,
        )
    return SlotParams(
        per_neighborhood=dict(sl.per_neighborhood),
        per_center=dict(sl.per_center),
        default_per_center=sl.default_per_center,
        centers_per_neighborhood=sl.centers_per_neighborhood,
        centers_total=sl.centers_total,
    )


def load_demand(scenario: Scenario, base_dir: Path | None = None) -> Demand:
    """The demand of a scenario whose data is demand already (``synthetic-demand``, ``demand``).

    Household data (``synthetic``, ``parquet``, ``classification``) is classified first:
    see :func:`allocator.runs.stage_demand`. A relative path is taken relative to ``base_dir``.
    """
    data = scenario.data
    if not isinstance(data, SyntheticData | DemandData):
        raise ScenarioError(
            f"data.source: '{data.source}' data must be classified first "
            "(allocator.runs.stage_demand)",
            field="data.source",
        )
    if isinstance(data, DemandData):
        path = Path(data.path)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        demand = Demand.from_parquet_dir(path)
        if scenario.entitlements is not None:
            demand = demand.with_entitlements(scenario.entitlements)
        return demand
    shape = demand_shape(data.preset)
    tables = synthetic_tables(
        data.n_neighborhoods or shape.neighborhoods,
        data.n_services,
        data.seed,
        provinces=list(shape.provinces) if shape.provinces else None,
        households_per_neighborhood=shape.households_per_neighborhood,
    )
    demand = Demand.from_tables(*tables, source=f"synthetic:{data.preset}:{data.seed}")
    return (
        demand if scenario.entitlements is None else demand.with_entitlements(scenario.entitlements)
    )


def _from_resolved(resolved: Mapping[str, Any]) -> Scenario:
    """Re-validate a :func:`resolve` dict (drops the keys resolve added)."""
    raw = {k: v for k, v in resolved.items()}
    raw["resources"] = dict(raw["resources"])
    workers = dict(raw["resources"]["workers"])
    workers.pop("caseload_source", None)
    raw["resources"]["workers"] = workers
    data = dict(raw["data"])
    for k in ("provinces", "households_per_neighborhood"):
        data.pop(k, None)
    raw["data"] = data
    raw["penalties"] = {k: None if v == "auto" else v for k, v in raw["penalties"].items()}
    raw["solver"] = dict(raw["solver"])
    for key in ("polish", "decompose", "price_checks"):
        if raw["solver"].get(key) == "auto":
            raw["solver"][key] = None
    raw["quotas"] = {k: v for k, v in raw["quotas"].items() if k != "enabled"}
    raw.pop("outcomes_defaults", None)
    return parse_scenario(raw)
