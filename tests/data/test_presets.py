"""One table of presets: data sets and synthetic demand shapes, and the names that refer to them."""

from __future__ import annotations

from typing import get_args

import pytest

from allocator.data.presets import DATA_PRESETS, DEMAND_PRESETS, PRESETS, demand_shape, get_preset
from allocator.errors import DataError
from allocator.scenarios import load_demand, parse_scenario
from allocator.scenarios.model import DataPreset, Preset


def test_the_scenario_schema_names_exactly_the_table_s_presets():
    assert set(get_args(DataPreset)) == set(DATA_PRESETS)
    assert set(get_args(Preset)) == set(DEMAND_PRESETS)
    assert set(DATA_PRESETS) | set(DEMAND_PRESETS) == set(PRESETS)


def test_a_demand_only_preset_is_not_a_data_set_and_the_message_says_so():
    with pytest.raises(DataError, match="'informal-330' shapes synthetic demand only"):
        get_preset("informal-330")
    with pytest.raises(DataError, match="'national' has no synthetic demand; choose one of: tiny"):
        demand_shape("national")
    with pytest.raises(DataError, match="unknown preset 'nope'"):
        get_preset("nope")


@pytest.mark.parametrize("name", DEMAND_PRESETS)
def test_synthetic_demand_follows_its_preset_s_shape(name):
    shape = demand_shape(name)
    small = min(shape.neighborhoods, 30)
    scenario = parse_scenario(
        {
            "name": "t",
            "data": {"source": "synthetic-demand", "preset": name, "n_neighborhoods": small},
        }
    )
    demand = load_demand(scenario)
    assert demand.n_neighborhoods == small
    if shape.provinces:
        assert {demand.provinces[p] for p in demand.province} <= set(shape.provinces)
