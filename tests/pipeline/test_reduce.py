"""Adding partitions up: dictionary-coded part files and plain-string ones give one answer."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from allocator.api.ruleset import RuleSet
from allocator.errors import DataError, Reason
from allocator.pipeline import classify_dataset
from allocator.pipeline.partition import neighborhoods_of, part_path
from allocator.pipeline.reduce import reduce_demand, reduce_why_not
from tests.conftest import DAY


def _plain(table: pa.Table) -> pa.Table:
    """The table with dictionary columns decoded to plain strings (older part files)."""
    return pa.table(
        {
            name: table.column(name).cast(pa.string())
            if pa.types.is_dictionary(table.schema.field(name).type)
            else table.column(name)
            for name in table.column_names
        }
    )


@pytest.mark.parametrize(
    ("kind", "reduce"), [("demand", reduce_demand), ("why_not", reduce_why_not)]
)
def test_dictionary_and_plain_parts_reduce_alike(
    tiny_groups: Path, tmp_path: Path, ruleset: RuleSet, kind: str, reduce: object
) -> None:
    out = tmp_path / "out"
    summary = classify_dataset(tiny_groups, out, ruleset, DAY, threads=1, command=["test"])
    parts = [pq.read_table(part_path(out, kind, i)) for i in range(summary["row_groups"])]
    assert all(pa.types.is_dictionary(p.schema.field("service_id").type) for p in parts)
    neighborhoods = neighborhoods_of(tiny_groups)
    coded = reduce(ruleset, neighborhoods, parts)  # type: ignore[operator]
    plain = reduce(ruleset, neighborhoods, [_plain(p) for p in parts])  # type: ignore[operator]
    assert coded.equals(plain)
    assert coded.equals(pq.read_table(out / f"{kind}.parquet"))
    assert coded.num_rows > 0


def test_unknown_service_in_a_part_is_refused(
    tiny_groups: Path, tmp_path: Path, ruleset: RuleSet
) -> None:
    out = tmp_path / "out"
    classify_dataset(tiny_groups, out, ruleset, DAY, threads=1, command=["test"])
    part = _plain(pq.read_table(part_path(out, "why_not", 0)))
    services = part.column("service_id").to_pylist()
    services[0] = "no_such_service"
    bad = part.set_column(1, "service_id", pa.array(services))
    with pytest.raises(DataError, match="corrupt part file: unknown") as caught:
        reduce_why_not(ruleset, neighborhoods_of(tiny_groups), [bad])
    assert caught.value.reason is Reason.CORRUPT_PART
