"""Add the partitions of a run up: demand, why-not counts and the summary.

The reduction is a pure function of the partition files, so a run that was resumed, or whose
partitions ran on Dask workers, reduces to the same bytes as an uninterrupted local run. Keys
are coded into dense integers (service, neighborhood row, tier, agency or condition) and added
with ``np.bincount``; rows come out in key order, as in each partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.api.ruleset import RuleSet
from allocator.errors import DataError, Reason
from allocator.types import Array, IntArray

from .casefiles import CASEFILES_SCHEMA
from .neighborhoods import NeighborhoodTable
from .prepare import REASONS
from .totals import (
    AGENCIES,
    DEMAND_SCHEMA,
    TIERS,
    WHY_NOT_SCHEMA,
    eligible_rows,
    group_sums,
    strings,
)

#: Counters of a partition summary that add up.
COUNTS = (
    "households_read",
    "households_classified",
    "households_rejected",
    "orphan_member_rows",
    "members_classified",
    "case_files",
    "case_files_registered",
)


def _corrupt(message: str) -> DataError:
    """The error for a part file that does not hold what a partition writes."""
    return DataError(f"corrupt part file: {message}", reason=Reason.CORRUPT_PART)


def _codes(column: pa.ChunkedArray | pa.Array, names: Sequence[str]) -> IntArray:
    """Position in ``names`` of each value (plain or dictionary-encoded strings)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    value_set = pa.array(list(names), pa.string())
    parts = []
    for chunk in chunks:
        if pa.types.is_dictionary(chunk.type):  # map the few values, then the indices
            lookup = _codes(chunk.dictionary, names)
            if chunk.null_count:
                raise _corrupt(f"missing value in {chunk.type} column")
            parts.append(lookup[chunk.indices.to_numpy(zero_copy_only=False)])
            continue
        found = pc.index_in(chunk, value_set=value_set)
        if found.null_count:
            raise _corrupt(f"unknown value in {column.type} column")
        parts.append(np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _rows(neighborhoods: NeighborhoodTable, ids: pa.ChunkedArray) -> IntArray:
    rows = neighborhoods.locate(np.asarray(ids.to_numpy(), dtype=np.int64))
    if np.any(rows < 0):
        raise _corrupt("unknown neighborhood_id in a part file")
    return rows


def reduce_demand(
    ruleset: RuleSet, neighborhoods: NeighborhoodTable, parts: Sequence[pa.Table]
) -> pa.Table:
    """The demand of all partitions, one row per (service, neighborhood, tier, agency) key."""
    table = pa.concat_tables([p.select(DEMAND_SCHEMA.names) for p in parts]) if parts else None
    if table is None or table.num_rows == 0:
        return DEMAND_SCHEMA.empty_table()
    ids = [s.id for s in ruleset.services]
    n_nb, n_ag = len(neighborhoods.ids), len(AGENCIES)
    service = _codes(table.column("service_id"), ids)
    agency = _codes(table.column("agency"), AGENCIES)
    tier = np.asarray(table.column("tier").to_numpy(), dtype=np.int64) - 1
    key = (service * n_nb + _rows(neighborhoods, table.column("neighborhood_id"))) * TIERS + tier
    key = key * n_ag + agency
    size = len(ids) * n_nb * TIERS * n_ag
    names = ("units", "households", "case_files")
    keys, (_, *found) = group_sums(key, [table.column(n).to_numpy() for n in names], size)
    sums = dict(zip(names, found, strict=True))
    rest, agency_of = np.divmod(keys, n_ag)
    rest, tier_of = np.divmod(rest, TIERS)
    service_of, nb_row = np.divmod(rest, n_nb)
    return pa.Table.from_arrays(
        [
            pa.array(neighborhoods.ids[nb_row].astype(np.int32), pa.int32()),
            strings(service_of, ids),
            pa.array((tier_of + 1).astype(np.int8), pa.int8()),
            strings(agency_of, AGENCIES),
            *(pa.array(sums[k], pa.int64()) for k in names),
        ],
        schema=DEMAND_SCHEMA,
    )


def reduce_casefiles(neighborhoods: NeighborhoodTable, parts: Sequence[pa.Table]) -> pa.Table:
    """Case files of all partitions, one row per (neighborhood, holding agency) key."""
    table = pa.concat_tables([p.select(CASEFILES_SCHEMA.names) for p in parts]) if parts else None
    if table is None or table.num_rows == 0:
        return CASEFILES_SCHEMA.empty_table()
    n_ag = len(AGENCIES)
    key = _rows(neighborhoods, table.column("neighborhood_id")) * n_ag
    key += _codes(table.column("agency"), AGENCIES)
    names = ("files", "registered")
    weights = [table.column(n).to_numpy() for n in names]
    keys, (_, files, registered) = group_sums(key, weights, len(neighborhoods.ids) * n_ag)
    nb_row, agency = np.divmod(keys, n_ag)
    return pa.Table.from_arrays(
        [
            pa.array(neighborhoods.ids[nb_row].astype(np.int32), pa.int32()),
            strings(agency, AGENCIES),
            pa.array(files, pa.int64()),
            pa.array(registered, pa.int64()),
        ],
        schema=CASEFILES_SCHEMA,
    )


def reduce_why_not(
    ruleset: RuleSet, neighborhoods: NeighborhoodTable, parts: Sequence[pa.Table]
) -> pa.Table:
    """Ineligible households per (neighborhood, service, failed condition), all partitions."""
    table = pa.concat_tables([p.select(WHY_NOT_SCHEMA.names) for p in parts]) if parts else None
    if table is None or table.num_rows == 0:
        return WHY_NOT_SCHEMA.empty_table()
    services = ruleset.services
    pairs = [f"{s.id}\0{c.id}" for s in services for c in s.conditions]
    service_of_pair = np.repeat(np.arange(len(services)), [len(s.conditions) for s in services])
    local_of_pair = np.concatenate([np.arange(len(s.conditions)) for s in services])
    pair = _pairs(table.column("service_id"), table.column("condition_id"), pairs)
    width = max(len(s.conditions) for s in services)
    n_nb = len(neighborhoods.ids)
    nb_row = _rows(neighborhoods, table.column("neighborhood_id"))
    key = (service_of_pair[pair] * n_nb + nb_row) * width + local_of_pair[pair]
    size = len(services) * n_nb * width
    keys, (_, counts) = group_sums(key, [table.column("households").to_numpy()], size)
    rest, local = np.divmod(keys, width)
    service, row = np.divmod(rest, n_nb)
    offsets = np.concatenate([[0], np.cumsum([len(s.conditions) for s in services])])
    condition_names = [c.id for s in services for c in s.conditions]
    return pa.Table.from_arrays(
        [
            pa.array(neighborhoods.ids[row].astype(np.int32), pa.int32()),
            strings(service, [s.id for s in services]),
            strings(offsets[service] + local, condition_names),
            pa.array(counts, pa.int64()),
        ],
        schema=WHY_NOT_SCHEMA,
    )


def _pairs(service: pa.ChunkedArray, condition: pa.ChunkedArray, pairs: list[str]) -> IntArray:
    """Position in ``pairs`` (``"service\0condition"``) of each row's pair of values."""
    plain = [
        c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in (service, condition)
    ]
    if all(pa.types.is_dictionary(c.type) for c in (service, condition)) and (
        service.num_chunks == condition.num_chunks
        and all(len(a) == len(b) for a, b in zip(service.chunks, condition.chunks, strict=True))
    ):
        parts = []
        for s_chunk, c_chunk in zip(service.chunks, condition.chunks, strict=True):
            s_values = s_chunk.dictionary.to_pylist()
            c_values = c_chunk.dictionary.to_pylist()
            index = {p: i for i, p in enumerate(pairs)}
            table = np.array(
                [[index.get(f"{a}\0{b}", -1) for b in c_values] for a in s_values], np.int64
            ).reshape(len(s_values), len(c_values))
            if s_chunk.null_count or c_chunk.null_count:
                raise _corrupt("missing value in a why-not part file")
            found = table[
                s_chunk.indices.to_numpy(zero_copy_only=False),
                c_chunk.indices.to_numpy(zero_copy_only=False),
            ]
            if np.any(found < 0):
                raise _corrupt("unknown (service, condition) in a why-not part file")
            parts.append(found)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return _codes(pc.binary_join_element_wise(*plain, "\0"), pairs)


def reduce_summaries(
    ruleset: RuleSet, neighborhoods: NeighborhoodTable, summaries: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The run's counts from its partition summaries (in partition order)."""
    total: dict[str, Any] = {name: sum(int(s.get(name, 0)) for s in summaries) for name in COUNTS}
    total["row_groups"] = len(summaries)
    reasons = {r: sum(int(s["rejected_by_reason"].get(r, 0)) for s in summaries) for r in REASONS}
    total["rejected_by_reason"] = {r: n for r, n in reasons.items() if r and n}
    provinces = neighborhoods.provinces
    province_index = {p: i for i, p in enumerate(provinces)}
    service_index = {s.id: i for i, s in enumerate(ruleset.services)}
    by_province: Array = np.zeros((len(ruleset.services), 3, len(provinces) * TIERS), np.int64)
    for s in summaries:
        for row in s["eligible"]:
            key = province_index[row["province"]] * TIERS + row["tier"] - 1
            i = service_index[row["service_id"]]
            for j, name in enumerate(("households", "units", "people")):
                by_province[i, j, key] += row[name]
    total["services"] = {
        s.id: {
            "eligible_households": int(by_province[i, 0].sum()),
            "units": int(by_province[i, 1].sum()),
        }
        for i, s in enumerate(ruleset.services)
    }
    total["eligible"] = eligible_rows(ruleset, provinces, by_province)
    return total
