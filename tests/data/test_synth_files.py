"""The written files: schemas, counts, row-group alignment, determinism, clean failure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from allocator.data import DatasetInfo, write_dataset
from allocator.data.batch import generate_batch
from allocator.domain.tables import (
    HOUSEHOLDS_FILE,
    MEMBERS_FILE,
    NEIGHBORHOODS_FILE,
    TABLE_SCHEMAS,
)
from allocator.errors import DataError

TINY_ROW_GROUP = 500  # as in conftest.py


def read_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("name", sorted(TABLE_SCHEMAS))
def test_schemas_match_exactly(tiny: DatasetInfo, name: str) -> None:
    schema = pq.read_schema(tiny.directory / name)
    assert schema.equals(TABLE_SCHEMAS[name], check_metadata=False)
    assert pq.read_table(tiny.directory / name).schema.equals(TABLE_SCHEMAS[name])


def test_enum_columns_are_dictionary_encoded(tiny: DatasetInfo) -> None:
    meta = pq.ParquetFile(tiny.directory / MEMBERS_FILE).metadata
    names = meta.schema.names
    column = meta.row_group(0).column(names.index("disability_type"))
    assert "RLE_DICTIONARY" in column.encodings or "PLAIN_DICTIONARY" in column.encodings


def test_tiny_counts(tiny: DatasetInfo) -> None:
    assert tiny.neighborhoods == 20
    assert tiny.households == 2000
    assert tiny.row_groups == 4
    assert pq.read_metadata(tiny.directory / MEMBERS_FILE).num_rows == tiny.members
    meta = json.loads((tiny.directory / "metadata.json").read_text())
    assert meta["counts"] == {"neighborhoods": 20, "households": 2000, "members": tiny.members}
    assert (meta["preset"], meta["seed"]) == ("tiny", 0)
    assert 2.8 < tiny.members / tiny.households < 3.9
    assert not list(tiny.directory.glob(".*"))  # no temporary files left


def test_household_ids_unique_increasing_from_one(tiny: DatasetInfo) -> None:
    ids = pq.read_table(tiny.directory / HOUSEHOLDS_FILE)["household_id"].to_numpy()
    assert ids.tolist() == list(range(1, tiny.households + 1))


def test_neighborhood_ids_are_known(tiny: DatasetInfo) -> None:
    hoods = pq.read_table(tiny.directory / NEIGHBORHOODS_FILE)["neighborhood_id"].to_numpy()
    assert hoods.tolist() == list(range(1, tiny.neighborhoods + 1))
    used = pq.read_table(tiny.directory / HOUSEHOLDS_FILE)["neighborhood_id"].to_numpy()
    assert set(np.unique(used)) <= set(hoods.tolist())
    assert (np.diff(used) >= 0).all()


def test_row_groups_align(tiny: DatasetInfo) -> None:
    households = pq.ParquetFile(tiny.directory / HOUSEHOLDS_FILE)
    members = pq.ParquetFile(tiny.directory / MEMBERS_FILE)
    assert households.num_row_groups == members.num_row_groups == tiny.row_groups
    for i in range(households.num_row_groups):
        hh = households.read_row_group(i, columns=["household_id"])["household_id"].to_numpy()
        mm = members.read_row_group(i, columns=["household_id"])["household_id"].to_numpy()
        assert len(hh) == TINY_ROW_GROUP
        assert (np.diff(mm) >= 0).all()  # members sorted by household
        assert np.unique(mm).tolist() == hh.tolist()  # the same households, same order


def test_exactly_one_head_per_household(tiny: DatasetInfo) -> None:
    members = pq.read_table(tiny.directory / MEMBERS_FILE, columns=["household_id", "relation"])
    ids = members["household_id"].to_numpy()
    heads = ids[np.asarray(members["relation"].to_pylist()) == "head"]
    assert np.bincount(heads, minlength=tiny.households + 1)[1:].tolist() == [1] * tiny.households


def test_same_seed_same_bytes(tiny: DatasetInfo, tmp_path: Path) -> None:
    again = write_dataset("tiny", 0, tmp_path, row_group_households=TINY_ROW_GROUP)
    assert read_bytes(again.directory) == read_bytes(tiny.directory)


def test_other_seed_other_data(tiny: DatasetInfo, tmp_path: Path) -> None:
    other = write_dataset("tiny", 1, tmp_path, row_group_households=TINY_ROW_GROUP)
    for name in (NEIGHBORHOODS_FILE, HOUSEHOLDS_FILE, MEMBERS_FILE):
        assert (other.directory / name).read_bytes() != (tiny.directory / name).read_bytes()


def test_unknown_preset_and_bad_row_group(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown preset 'atlantis'"):
        write_dataset("atlantis", 0, tmp_path)
    with pytest.raises(DataError, match="row group size"):
        write_dataset("tiny", 0, tmp_path, row_group_households=0)


def test_failure_leaves_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("disk full")
        return generate_batch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("allocator.data.writer.generate_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        write_dataset("tiny", 0, tmp_path, row_group_households=500)
    assert list(tmp_path.iterdir()) == []


def test_progress_reports_every_row_group(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    write_dataset(
        "tiny", 0, tmp_path, row_group_households=800, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(0, 2000), (800, 2000), (1600, 2000), (2000, 2000)]
