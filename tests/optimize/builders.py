"""Builders of test demand and parameters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyarrow as pa

from allocator.optimize import Demand, OptimizeParams, SlotParams


def hand_demand(rows: list[tuple[str, int, int, int]], costs: dict[str, float]) -> Demand:
    """One neighborhood (Tehran, relief committee); rows are (service, tier, units, files)."""
    demand = pa.table(
        {
            "neighborhood_id": pa.array([1] * len(rows), pa.int32()),
            "service_id": [r[0] for r in rows],
            "tier": pa.array([r[1] for r in rows], pa.int8()),
            "agency": ["relief_committee"] * len(rows),
            "units": pa.array([r[2] for r in rows], pa.int64()),
            "households": pa.array([r[2] for r in rows], pa.int64()),
            "case_files": pa.array([r[3] for r in rows], pa.int64()),
        }
    )
    neighborhoods = pa.table(
        {
            "neighborhood_id": pa.array([1], pa.int32()),
            "province": ["Tehran"],
            "custodian": ["relief_committee"],
            "population": pa.array([1000], pa.int64()),
        }
    )
    services = pa.table(
        {
            "service_id": list(costs),
            "name": list(costs),
            "entity": ["household"] * len(costs),
            "agency": ["relief_committee"] * len(costs),
            "unit_cost": np.array(list(costs.values()), dtype=np.float64),
            "opens_case_file": [True] * len(costs),
        }
    )
    return Demand.from_tables(demand, neighborhoods, services)


def scaled_params(n: int, **changes: object) -> OptimizeParams:
    """Resources of scenarios/national-2020.yaml scaled to ``n`` neighborhoods."""
    k = n / 2020
    base = OptimizeParams(
        workers_agency={
            "relief_committee": round(7000 * k),
            "welfare_organization": round(3600 * k),
            "imam_order": round(2500 * k),
            "red_crescent": round(1000 * k),
        },
        workers_province={"Tehran": round(2000 * k)},
        slots=SlotParams(
            centers_total=2800 * k, per_center={"home_visit": 2500, "counseling": 1500}
        ),
        budget_total=20e12 * k,
        budget_agency={"relief_committee": 9e12 * k, "imam_order": 4.5e12 * k},
        quota_band=0.2,
        floor_tier1=0.1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def two_neighborhoods(
    rows: list[tuple[int, str, int, int, int]], costs: dict[str, float]
) -> Demand:
    """Neighborhoods 1 and 2 (Tehran, Fars); rows are (neighborhood, service, tier, units,
    case files), all delivered by the relief committee."""
    demand = pa.table(
        {
            "neighborhood_id": pa.array([r[0] for r in rows], pa.int32()),
            "service_id": [r[1] for r in rows],
            "tier": pa.array([r[2] for r in rows], pa.int8()),
            "agency": ["relief_committee"] * len(rows),
            "units": pa.array([r[3] for r in rows], pa.int64()),
            "households": pa.array([r[3] for r in rows], pa.int64()),
            "case_files": pa.array([r[4] for r in rows], pa.int64()),
        }
    )
    neighborhoods = pa.table(
        {
            "neighborhood_id": pa.array([1, 2], pa.int32()),
            "province": ["Tehran", "Fars"],
            "custodian": ["relief_committee", "imam_order"],
            "population": pa.array([1000, 1000], pa.int64()),
        }
    )
    services = pa.table(
        {
            "service_id": list(costs),
            "name": list(costs),
            "entity": ["household"] * len(costs),
            "agency": ["relief_committee"] * len(costs),
            "unit_cost": np.array(list(costs.values()), dtype=np.float64),
            "opens_case_file": [True] * len(costs),
        }
    )
    return Demand.from_tables(demand, neighborhoods, services)
