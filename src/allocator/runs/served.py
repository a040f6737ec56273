"""Disaggregate a plan back to households: who is served, highest need score first.

Within each (neighborhood, service, tier, agency) row of the plan, eligible households are
taken in decreasing need score (then increasing household id) until the row's served
units are used up; the last household may be served in part (``units_served`` < ``units``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

KEYS = ["neighborhood_id", "service_id", "tier", "agency"]
SERVED_SCHEMA = pa.schema(
    [
        ("household_id", pa.int64()),
        ("neighborhood_id", pa.int32()),
        ("service_id", pa.string()),
        ("tier", pa.int8()),
        ("agency", pa.string()),
        ("need_score", pa.float32()),
        ("rank", pa.int32()),
        ("units", pa.int16()),
        ("units_served", pa.float64()),
    ]
)


def eligible_pairs(classified: Path) -> pa.Table:
    """The compact decisions of a classification (one row per eligible pair)."""
    parts = sorted((classified / "parts").glob("decisions-*.parquet"))
    if not parts:
        return SERVED_SCHEMA.empty_table()
    table = pa.concat_tables(pq.read_table(p) for p in parts)
    return table.select(
        ["household_id", "neighborhood_id", "service", "tier", "units", "score", "agency"]
    )


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column


def served_table(allocation: pa.Table, pairs: pa.Table) -> pa.Table:
    """The households served by ``allocation`` (rows with ``served`` > 0)."""
    rows = allocation.filter(pc.greater(allocation.column("served"), 1e-9))
    if rows.num_rows == 0 or pairs.num_rows == 0:
        return SERVED_SCHEMA.empty_table()
    pairs = pa.table(
        {
            "household_id": pairs.column("household_id"),
            "neighborhood_id": pairs.column("neighborhood_id").cast(pa.int32()),
            "service_id": _plain(pairs.column("service")),
            "tier": pairs.column("tier").cast(pa.int8()),
            "agency": _plain(pairs.column("agency")),
            "need_score": pairs.column("score"),
            "units": pairs.column("units"),
        }
    )
    rows = pa.table(
        {
            "neighborhood_id": rows.column("neighborhood_id").cast(pa.int32()),
            "service_id": _plain(rows.column("service_id")),
            "tier": rows.column("tier").cast(pa.int8()),
            "agency": _plain(rows.column("agency")),
            "served": rows.column("served"),
            "row": pa.array(np.arange(rows.num_rows, dtype=np.int64)),
        }
    )
    joined = pairs.join(rows, KEYS, join_type="inner")
    if joined.num_rows == 0:
        return SERVED_SCHEMA.empty_table()
    row = joined.column("row").to_numpy()
    score = joined.column("need_score").to_numpy().astype(np.float64)
    hid = joined.column("household_id").to_numpy()
    order = np.lexsort((hid, -score, row))
    joined = joined.take(pa.array(order))
    row, units = joined.column("row").to_numpy(), joined.column("units").to_numpy().astype(float)
    served = joined.column("served").to_numpy()
    start = np.r_[True, row[1:] != row[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(row.size), 0))
    cum = np.cumsum(units)
    before = cum - units - (cum[group_start] - units[group_start])
    take = before < served - 1e-9
    units_served = np.minimum(units, served - before)
    rank = np.arange(row.size) - group_start + 1
    keep = pa.array(take)
    out = joined.filter(keep)
    return pa.table(
        {
            "household_id": out.column("household_id"),
            "neighborhood_id": out.column("neighborhood_id"),
            "service_id": out.column("service_id"),
            "tier": out.column("tier"),
            "agency": out.column("agency"),
            "need_score": out.column("need_score").cast(pa.float32()),
            "rank": pa.array(rank[take].astype(np.int32)),
            "units": out.column("units").cast(pa.int16()),
            "units_served": pa.array(units_served[take]),
        },
        schema=SERVED_SCHEMA,
    )
