"""The scenario file model (pydantic v2): what a planner writes in ``scenarios/*.yaml``.

Examples:
    >>> s = Scenario.model_validate({"name": "demo", "data": {"source": "synthetic",
    ...                              "preset": "tiny"}})
    >>> s.tiers.weights, s.solver.method.value, s.resources.workers.caseload is None
    ([1000.0, 100.0, 10.0, 1.0], 'fast', True)
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from allocator.calendar import Day
from allocator.optimize.constants import Method, ObjectiveMode, TierMode

AgencyName = Literal["relief_committee", "welfare_organization", "imam_order", "red_crescent"]
#: A resource or cost: finite and not negative (``.inf`` is not a budget).
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: A total of a resource: finite and positive (give no total rather than zero).
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
#: The presets of :data:`allocator.data.presets.PRESETS` that shape synthetic demand.
Preset = Literal["tiny", "mazandaran", "program-2020", "informal-330", "custom"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The presets of :data:`allocator.data.presets.PRESETS` that are data sets.
DataPreset = Literal["tiny", "mazandaran", "program-2020", "national"]
NeighborhoodFilter = Literal["all", "target_2020", "informal_settlement", "mazandaran_56"]


class SyntheticHouseholds(_Strict):
    """Households of the synthetic data generator (``allocator synth``), classified by the
    scenario's rules at its decision date."""

    source: Literal["synthetic"]
    preset: DataPreset = "program-2020"
    seed: int = 0
    neighborhoods: NeighborhoodFilter = "all"  # keep only the neighborhoods of a program
    agencies: list[AgencyName] = []  # keep only rows these agencies deliver (empty: all)


class HouseholdData(_Strict):
    """A data directory of households (neighborhoods/households/members.parquet)."""

    source: Literal["parquet"]
    path: str
    neighborhoods: NeighborhoodFilter = "all"
    agencies: list[AgencyName] = []


class ClassificationData(_Strict):
    """An ``allocator classify`` result directory, plus the data's neighborhoods table."""

    source: Literal["classification"]
    path: str
    neighborhoods_file: str
    neighborhoods: NeighborhoodFilter = "all"
    agencies: list[AgencyName] = []


class SyntheticData(_Strict):
    """Random demand of a given shape (:mod:`allocator.data.synthetic_demand`),
    for testing and benchmarking the optimizer alone."""

    source: Literal["synthetic-demand"]
    preset: Preset = "program-2020"
    seed: int = 0
    n_neighborhoods: Annotated[int, Field(ge=1)] | None = None
    n_services: Annotated[int, Field(ge=1, le=22)] = 22
    agencies: list[AgencyName] = []  # keep only rows these agencies deliver (empty: all)


class DemandData(_Strict):
    """A directory with demand.parquet, neighborhoods.parquet and services.parquet."""

    source: Literal["demand"]
    path: str
    agencies: list[AgencyName] = []


class Rules(_Strict):
    ruleset: str = "rules/national"
    decision_date: Day | None = None  # Jalali (1402-01-01) or Gregorian (2023-03-21)


class Workers(_Strict):
    """Social workers: pools per custodian agency and/or per province, and a total."""

    caseload: Positive | None = None  # None: the rules' parameter
    by_agency: dict[AgencyName, NonNeg] = {}
    by_province: dict[str, NonNeg] = {}
    total: Positive | None = None
    cost_per_year: NonNeg = 0.0  # toman per worker-year (salary), paid from the budget
    # workers are counted (and rounded) per area and agency: a worker carries the files of
    # one neighborhood, or of the neighborhoods of a county or province (as at a centre)
    level: Literal["neighborhood", "county", "province"] = "neighborhood"


class Slots(_Strict):
    """Service slots per year: per neighborhood, or per center x centers."""

    per_neighborhood: dict[str, NonNeg] = {}
    per_center: dict[str, NonNeg] = {}
    default_per_center: NonNeg | None = None
    centers_per_neighborhood: NonNeg | None = None
    centers_total: NonNeg | None = None

    @model_validator(mode="after")
    def _centers(self) -> Self:
        if self.centers_per_neighborhood is not None and self.centers_total is not None:
            raise ValueError("give centers_per_neighborhood or centers_total, not both")
        has_centers = self.centers_per_neighborhood is not None or self.centers_total is not None
        if (self.per_center or self.default_per_center is not None) and not has_centers:
            raise ValueError("per_center slots need centers_per_neighborhood or centers_total")
        return self


class Centres(_Strict):
    """Centres as entities (seed 001): ``total`` whole centres, by county, following case
    files (``method: apportion``, largest remainder) or where they serve the most
    prioritized need (``method: optimize``: the centres of every county are an integer
    variable of the model); see ``allocator.optimize.centres``. Each centre has
    ``per_service`` slots per year (``default_per_service`` for services not named) and
    serves the neighborhoods of its county."""

    method: Literal["apportion", "optimize"] = "apportion"
    total: Annotated[int, Field(ge=0)]
    per_service: dict[str, NonNeg] = {}
    default_per_service: NonNeg | None = None


class Budget(_Strict):
    """Money in toman per year."""

    total: Positive | None = None
    by_agency: dict[AgencyName, NonNeg] = {}
    unit_costs: dict[str, NonNeg] = {}  # overrides of the service catalogue


class Resources(_Strict):
    workers: Workers = Workers()
    slots: Slots = Slots()
    budget: Budget = Budget()


class Quotas(_Strict):
    """Province shares of workers and budget within ``band`` of their case-file share."""

    band: Annotated[float, Field(ge=0, le=1)] | None = None  # None: no quotas
    workers: bool = True
    budget: bool = True
    basis: Literal["case_files"] = "case_files"
    worker_allowance: NonNeg = 1.0


class EquityFloor(_Strict):
    tier1_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0
    # maxmin: when not every floor can be met, all get the same share t of theirs first
    spread: Literal["maxmin", "penalty"] = "maxmin"


class Objective(_Strict):
    """What a unit of need met is worth (docs/model.md, "Objective")."""

    mode: ObjectiveMode = ObjectiveMode.FAIR
    alpha: NonNeg = 1.0  # 0 linear in coverage, 1 proportional fairness, large: max-min-like
    segments: Annotated[int, Field(ge=1, le=32)] = 4
    # one concave curve per (neighborhood, service, tier) -- every tier gets its own
    # diminishing returns, so a lower tier is served before a higher one is saturated -- or
    # one per (neighborhood, service), tiers weighted inside it (higher tiers first)
    by_tier: bool = True


class Tiers(_Strict):
    mode: TierMode = TierMode.WEIGHTED
    weights: Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=4, max_length=4)] = [
        1000.0,
        100.0,
        10.0,
        1.0,
    ]

    @model_validator(mode="after")
    def _decreasing(self) -> Self:
        if any(a < b for a, b in zip(self.weights, self.weights[1:], strict=False)):
            raise ValueError("weights must not increase from tier 1 to tier 4")
        return self


class Penalties(_Strict):
    """Objective units per unit of slack; None: automatic (see docs/model.md)."""

    floor: NonNeg | None = None
    quota_workers: NonNeg | None = None
    quota_budget: NonNeg | None = None


class SolverSettings(_Strict):
    name: Literal["highs", "scip", "cpsat"] = "highs"
    lp_solver: Literal["highs", "glop", "pdlp"] = "highs"
    method: Method = Method.FAST
    time_limit_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 120.0
    relative_gap: Annotated[float, Field(gt=0, lt=1)] = 1e-4
    threads: Annotated[int, Field(ge=1)] | None = None
    lp_algorithm: Literal["auto", "barrier", "simplex"] = "auto"
    polish: bool | None = None
    # fast path's whole workers: nearest per staff cell (from half a caseload on), or
    # priced: chosen by their worth at the LP's prices (optimize/worker_choice.py)
    worker_rounding: Literal["nearest", "priced"] = "nearest"
    decompose: bool | None = None  # LP relaxation by province (None: from 2 M variables)
    # decomposed relaxation: rounds of a master program that moves the shared budgets and
    # pools between provinces (0: each keeps its sample's share; docs/model.md)
    coordination_rounds: Annotated[int, Field(ge=0, le=50)] = 0
    shadow_prices: bool = True
    # re-solve with every budget row moved by one billion toman both ways (None: auto,
    # for models up to 200,000 variables: two LP solves per budget row)
    price_checks: bool | None = None

    @model_validator(mode="after")
    def _threads_supported(self) -> Self:
        if self.threads is not None and "highs" in (self.name, self.lp_solver):
            raise ValueError(
                "threads: HiGHS takes no thread count through OR-Tools (MathOpt refuses it); "
                "leave it out, or use scip/glop/pdlp"
            )
        return self


class Scenario(_Strict):
    """One optimization scenario."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    data: Annotated[
        SyntheticHouseholds | HouseholdData | ClassificationData | SyntheticData | DemandData,
        Field(discriminator="source"),
    ]
    rules: Rules = Rules()
    resources: Resources = Resources()
    quotas: Quotas = Quotas()
    equity_floor: EquityFloor = EquityFloor()
    tiers: Tiers = Tiers()
    objective: Objective = Objective()
    # outcome points per unit served, by service (defaults: allocator.optimize.outcomes)
    outcomes: dict[str, NonNeg] = {}
    # services whose eligible demand is an entitlement; None: those the rules declare
    entitlements: list[str] | None = None
    penalties: Penalties = Penalties()
    solver: SolverSettings = SolverSettings()
    centres: Centres | None = None

    @model_validator(mode="after")
    def _one_centre_model(self) -> Self:
        sl = self.resources.slots
        if self.centres is not None and (
            sl.centers_total is not None
            or sl.centers_per_neighborhood is not None
            or sl.per_center
            or sl.default_per_center is not None
        ):
            raise ValueError(
                "centres: give centres either in the centres section or in "
                "resources.slots (centers_*, per_center), not both"
            )
        return self
