"""Running totals over row groups: demand, why-not counts, eligibility by province.

Every total is a dense ``np.bincount`` over a composite key, added batch after batch:

- demand per (neighborhood, service, tier, agency): units, households, case files (the
  households counted when the service opens a case file);
- why-not per (service, failed condition): ineligible households;
- per (province, service, tier): eligible households, units and people (their members).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from allocator.api.ruleset import RuleSet
from allocator.backends.vector.result import BatchResult
from allocator.domain.enums import ENUM_TYPES
from allocator.types import IntArray

from .neighborhoods import NeighborhoodTable
from .prepare import REASONS, Prepared

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
    [("service_id", pa.string()), ("condition_id", pa.string()), ("households", pa.int64())]
)


class Totals:
    """Totals of a classification run (see the module docstring)."""

    def __init__(self, ruleset: RuleSet, neighborhoods: NeighborhoodTable) -> None:
        self.ruleset = ruleset
        self.neighborhoods = neighborhoods
        n_services = len(ruleset.services)
        self.demand_size = len(neighborhoods.ids) * TIERS * len(AGENCIES)
        self.demand = np.zeros((n_services, 3, self.demand_size), dtype=np.int64)
        self.why_not = [np.zeros(len(s.conditions), dtype=np.int64) for s in ruleset.services]
        self.province_size = len(neighborhoods.provinces) * TIERS
        self.by_province = np.zeros((n_services, 3, self.province_size), dtype=np.int64)
        self.reasons = np.zeros(len(REASONS), dtype=np.int64)
        self.read = self.classified = self.members = self.case_files = self.row_groups = 0

    def add(self, prepared: Prepared, result: BatchResult) -> None:
        """Add one row group's rejects and decisions."""
        self.row_groups += 1
        self.read += prepared.read
        self.classified += result.n_households
        self.members += int(result.sizes.sum())
        self.case_files += int(np.count_nonzero(result.case_file))
        self.reasons += np.bincount(prepared.rejected_reasons, minlength=len(REASONS))
        nb_row = prepared.neighborhood_row
        province = self.neighborhoods.province[nb_row]
        for i, service in enumerate(self.ruleset.services):
            r = result.services[service.id]
            rows = np.flatnonzero(r.eligible)
            tier = r.tier[rows].astype(np.int64) - 1
            key = (nb_row[rows] * TIERS + tier) * len(AGENCIES) + r.agency[rows]
            units = r.units[rows].astype(np.float64)
            households = np.bincount(key, minlength=self.demand_size)
            self.demand[i, 0] += _counts(key, units, self.demand_size)
            self.demand[i, 1] += households
            if service.opens_case_file:
                self.demand[i, 2] += households
            pkey = province[rows] * TIERS + tier
            self.by_province[i, 0] += np.bincount(pkey, minlength=self.province_size)
            self.by_province[i, 1] += _counts(pkey, units, self.province_size)
            people = result.sizes[rows].astype(np.float64)
            self.by_province[i, 2] += _counts(pkey, people, self.province_size)
            failed = r.failed[~r.eligible]
            self.why_not[i] += np.bincount(failed[failed >= 0], minlength=len(service.conditions))

    @property
    def rejected_households(self) -> int:
        return int(self.reasons[1:-1].sum())

    def demand_table(self) -> pa.Table:
        """Demand rows with at least one household, in key order."""
        columns: dict[str, list[Any]] = {name: [] for name in DEMAND_SCHEMA.names}
        for i, service in enumerate(self.ruleset.services):
            keys = np.flatnonzero(self.demand[i, 1])
            agency = keys % len(AGENCIES)
            tier = (keys // len(AGENCIES)) % TIERS + 1
            nb = keys // (len(AGENCIES) * TIERS)
            columns["neighborhood_id"] += self.neighborhoods.ids[nb].tolist()
            columns["service_id"] += [service.id] * len(keys)
            columns["tier"] += tier.tolist()
            columns["agency"] += [AGENCIES[a] for a in agency]
            for j, name in enumerate(("units", "households", "case_files")):
                columns[name] += self.demand[i, j, keys].tolist()
        return pa.table(columns, schema=DEMAND_SCHEMA)

    def why_not_table(self) -> pa.Table:
        """Ineligible households per (service, failed condition), non-zero counts only."""
        rows: dict[str, list[Any]] = {name: [] for name in WHY_NOT_SCHEMA.names}
        for service, counts in zip(self.ruleset.services, self.why_not, strict=True):
            for condition, count in zip(service.conditions, counts.tolist(), strict=True):
                if count:
                    rows["service_id"].append(service.id)
                    rows["condition_id"].append(condition.id)
                    rows["households"].append(count)
        return pa.table(rows, schema=WHY_NOT_SCHEMA)

    def summary(self) -> dict[str, Any]:
        """Counts for ``summary.json``: read = classified + rejected, and eligibility."""
        eligible = []
        for i, service in enumerate(self.ruleset.services):
            for key in np.flatnonzero(self.by_province[i, 0]).tolist():
                eligible.append(
                    {
                        "province": self.neighborhoods.provinces[key // TIERS],
                        "service_id": service.id,
                        "tier": key % TIERS + 1,
                        "households": int(self.by_province[i, 0, key]),
                        "units": int(self.by_province[i, 1, key]),
                        "people": int(self.by_province[i, 2, key]),
                    }
                )
        services = {
            s.id: {
                "eligible_households": int(self.by_province[i, 0].sum()),
                "units": int(self.by_province[i, 1].sum()),
            }
            for i, s in enumerate(self.ruleset.services)
        }
        return {
            "households_read": self.read,
            "households_classified": self.classified,
            "households_rejected": self.rejected_households,
            "orphan_member_rows": int(self.reasons[-1]),
            "members_classified": self.members,
            "row_groups": self.row_groups,
            "rejected_by_reason": {
                REASONS[code]: int(n) for code, n in enumerate(self.reasons.tolist()) if code and n
            },
            "case_files": self.case_files,
            "services": services,
            "eligible": eligible,
        }


def _counts(key: IntArray, weights: Any, size: int) -> IntArray:
    """Sum of ``weights`` per key, as exact integers (the weights are small integers)."""
    return np.rint(np.bincount(key, weights=weights, minlength=size)).astype(np.int64)
