"""Both engines give identical decisions: edge-value households, and the tiny preset.

A difference is a bug in one of them, never a tolerance.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.backends.durable import DurableBackend
from allocator.backends.vector import Batch, VectorBackend
from allocator.domain import Household, Neighborhood
from allocator.domain.enums import (
    CUSTODIANS,
    Agency,
    DisabilityType,
    Housing,
    Imprisonment,
    Program,
    Relation,
    Setting,
    Severity,
    Sex,
)
from allocator.domain.household import Member
from allocator.loading import load_ruleset
from allocator.pipeline import classify_dataset, engine_for
from tests.conftest import DAY

RULES = load_ruleset(default_rules_dir())
PARAMS = RULES.parameters.at(DAY)


def _edges(values: list[float]) -> list[int]:
    return sorted({max(0, int(v) + d) for v in values for d in (-1, 0, 1)})


AGES = [
    a
    for a in _edges([v for k, v in PARAMS.items() if k.startswith("age.")] + [0, 12, 120])
    if a <= 120
]
LINES = [PARAMS["poverty_line.urban"], PARAMS["poverty_line.rural"]]
SHARES = [1.0, PARAMS["poverty.deep_share"]]
INCOMES = _edges(
    [0] + [line * share * size for line in LINES for share in SHARES for size in range(1, 6)]
)
ASSETS = _edges([0, PARAMS["assets.ceiling"]])


@st.composite
def members(draw: Any, head: bool) -> Member:
    disability = draw(st.sampled_from(list(DisabilityType)))
    severity = (
        Severity.NONE
        if disability is DisabilityType.NONE
        else draw(st.sampled_from([Severity.MILD, Severity.MODERATE, Severity.SEVERE]))
    )
    flags = {
        name: draw(st.booleans())
        for name in (
            "insured",
            "hard_to_treat_disease",
            "in_school",
            "employed",
            "drug_addiction",
            "street_child",
            "waste_picker",
            "woman_at_risk",
        )
    }
    return Member(
        age=draw(st.sampled_from(AGES)),
        sex=draw(st.sampled_from(list(Sex))),
        relation=Relation.HEAD if head else draw(st.sampled_from(list(Relation)[1:])),
        disability_type=disability,
        disability_severity=severity,
        imprisoned=draw(st.sampled_from(list(Imprisonment))),
        **flags,
    )


@st.composite
def cases(draw: Any) -> tuple[Household, Neighborhood]:
    neighborhood = Neighborhood(
        neighborhood_id=1,
        name="n",
        province="P",
        county="C",
        setting=draw(st.sampled_from(list(Setting))),
        custodian=draw(st.sampled_from(CUSTODIANS)),
        programs=tuple(draw(st.sets(st.sampled_from(list(Program))))),
    )
    size = draw(st.integers(1, 5))
    household = Household(
        household_id=draw(st.integers(1, 10**9)),
        neighborhood_id=1,
        income=draw(st.sampled_from(INCOMES)),
        assets=draw(st.sampled_from(ASSETS)),
        housing=draw(st.sampled_from(list(Housing))),
        case_agency=draw(st.sampled_from(list(Agency))),
        continuous_pension=draw(st.booleans()),
        members=[draw(members(i == 0)) for i in range(size)],
    )
    return household, neighborhood


def vector_view(
    backend: VectorBackend, household: Household, neighborhood: Neighborhood, day: date
) -> dict[str, Any]:
    result = backend.classify(Batch.from_models([household], {1: neighborhood}), day)
    view: dict[str, Any] = {}
    for service in RULES.services:
        r = result.services[service.id]
        eligible = bool(r.eligible[0])
        view[service.id] = (
            eligible,
            int(r.units[0]),
            float(r.score[0]) if eligible else None,
            int(r.tier[0]) if eligible else None,
            backend.agency_name(int(r.agency[0])),
            backend.failed_name(service.id, int(r.failed[0])),
        )
    view["case_file"] = (
        bool(result.case_file[0]),
        backend.agency_name(int(result.case_file_agency[0])),
    )
    return view


def durable_view(
    backend: DurableBackend, household: Household, neighborhood: Neighborhood, day: date
) -> dict[str, Any]:
    decision = backend.decide(household, neighborhood, day)
    view: dict[str, Any] = {
        s.service_id: (s.eligible, s.units, s.need_score, s.tier, s.agency, s.failed_condition)
        for s in decision.services
    }
    view["case_file"] = (decision.case_file, decision.case_file_agency)
    return view


VECTOR = VectorBackend(RULES)
DURABLE = DurableBackend(RULES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_edge_households_decide_alike(case: tuple[Household, Neighborhood]) -> None:
    household, neighborhood = case
    assert vector_view(VECTOR, household, neighborhood, DAY) == durable_view(
        DURABLE, household, neighborhood, DAY
    )


@pytest.mark.slow
def test_tiny_preset_decisions_are_identical(tmp_path: Path, ruleset: RuleSet) -> None:
    from allocator.data.writer import write_dataset

    data = tmp_path / "data"
    write_dataset("tiny", 0, data, row_group_households=700)
    tables = {}
    for name in ("vector", "durable"):
        out = tmp_path / name
        summary = classify_dataset(data, out, ruleset, DAY, engine_for(name, ruleset, data))
        assert summary["households_classified"] == 2000
        tables[name] = {
            f: pq.read_table(out / f)
            for f in ("decisions.parquet", "demand.parquet", "why_not.parquet")
        }
    for f, table in tables["vector"].items():
        other = tables["durable"][f]
        assert table.schema == other.schema, f
        for column in table.schema.names:
            assert table.column(column).to_pylist() == other.column(column).to_pylist(), (f, column)
