"""Both engines give identical decisions: edge-value households, and the tiny preset.

A difference is a bug in one of them, never a tolerance.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.backends.base import BackendName
from allocator.backends.batch import Batch
from allocator.backends.durable import DurableBackend
from allocator.backends.vector import VectorBackend
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
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE
from allocator.loading import load_ruleset
from allocator.pipeline import RunOptions, classify_dataset, prepare
from allocator.pipeline.partition import engine_of, neighborhoods_of
from allocator.pipeline.schema import open_tables
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


#: The bulk backend with each of its kernels: both must agree with durable-rules.
KERNELS = ("c", "numpy")
VECTORS = {kernel: VectorBackend(RULES, kernel) for kernel in KERNELS}
DURABLE = DurableBackend(RULES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_edge_households_decide_alike(case: tuple[Household, Neighborhood]) -> None:
    household, neighborhood = case
    expected = durable_view(DURABLE, household, neighborhood, DAY)
    for kernel, backend in VECTORS.items():
        assert vector_view(backend, household, neighborhood, DAY) == expected, kernel


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(), min_size=1, max_size=12))
def test_batches_of_edge_households_decide_alike(
    batch: list[tuple[Household, Neighborhood]],
) -> None:
    """Several households in one batch: the C kernel's per-household state never leaks."""
    households = [h.model_copy(update={"household_id": i + 1}) for i, (h, _) in enumerate(batch)]
    neighborhood = batch[0][1]
    models = Batch.from_models(households, {1: neighborhood})
    results = [b.classify(models, DAY) for b in VECTORS.values()]
    c, numpy = results[0].in_batch_order(), results[1].in_batch_order()
    assert c.case_file_agency.tolist() == numpy.case_file_agency.tolist()
    for service in RULES.services:
        for name in ("eligible", "units", "score", "tier", "agency", "failed"):
            got = getattr(c.services[service.id], name).tolist()
            assert got == getattr(numpy.services[service.id], name).tolist(), (service.id, name)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from allocator.data.writer import write_dataset

    data = tmp_path_factory.mktemp("parity") / "data"
    write_dataset("tiny", 0, data, row_group_households=700)
    return data


@pytest.mark.slow
def test_tiny_preset_results_are_identical(tiny: Path, ruleset: RuleSet) -> None:
    """Every field of every service of every household, partition by partition."""
    files = open_tables(tiny)
    neighborhoods = neighborhoods_of(tiny)
    engines: dict[str, Any] = {name: engine_of(ruleset, name, tiny) for name in BackendName}
    engines["numpy"] = VectorBackend(ruleset, "numpy")
    for i in range(files[HOUSEHOLDS_FILE].num_row_groups):
        batch = prepare(
            files[HOUSEHOLDS_FILE].read_row_group(i),
            files[MEMBERS_FILE].read_row_group(i),
            neighborhoods,
        ).batch
        durable = engines["durable"].classify(batch, DAY).in_batch_order()
        for kernel in ("vector", "numpy"):
            vector = engines[kernel].classify(batch, DAY).in_batch_order()
            assert vector.household_id.tolist() == durable.household_id.tolist()
            assert vector.sizes.tolist() == durable.sizes.tolist()
            assert vector.case_file.tolist() == durable.case_file.tolist()
            assert vector.case_file_agency.tolist() == durable.case_file_agency.tolist()
            for service in ruleset.services:
                v, d = vector.services[service.id], durable.services[service.id]
                for name in ("eligible", "units", "score", "tier", "agency", "failed"):
                    where = (i, kernel, service.id, name)
                    assert getattr(v, name).tolist() == getattr(d, name).tolist(), where


@pytest.mark.slow
def test_tiny_preset_outputs_are_identical(
    tiny: Path, tmp_path: Path, ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wide decisions, rejects, demand, why-not and case-file files have the same bytes, whether
    durable-rules, the C kernel or the NumPy kernel decided (and counted the totals)."""
    outs = {}
    for name, backend, kernel in (
        ("c", BackendName.VECTOR, "c"),
        ("numpy", BackendName.VECTOR, "numpy"),
        ("durable", BackendName.DURABLE, "auto"),
    ):
        monkeypatch.setenv("ALLOCATOR_KERNEL", kernel)
        outs[name] = out = tmp_path / name
        options = RunOptions(backend=backend, decisions="wide")
        summary = classify_dataset(tiny, out, ruleset, DAY, options=options)
        assert summary["households_classified"] == 2000
        if backend is BackendName.VECTOR:  # the kernel asked for is the one that ran
            engine = engine_of(ruleset, backend, tiny)
            assert isinstance(engine, VectorBackend)
            built = [k for k in engine._native.values() if k is not None]
            assert (engine.kernel, len(built) > 0) == (kernel, kernel == "c")
    names = sorted(p.relative_to(outs["c"]) for p in (outs["c"] / "parts").iterdir())
    assert len(names) == 3 * 6
    names += [Path("demand.parquet"), Path("why_not.parquet"), Path("casefiles.parquet")]
    for rel in names:
        expected = (outs["durable"] / rel).read_bytes()
        assert (outs["c"] / rel).read_bytes() == expected, rel
        assert (outs["numpy"] / rel).read_bytes() == expected, rel
