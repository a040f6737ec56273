"""The Python engine writes exactly the durable-rules backend's explained decisions.

Decisions are compared field by field (every condition with its values, every fact with its
threshold, unit and sources, the Persian and English sentences, the priority terms: the
first difference is named by its path), then as the JSON bytes the service records and
sends. The households: edge-value households drawn by hypothesis over several dates,
households from spread-out windows of every shipped preset of the synthetic generator, and
every YAML rule test case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from allocator.backends.base import BackendName
from allocator.backends.durable import DurableBackend
from allocator.backends.explained import PythonBackend
from allocator.backends.registry import BACKENDS, explaining_backend
from allocator.data.batch import generate_batch
from allocator.data.geoexport import neighborhood_models
from allocator.data.layout import layout
from allocator.data.presets import DATA_PRESETS
from allocator.decisions.model import Decision
from allocator.domain import Household, Neighborhood, parse_household
from allocator.errors import DataError
from allocator.ruletests.cases import discover
from allocator.ruletests.runner import durable_decider, run_case
from tests.conftest import DAY, ROOT
from tests.parity.test_parity import RULES, cases

DURABLE = DurableBackend(RULES)
PYTHON = PythonBackend(RULES)
DAYS = [date(2023, 6, 1), DAY, date(2026, 1, 10)]
JSON = TypeAdapter(Decision)


def differences(expected: Any, got: Any, path: str = "") -> Iterator[str]:
    """The paths where ``got`` differs from ``expected`` (JSON-like values), with both."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in [*expected, *(k for k in got if k not in expected)]:
            if key not in expected or key not in got:
                yield f"{path}.{key}: only in {'expected' if key in expected else 'got'}"
            else:
                yield from differences(expected[key], got[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            yield f"{path}: {len(expected)} items, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=False)):
            yield from differences(e, g, f"{path}[{i}]")
    elif type(expected) is not type(got) or expected != got:
        yield f"{path}: expected {expected!r}, got {got!r}"


def _same(household: Household, neighborhood: Neighborhood, day: date) -> None:
    expected = DURABLE.decide(household, neighborhood, day)
    got = PYTHON.decide(household, neighborhood, day)
    found = list(
        differences(JSON.dump_python(expected, mode="json"), JSON.dump_python(got, mode="json"))
    )
    assert not found, f"household {household.household_id} on {day}:\n" + "\n".join(found[:20])
    assert JSON.dump_json(got) == JSON.dump_json(expected)


def test_differences_names_the_path() -> None:
    a = {"s": [{"x": 1, "y": [1.0]}], "z": None}
    assert list(differences(a, a)) == []
    assert list(differences(a, {"s": [{"x": 1, "y": [1]}], "z": None})) == [
        ".s[0].y[0]: expected 1.0, got 1"
    ]
    assert list(differences(a, {"s": [], "z": 0})) == [
        ".s: 1 items, got 0",
        ".z: expected None, got 0",
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(DAYS))
def test_edge_households_are_explained_alike(
    case: tuple[Household, Neighborhood], day: date
) -> None:
    _same(*case, day)


def preset_households(
    preset: str, seed: int, windows: int = 5, size: int = 30
) -> list[tuple[Household, Neighborhood]]:
    """``windows`` runs of ``size`` households spread over the whole of ``preset``."""
    lay = layout(preset, seed)
    neighborhoods = neighborhood_models(lay.geography)
    total = lay.total_households
    found = []
    for i in range(windows):
        start = (total - size) * i // max(windows - 1, 1)
        households, members = generate_batch(lay, seed, i, start, start + size)
        of: dict[int, list[dict[str, Any]]] = {}
        for m in members.to_pylist():
            of.setdefault(m.pop("household_id"), []).append(m)
        for h in households.to_pylist():
            household = parse_household({**h, "members": of.get(h["household_id"], [])})
            found.append((household, neighborhoods[household.neighborhood_id - 1]))
    return found


@pytest.mark.parametrize("preset", sorted(DATA_PRESETS))
def test_preset_households_are_explained_alike(preset: str) -> None:
    found = preset_households(preset, seed=7)
    assert len(found) == 150
    for n, (household, neighborhood) in enumerate(found):
        _same(household, neighborhood, DAYS[n % len(DAYS)])


CASES = discover(ROOT / "rules" / "tests")


def test_every_rule_case_passes_and_is_explained_alike() -> None:
    assert CASES
    for case in CASES:
        result = run_case(case, durable_decider(PYTHON), "python")
        assert result.passed, "\n".join(result.failures)
        household = parse_household(case.household_data())
        _same(household, case.neighborhood_model(), case.date)


def test_the_registry_names_it_an_explaining_engine() -> None:
    assert BACKENDS[BackendName.PYTHON].capabilities.explanations
    assert isinstance(explaining_backend("python", RULES), PythonBackend)
    assert isinstance(explaining_backend("durable", RULES), DurableBackend)
    with pytest.raises(DataError, match="--engine"):
        explaining_backend("vector", RULES)
