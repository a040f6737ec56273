"""Shared fixtures: small data sets written once per test session."""

from __future__ import annotations

import pytest

from allocator.data import DatasetInfo, write_dataset

#: Households per row group in the shared tiny data set (2,000 households: 4 row groups).
TINY_ROW_GROUP = 500


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> DatasetInfo:
    out = tmp_path_factory.mktemp("tiny")
    return write_dataset("tiny", 0, out, row_group_households=TINY_ROW_GROUP)


@pytest.fixture(scope="session")
def mazandaran(tmp_path_factory: pytest.TempPathFactory) -> DatasetInfo:
    out = tmp_path_factory.mktemp("mazandaran")
    return write_dataset("mazandaran", 0, out, row_group_households=100_000)
