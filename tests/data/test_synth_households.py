"""Households and members: calibration to the seeds, and validity under the domain model."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.data import DatasetInfo
from allocator.data.assumptions import DISABILITY_TYPE_SHARES
from allocator.domain import parse_household
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE


def _tables(info: DatasetInfo) -> tuple[pa.Table, pa.Table]:
    return (
        pq.read_table(info.directory / HOUSEHOLDS_FILE),
        pq.read_table(info.directory / MEMBERS_FILE),
    )


def test_mazandaran_matches_seed_002(mazandaran: DatasetInfo) -> None:
    households, members = _tables(mazandaran)
    assert households.num_rows == 162_000
    assert abs(members.num_rows - 360_000) / 360_000 < 0.01
    types = Counter(members["disability_type"].to_pylist())
    disabled = members.num_rows - types.pop("none")
    assert abs(disabled - 62_000) / 62_000 < 0.03
    for kind, share in DISABILITY_TYPE_SHARES.items():
        assert abs(types[kind.value] / disabled - share) < 0.02, kind
    assert set(households["case_agency"].to_pylist()) == {"welfare_organization"}


def test_disability_type_and_severity_agree(mazandaran: DatasetInfo) -> None:
    _, members = _tables(mazandaran)
    kinds = members["disability_type"].to_pylist()
    severities = members["disability_severity"].to_pylist()
    assert all((k == "none") == (s == "none") for k, s in zip(kinds, severities, strict=True))


def test_tiny_distributions_are_plausible(tiny: DatasetInfo) -> None:
    households, members = _tables(tiny)
    case = Counter(households["case_agency"].to_pylist())
    assert case["none"] > 0.6 * households.num_rows
    assert min(households["income"].to_pylist()) >= 0
    ages = members["age"].to_pylist()
    assert min(ages) >= 0 and max(ages) <= 120
    relations = Counter(members["relation"].to_pylist())
    assert relations["head"] == households.num_rows and relations["child"] > 0
    school = [a for a, s in zip(ages, members["in_school"].to_pylist(), strict=True) if s]
    assert school and all(6 <= a <= 18 for a in school)


def _household_dicts(info: DatasetInfo) -> list[dict[str, Any]]:
    households, members = _tables(info)
    by_id: dict[int, dict[str, Any]] = {}
    for row in households.to_pylist():
        by_id[row["household_id"]] = {**row, "members": []}
    for row in members.to_pylist():
        hid = row.pop("household_id")
        by_id[hid]["members"].append(row)
    return list(by_id.values())


def test_sampled_households_validate(tiny: DatasetInfo) -> None:
    households = _household_dicts(tiny)
    for data in households[::7]:
        household = parse_household(data)
        assert household.household_id == data["household_id"]
        assert len(household.members) == len(data["members"])
