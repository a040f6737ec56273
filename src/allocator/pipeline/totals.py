"""The totals of one partition (row group): demand, why-not counts, eligibility by province.

Every total is an ``np.bincount`` over a composite key of the eligible (or ineligible) rows:

- demand per (neighborhood, service, tier, agency): units, households, case files (the
  households counted when the service opens a case file);
- why-not per (neighborhood, service, failed condition): ineligible households;
- per (province, service, tier): eligible households, units and people (their members).

Demand and why-not become small tables (non-zero keys only, in key order); the rest goes into
the partition's summary. :mod:`.reduce` adds partitions up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from allocator.api.ruleset import RuleSet
from allocator.backends.result import BatchResult
from allocator.domain.enums import ENUM_TYPES
from allocator.types import Array, IntArray

from .casefiles import count_case_files, holding_agency, part_table
from .neighborhoods import NeighborhoodTable
from .prepare import ORPHAN, REASONS, Prepared

AGENCIES = ENUM_TYPES["agency"]
TIERS = 4

DEMAND_SCHEMA = pa.schema(
    [
        ("neighborhood_id", pa.int32()),
        ("service_id", pa.string()),
        ("tier", pa.int8()),
        ("agency", pa.string()),
        ("units", pa.int64()),
        ("households", pa.int64()),
        ("case_files", pa.int64()),
    ]
)

WHY_NOT_SCHEMA = pa.schema(
    [
        ("neighborhood_id", pa.int32()),
        ("service_id", pa.string()),
        ("condition_id", pa.string()),
        ("households", pa.int64()),
    ]
)


def _coded(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its string columns as dictionaries (see :func:`labels`)."""
    coded = pa.dictionary(pa.int16(), pa.string())
    return pa.schema([pa.field(f.name, coded) if f.type == pa.string() else f for f in schema])


#: Part files store the low-cardinality strings as dictionaries.
PART_DEMAND_SCHEMA = _coded(DEMAND_SCHEMA)
PART_WHY_NOT_SCHEMA = _coded(WHY_NOT_SCHEMA)


def strings(codes: Array, names: list[str] | tuple[str, ...]) -> pa.Array:
    """Plain strings ``names[code]`` built without a Python loop over the rows.

    Examples:
        >>> strings(np.array([1, 0, 1]), ("a", "b")).to_pylist()
        ['b', 'a', 'b']
    """
    dictionary = pa.array(list(names), pa.string())
    indices = pa.array(np.asarray(codes, dtype=np.int32), pa.int32())
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())


def labels(codes: Array, names: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
    """``names[code]`` as a dictionary array (what part files store: one byte per row).

    Examples:
        >>> labels(np.array([1, 0, 1]), ("a", "b")).to_pylist()
        ['b', 'a', 'b']
    """
    indices = pa.array(np.asarray(codes, dtype=np.int16), pa.int16())
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string()))


def group_sums(key: IntArray, weights: list[Array], size: int) -> tuple[IntArray, list[IntArray]]:
    """The keys present (ascending) with their row counts and the sums of each weight.

    Dense (``np.bincount`` over ``size`` slots) when keys are many, sorted otherwise; both
    give the same answer. Weights are small integers, summed exactly.

    Examples:
        >>> keys, (n, w) = group_sums(np.array([5, 2, 5]), [np.array([1, 2, 3])], 10)
        >>> keys.tolist(), n.tolist(), w.tolist()
        ([2, 5], [1, 2], [2, 4])
    """
    if len(key) * 2 >= size:  # dense only when most slots are used: big arrays fault in
        counts = np.bincount(key, minlength=size)
        keys = np.flatnonzero(counts)
        sums = [_counts(key, w, size)[keys] for w in weights]
        return keys, [counts[keys], *sums]
    keys, inverse = np.unique(key, return_inverse=True)
    n = len(keys)
    sums = [_counts(inverse, w, n) for w in weights]
    return keys, [np.bincount(inverse, minlength=n), *sums]


def _counts(key: IntArray, weights: Array, size: int) -> IntArray:
    """Sum of small integer ``weights`` per key, exactly (float sums of integers < 2^53)."""
    return np.rint(np.bincount(key, weights=weights, minlength=size)).astype(np.int64)


class _Counted:
    """Totals an engine counted while deciding (``BatchResult.why_not`` and ``.demand``),
    read service by service; rows of neighborhood ids the partition lacks stay zero."""

    def __init__(self, result: BatchResult, neighborhoods: NeighborhoodTable) -> None:
        assert result.why_not is not None and result.demand is not None
        lo, self.why = result.why_not
        self.demand = result.demand[1]
        self.rows = neighborhoods.locate(np.arange(lo, lo + len(self.why), dtype=np.int64))
        self.start = 0

    def why_not(self, k: int) -> tuple[IntArray, IntArray]:
        """Keys (neighborhood row * k + failed condition) and counts of the next service."""
        block = self.why[:, self.start + 1 : self.start + k + 1]  # drop "nothing failed"
        self.start += k + 1
        flat = np.ascontiguousarray(block).ravel()
        found = np.flatnonzero(flat)
        keys = self.rows[found // k] * k + found % k
        return keys, flat[found].astype(np.int64)

    def eligible(self, i: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Demand keys of service ``i`` with its households, units and people."""
        cells = self.demand[:, i].reshape(-1, 3)
        found = np.flatnonzero(cells[:, 1])
        width = TIERS * len(AGENCIES)
        keys = self.rows[found // width] * width + found % width
        values = cells[found].astype(np.int64)
        return keys, values[:, 1], values[:, 0], values[:, 2]


class PartitionTotals:
    """Totals of one partition (see the module docstring)."""

    def __init__(
        self,
        ruleset: RuleSet,
        neighborhoods: NeighborhoodTable,
        prepared: Prepared,
        result: BatchResult,
    ) -> None:
        self.ruleset = ruleset
        self.neighborhoods = neighborhoods
        nb_row = prepared.neighborhood_row
        if result.order is not None:
            nb_row = nb_row[result.order]
        nb_row = nb_row.astype(np.int64, copy=False)
        self._demand: list[tuple[int, IntArray, IntArray]] = []
        self._why_not: list[tuple[int, IntArray, IntArray]] = []
        n_provinces = len(neighborhoods.provinces)
        self.by_province = np.zeros((len(ruleset.services), 3, n_provinces * TIERS), np.int64)
        n_nb = len(neighborhoods.ids)
        n_ag = len(AGENCIES)
        # Demand keys count from the partition's lowest neighborhood row: a row group holds a
        # few neighborhoods, so the dense sums stay small.
        lo = int(nb_row.min()) if len(nb_row) else 0
        local_row = nb_row - lo
        demand_size = (int(local_row.max()) + 1 if len(nb_row) else 1) * TIERS * n_ag
        sizes = result.sizes.astype(np.float64)
        # why-not key: neighborhood row * (k + 1) + (failed + 1), one bincount over all rows.
        why_base: dict[int, IntArray] = {}
        counted = None
        if result.why_not is not None and result.demand is not None:
            counted = _Counted(result, neighborhoods)  # the engine counted while deciding
        for i, service in enumerate(ruleset.services):
            r = result.services[service.id]
            k = len(service.conditions)
            if counted is not None:
                keys, households, unit_sums, people = counted.eligible(i)
                self._why_not.append((i, *counted.why_not(k)))
            else:
                tier = r.tier_at.astype(np.int64) - 1
                key = (local_row[r.rows] * TIERS + tier) * n_ag + r.agency_at
                units = r.units_at.astype(np.float64)
                keys, (households, unit_sums, people) = group_sums(
                    key, [units, sizes[r.rows]], demand_size
                )
                keys += lo * TIERS * n_ag
                base = why_base.get(k)
                if base is None:
                    base = why_base[k] = nb_row * (k + 1) + 1
                counts = np.bincount(base + r.failed, minlength=n_nb * (k + 1))
                counts = counts.reshape(n_nb, k + 1)[:, 1:].ravel()  # drop "nothing failed"
                wkeys = np.flatnonzero(counts)
                self._why_not.append((i, wkeys, counts[wkeys]))
            self._demand.append((i, keys, np.stack([unit_sums, households])))
            # Eligibility per (province, tier), from the few demand keys of the partition.
            pkey = neighborhoods.province[keys // (TIERS * n_ag)] * TIERS + (keys // n_ag) % TIERS
            for j, weights in enumerate((households, unit_sums, people)):
                self.by_province[i, j] = _counts(pkey, weights, n_provinces * TIERS)
        self.read = prepared.read
        self.classified = result.n_households
        self.members = int(result.sizes.sum())
        self.case_files = int(np.count_nonzero(result.case_file))
        existing = prepared.batch.household["case_agency"]
        if result.order is not None:
            existing = existing[result.order]
        holder, registered = holding_agency(result.case_file, result.case_file_agency, existing)
        self.registered = int(np.count_nonzero(registered))
        self._case_files = count_case_files(nb_row, holder, registered)
        self.reasons = np.bincount(prepared.rejected_reasons, minlength=len(REASONS))

    def demand_table(self) -> pa.Table:
        """Demand rows with at least one household: service by service, in key order."""
        n_agencies = len(AGENCIES)
        cols: dict[str, list[Array]] = {name: [] for name in DEMAND_SCHEMA.names}
        for i, keys, values in self._demand:
            cols["neighborhood_id"].append(self.neighborhoods.ids[keys // (n_agencies * TIERS)])
            cols["service_id"].append(np.full(len(keys), i))
            cols["tier"].append((keys // n_agencies) % TIERS + 1)
            cols["agency"].append(keys % n_agencies)
            cols["units"].append(values[0])
            cols["households"].append(values[1])
            opens = self.ruleset.services[i].opens_case_file
            cols["case_files"].append(values[1] if opens else np.zeros(len(keys), np.int64))
        joined = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in cols.items()}
        ids = [s.id for s in self.ruleset.services]
        return pa.Table.from_arrays(
            [
                pa.array(joined["neighborhood_id"].astype(np.int32), pa.int32()),
                labels(joined["service_id"], ids),
                pa.array(joined["tier"].astype(np.int8), pa.int8()),
                labels(joined["agency"], AGENCIES),
                *(pa.array(joined[k], pa.int64()) for k in ("units", "households", "case_files")),
            ],
            schema=PART_DEMAND_SCHEMA,
        )

    def casefiles_table(self) -> pa.Table:
        """Case files (one per household) per (neighborhood, holding agency), non-zero only."""
        return part_table(self.neighborhoods.ids, *self._case_files)

    def why_not_table(self) -> pa.Table:
        """Ineligible households per (neighborhood, service, failed condition), non-zero only."""
        services = self.ruleset.services
        # Condition ids repeat across services: code each id once (a dictionary of unique
        # values keeps the file's bytes the same in every process).
        names = list(dict.fromkeys(c.id for s in services for c in s.conditions))
        code = {name: i for i, name in enumerate(names)}
        local_code = [np.array([code[c.id] for c in s.conditions], np.int64) for s in services]
        nb: list[Array] = []
        service: list[Array] = []
        condition: list[Array] = []
        households: list[Array] = []
        for i, keys, counts in self._why_not:
            k = len(services[i].conditions)
            nb.append(self.neighborhoods.ids[keys // k])
            service.append(np.full(len(keys), i))
            condition.append(local_code[i][keys % k])
            households.append(counts)
        return pa.Table.from_arrays(
            [
                pa.array(np.concatenate(nb).astype(np.int32), pa.int32()),
                labels(np.concatenate(service), [s.id for s in services]),
                labels(np.concatenate(condition), names),
                pa.array(np.concatenate(households), pa.int64()),
            ],
            schema=PART_WHY_NOT_SCHEMA,
        )

    def summary(self) -> dict[str, Any]:
        """Counts of the partition (JSON-ready): read = classified + rejected, eligibility."""
        return {
            "households_read": self.read,
            "households_classified": self.classified,
            "households_rejected": int(self.reasons[1:ORPHAN].sum()),
            "orphan_member_rows": int(self.reasons[ORPHAN]),
            "members_classified": self.members,
            "case_files": self.case_files,
            "case_files_registered": self.registered,
            "rejected_by_reason": {
                REASONS[code]: int(n) for code, n in enumerate(self.reasons.tolist()) if code and n
            },
            "eligible": eligible_rows(self.ruleset, self.neighborhoods.provinces, self.by_province),
        }


def eligible_rows(
    ruleset: RuleSet, provinces: tuple[str, ...], by_province: Array
) -> list[dict[str, Any]]:
    """Rows of eligible households, units and people per (service, province, tier)."""
    found = []
    for i, service in enumerate(ruleset.services):
        for key in np.flatnonzero(by_province[i, 0]).tolist():
            found.append(
                {
                    "service_id": service.id,
                    "province": provinces[key // TIERS],
                    "tier": key % TIERS + 1,
                    "households": int(by_province[i, 0, key]),
                    "units": int(by_province[i, 1, key]),
                    "people": int(by_province[i, 2, key]),
                }
            )
    return found
