"""Stage 1 of a run: from a scenario's data to the aggregated demand the optimizer needs.

scenario file -> data -> classification -> demand (this module) -> model -> plan -> report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.domain.tables import NEIGHBORHOODS_FILE
from allocator.errors import ScenarioError
from allocator.loading import load_ruleset
from allocator.optimize.casefiles import CASEFILES_FILE
from allocator.optimize.demand import Demand
from allocator.runs.cache import Counts, Step, classification, synthetic_data
from allocator.scenarios import Scenario, load_demand
from allocator.scenarios.model import (
    ClassificationData,
    DemandData,
    SyntheticData,
    SyntheticHouseholds,
)


@dataclass(frozen=True)
class DemandStage:
    """Everything a run needs besides the scenario's resources: demand and provenance.

    ``entitlements`` maps each entitled service to the provenance of its entitlement
    (from the rules, or "scenario" when the scenario lists them).
    """

    demand: Demand
    rule_parameters: dict[str, Any]
    identity: dict[str, str]
    day: date
    data_seed: int | None = None
    data_dir: Path | None = None
    classification_dir: Path | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    entitlements: dict[str, str] = field(default_factory=dict)


def _quiet(_: str) -> None:
    pass


def _path(base_dir: Path, text: str) -> Path:
    path = Path(text)
    return path if path.is_absolute() else base_dir / path


def _ruleset(scenario: Scenario, base_dir: Path) -> RuleSet:
    root = _path(base_dir, scenario.rules.ruleset)
    if not (root / "ruleset.yaml").is_file():
        from allocator.api.ruleset import default_rules_dir

        if scenario.rules.ruleset.rstrip("/") in ("rules/national", "national"):
            root = default_rules_dir()
        else:
            raise ScenarioError(f"rules.ruleset: no ruleset in {root}", field="rules.ruleset")
    return load_ruleset(root)


def _keep(neighborhoods: pa.Table, which: str) -> pa.Table:
    if which == "all":
        return neighborhoods
    return neighborhoods.filter(pc.equal(neighborhoods.column(which), True))


def demand_from(classified: Path, neighborhoods: pa.Table, which: str, source: str) -> Demand:
    """The optimizer's demand from a classification and its data's neighborhoods."""
    chosen = _keep(neighborhoods, which)
    demand = pq.read_table(classified / "demand.parquet")
    ids = chosen.column("neighborhood_id").cast(pa.int64())
    demand = demand.filter(pc.is_in(demand.column("neighborhood_id").cast(pa.int64()), ids))
    services = pq.read_table(classified / "services.parquet")
    casefiles = classified / CASEFILES_FILE  # one file per household (optimize/casefiles.py)
    return Demand.from_tables(
        demand, chosen, services, source=source,
        casefiles=pq.read_table(casefiles) if casefiles.is_file() else None,
    )  # fmt: skip


def stage_demand(
    scenario: Scenario, base_dir: Path, step: Step | None = None, counts: Counts | None = None
) -> DemandStage:
    """Classify the scenario's households (once, cached) and aggregate their demand.

    ``step`` hears each stage as it starts; ``counts`` the households generated and the
    partitions classified, as they progress. Entitled services are those the scenario
    lists (``entitlements:``), else those the rules declare (``entitlement:`` in a
    service's rule file).
    """
    ruleset = _ruleset(scenario, base_dir)
    stage = _stage(scenario, base_dir, step or _quiet, ruleset, counts)
    if scenario.entitlements is not None:
        named = {s: "scenario" for s in scenario.entitlements}
    else:
        named = {
            s.id: s.entitlement.describe() for s in ruleset.services if s.entitlement is not None
        }
    known = {k: v for k, v in named.items() if k in stage.demand.service_ids}
    demand = stage.demand.with_entitlements(list(known))
    return replace(stage, demand=demand, entitlements=known)


def _stage(
    scenario: Scenario, base_dir: Path, step: Step, ruleset: RuleSet, counts: Counts | None
) -> DemandStage:
    day = scenario.rules.decision_date or date.today()
    params = dict(ruleset.parameters.at(day))
    data = scenario.data
    if isinstance(data, SyntheticData | DemandData):
        demand = load_demand(scenario, base_dir)
        seed = data.seed if isinstance(data, SyntheticData) else None
        return DemandStage(demand, params, ruleset.identity(), day, seed)
    seed = None
    data_dir: Path | None = None
    if isinstance(data, ClassificationData):
        classified = _path(base_dir, data.path)
        nb_file = _path(base_dir, data.neighborhoods_file)
    else:
        if isinstance(data, SyntheticHouseholds):
            data_dir = synthetic_data(data.preset, data.seed, step, counts)
            seed = data.seed
        else:
            data_dir = _path(base_dir, data.path)
        classified = classification(data_dir, ruleset, day, step, counts)
        nb_file = data_dir / NEIGHBORHOODS_FILE
    step("aggregating demand")
    demand = demand_from(classified, pq.read_table(nb_file), data.neighborhoods, str(classified))
    return DemandStage(
        demand, params, ruleset.identity(), day, seed, data_dir, classified,
        counts=_counts(classified),
    )  # fmt: skip


def _counts(classified: Path) -> dict[str, Any]:
    import json

    summary = classified / "summary.json"
    if not summary.is_file():
        return {}
    data = json.loads(summary.read_text(encoding="utf-8"))
    keys = ("households_read", "households_classified", "households_rejected",
            "members_classified", "case_files")  # fmt: skip
    return {k.removeprefix("households_"): data[k] for k in keys if k in data}
