"""``--vary`` specs, the grid they span and how a variant changes the scenario."""

from __future__ import annotations

import pytest

from allocator.errors import ScenarioError
from allocator.scenarios import Scenario, parse_scenario
from allocator.sweeps import grid, parse_vary, vary_scenario


def test_linspace_values_and_grid_order() -> None:
    budget, workers = parse_vary("budget=0.5:1.5:11"), parse_vary("workers=0.5:1.5:5")
    assert budget.values[:3] == (0.5, 0.6, 0.7) and budget.values[-1] == 1.5
    cells = grid([budget, workers])
    assert len(cells) == 55
    assert cells[:2] == [{"budget": 0.5, "workers": 0.5}, {"budget": 0.5, "workers": 0.75}]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("budget", "NAME=START:STOP:COUNT"),
        ("budget=1:2", "NAME=START:STOP:COUNT"),
        ("budget=a:2:3", "NAME=START:STOP:COUNT"),
        ("money=1:2:3", "unknown name 'money'"),
        ("budget=1:2:0", "COUNT must be at least 1"),
        ("workers=-1:2:3", ">= 0"),
        ("floor=0:1.5:3", "within [0, 1]"),
    ],
)
def test_bad_specs_name_the_problem(text: str, words: str) -> None:
    with pytest.raises(ScenarioError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_vary(text)


def test_a_name_given_twice_is_refused() -> None:
    with pytest.raises(ScenarioError, match="given twice"):
        grid([parse_vary("budget=1:2:2"), parse_vary("budget=1:3:2")])


def test_a_variant_scales_every_pool_and_sets_the_floor(small: Scenario) -> None:
    v = vary_scenario(small, {"budget": 0.5, "workers": 1.5, "floor": 0.3})
    assert v.resources.budget.total == pytest.approx(4.0e10)
    assert dict(v.resources.workers.by_agency) == {
        "relief_committee": 45.0, "welfare_organization": 30.0, "imam_order": 23.0,
        "red_crescent": 12.0,
    }  # fmt: skip
    assert v.equity_floor.tier1_fraction == 0.3
    assert small.resources.budget.total == pytest.approx(8.0e10)  # the base is untouched


def test_varying_a_resource_the_scenario_lacks_is_an_error(small: Scenario) -> None:
    with pytest.raises(ScenarioError, match="no service slots"):
        vary_scenario(small, {"slots": 2.0})
    bare = parse_scenario({"name": "bare", "data": {"source": "synthetic-demand"}})
    with pytest.raises(ScenarioError, match="no budget"):
        vary_scenario(bare, {"budget": 2.0})
    linear = parse_scenario(
        {"name": "lin", "data": {"source": "synthetic-demand"}, "objective": {"mode": "linear"}}
    )
    with pytest.raises(ScenarioError, match="alpha shapes the fair objective only"):
        vary_scenario(linear, {"alpha": 1.0})
    assert vary_scenario(small, {"alpha": 2.0}).objective.alpha == 2.0
