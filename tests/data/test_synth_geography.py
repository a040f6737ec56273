"""Geography: the program's neighborhoods, custody, flags, and the default registry."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from allocator.data.geoexport import neighborhoods_table
from allocator.data.layout import layout
from allocator.domain.enums import Program
from allocator.domain.tables import NEIGHBORHOODS_SCHEMA
from allocator.reference import DEFAULT_SEED, default_neighborhoods, default_registry
from allocator.reference.provinces import provinces


def _table(preset: str, seed: int = DEFAULT_SEED) -> pa.Table:
    return neighborhoods_table(layout(preset, seed).geography)


def test_program_2020_targets_are_ids_1_to_2020() -> None:
    table = _table("program-2020")
    assert table.schema.equals(NEIGHBORHOODS_SCHEMA)
    assert table["neighborhood_id"].to_pylist() == list(range(1, 2021))
    assert all(table["target_2020"].to_pylist())


def test_program_2020_custody_and_flags() -> None:
    rows = _table("program-2020").to_pylist()
    custodians = [r["custodian"] for r in rows]
    assert custodians.count("imam_order") == 440
    assert set(custodians) == {
        "imam_order",
        "relief_committee",
        "welfare_organization",
        "red_crescent",
    }
    assert sum(r["informal_settlement"] for r in rows) == 330
    assert all(r["setting"] == "urban" for r in rows if r["informal_settlement"])
    maz = [r for r in rows if r["mazandaran_56"]]
    assert [r["neighborhood_id"] for r in maz] == list(range(1, 57))
    assert {r["province"] for r in maz} == {"Mazandaran"}
    assert abs(sum(r["population"] for r in rows) - 20_000_000) < 1


def test_targets_spread_over_provinces_by_population() -> None:
    rows = _table("program-2020").to_pylist()
    counts = {p.name: 0 for p in provinces()}
    for r in rows:
        counts[r["province"]] += 1
    total = sum(p.population for p in provinces())
    for p in provinces():
        expected = 2020 * p.population / total
        assert abs(counts[p.name] - expected) <= 1 or p.name == "Mazandaran"


def test_national_covers_the_census() -> None:
    table = _table("national")
    assert sum(table["population"].to_pylist()) == sum(p.population for p in provinces())
    assert table["target_2020"].to_pylist()[2020:] == [False] * (table.num_rows - 2020)
    assert layout("national", DEFAULT_SEED).total_households == 24_000_000
    names = table["name"].to_pylist()
    assert len(set(names)) == len(names)
    rural = np.array(table["setting"].to_pylist()) == "rural"
    pop = table["population"].to_numpy()
    assert 0.2 < pop[rural].sum() / pop.sum() < 0.32


def test_prefix_presets_share_the_national_ids() -> None:
    national = _table("national")
    assert _table("program-2020").equals(national.slice(0, 2020))
    maz = _table("mazandaran")
    assert maz["name"].to_pylist() == national["name"].to_pylist()[:56]
    assert sum(maz["population"].to_pylist()) == 360_000


def test_default_registry_matches_national_table() -> None:
    national = _table("national").to_pylist()
    registry = default_registry()
    assert len(registry) == len(national) == len(default_neighborhoods())
    for row in national[:: len(national) // 50]:
        hood = registry.get(row["neighborhood_id"])
        assert (hood.name, hood.custodian.value) == (row["name"], row["custodian"])
        assert hood.is_target(Program.NEIGHBORHOODS_2020) == row["target_2020"]
        assert hood.is_target(Program.INFORMAL_SETTLEMENTS) == row["informal_settlement"]
    assert registry.get(1).is_target(Program.NEIGHBORHOODS_2020)


def test_geography_is_a_function_of_the_seed() -> None:
    assert _table("national", 7).equals(_table("national", 7))
    assert not _table("national", 7).equals(_table("national", 8))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tiny_has_every_kind_of_neighborhood(seed: int) -> None:
    rows = _table("tiny", seed).to_pylist()
    assert 15 <= len(rows) <= 25
    assert {r["custodian"] for r in rows[:12]} == {
        "imam_order",
        "relief_committee",
        "welfare_organization",
        "red_crescent",
    }
    assert any(r["informal_settlement"] for r in rows)
    assert any(r["mazandaran_56"] for r in rows)
    assert any(not r["target_2020"] for r in rows)


def test_reference_neighborhoods_are_the_national_geography_of_the_default_seed() -> None:
    """The shipped reference file is what the generator draws (else: write it again)."""
    from importlib.resources import files

    from allocator.data.reference_export import reference_csv
    from allocator.reference.neighborhoods import NEIGHBORHOODS_FILE

    shipped = files("allocator.reference").joinpath(NEIGHBORHOODS_FILE).read_text("utf-8")
    assert shipped == reference_csv(DEFAULT_SEED), (
        "the geography changed: run python -m allocator.data.reference_export"
    )
