"""Sets and index arrays of the model (``docs/model.md``, section "Sets").

* ``N`` neighborhoods, ``S`` services, ``T`` tiers 1..4, ``A`` agencies, ``P`` provinces;
* ``R`` demand rows (n, s, t, a) with units > 0;
* ``G`` slot groups: (n, s) pairs whose slot capacity is below their demand;
* ``C`` spending cells: (province, agency) pairs with demand;
* ``K`` staff cells: (neighborhood, agency) pairs with case files (workers are the
  delivering agency's, whoever is the neighborhood's custodian);
* ``V`` value cells: (neighborhood, service, tier) triples of discretionary (not entitled)
  demand (or (neighborhood, service) pairs with ``value_by_tier`` off).

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> s = ModelSets.build(synthetic_demand(4, 3, seed=0), OptimizeParams())
    >>> s.n_groups, bool(s.tier1_need.sum() > 0)
    (0, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.errors import DataError
from allocator.optimize.centres import centre_plan
from allocator.optimize.demand import Demand
from allocator.optimize.outcomes import outcome_values
from allocator.optimize.params import OptimizeParams, SlotParams
from allocator.types import BoolArray, FloatArray, IntArray

MILLION = 1e6  # the model counts money in million toman (well-scaled coefficients)


@dataclass(frozen=True, eq=False)
class ModelSets:
    """Index arrays derived once from the demand and the parameters."""

    n_neighborhoods: int
    n_provinces: int
    n_agencies: int
    row_n: IntArray
    row_s: IntArray
    row_t: IntArray
    row_a: IntArray
    row_p: IntArray
    units: FloatArray
    row_weight: FloatArray  # tier weight of every row
    row_cost: FloatArray  # million toman per unit
    row_cf: FloatArray  # case files per unit served
    case_files: FloatArray  # case files by neighborhood, one per household (Demand.casefiles)
    custodian: IntArray
    province: IntArray
    tier1_need: FloatArray  # tier-1 units by neighborhood
    row_group: IntArray  # slot group of every row, -1 if not slot-limited
    group_n: IntArray
    group_s: IntArray
    group_cap: FloatArray
    row_cell: IntArray  # spending cell of every row
    cell_p: IntArray
    cell_a: IntArray
    province_share: FloatArray  # share of eligible case files, by province
    row_entitled: BoolArray  # the row is entitled demand (served in full)
    row_staff: IntArray  # staff cell of every row, -1 without case files
    staff_n: IntArray
    staff_a: IntArray
    staff_cf: FloatArray  # eligible case files of every staff cell
    w_max: FloatArray  # workers a staff cell can use: ceil(case files / caseload)
    row_value: IntArray  # value cell of every row, -1 for entitled rows
    value_n: IntArray
    value_s: IntArray
    value_q: FloatArray  # tier-weighted demand of every value cell: sum of weight x units
    service_value: FloatArray  # outcome points per unit, by service

    @property
    def n_staff(self) -> int:
        return int(self.staff_n.size)

    @property
    def n_values(self) -> int:
        return int(self.value_n.size)

    @property
    def n_rows(self) -> int:
        return int(self.units.size)

    @property
    def n_groups(self) -> int:
        return int(self.group_n.size)

    @property
    def n_cells(self) -> int:
        return int(self.cell_p.size)

    @classmethod
    def build(cls, demand: Demand, params: OptimizeParams) -> ModelSets:
        n_n, n_p, n_a = demand.n_neighborhoods, len(demand.provinces), len(demand.agencies)
        rn, rs, rt, ra = (
            demand.row_neighborhood,
            demand.row_service,
            demand.row_tier,
            demand.row_agency,
        )
        rp = demand.province[rn]
        units = demand.units
        weights = np.asarray(params.tier_weights, dtype=np.float64)
        case_files = demand.neighborhood_case_files()  # one file per household (casefiles.py)
        tier1 = np.bincount(rn, np.where(rt == 1, units, 0.0), minlength=n_n).astype(np.float64)
        cap = slot_capacity(demand, params.slots, case_files)
        group_key = rn * demand.n_services + rs
        demand_ns = np.bincount(group_key, weights=units, minlength=n_n * demand.n_services)
        limited = np.isfinite(cap.ravel()) & (cap.ravel() < demand_ns - 1e-9)
        (groups,) = np.nonzero(limited)
        group_of_key = np.full(n_n * demand.n_services, -1, dtype=np.int64)
        group_of_key[groups] = np.arange(groups.size)
        cell_key = rp * n_a + ra
        cells, row_cell = np.unique(cell_key, return_inverse=True)
        cf_by_p = np.bincount(demand.province, weights=case_files, minlength=n_p)
        total_cf = cf_by_p.sum()
        area, rep = staff_areas(demand, params.staff_level)
        row_cf = demand.row_case_files()  # one file per household, shared over its rows
        staff_key = np.where(row_cf > 0, area[rn] * n_a + ra, -1)
        staff, row_staff = _cells(staff_key)
        staff_cf = np.bincount(row_staff[row_staff >= 0], row_cf[row_staff >= 0],
                               minlength=staff.size)  # fmt: skip
        entitled = demand.service_entitled[rs]
        tiers = 4 if params.value_by_tier else 1  # value cells per (n, s, tier) or (n, s)
        tier_part = (rt - 1) if params.value_by_tier else np.zeros_like(rt)
        value_key = np.where(entitled, -1, (rn * demand.n_services + rs) * tiers + tier_part)
        values, row_value = _cells(value_key)
        row_weight = weights[rt - 1]
        value_q = np.bincount(row_value[row_value >= 0], (row_weight * units)[row_value >= 0],
                              minlength=values.size)  # fmt: skip
        return cls(
            n_neighborhoods=n_n,
            n_provinces=n_p,
            n_agencies=n_a,
            row_n=rn,
            row_s=rs,
            row_t=rt,
            row_a=ra,
            row_p=rp,
            units=units,
            row_weight=row_weight,
            row_cost=demand.unit_cost[rs] / MILLION,
            row_cf=row_cf / units,
            case_files=case_files,
            custodian=demand.custodian,
            province=demand.province,
            tier1_need=tier1,
            row_group=group_of_key[group_key],
            group_n=groups // demand.n_services,
            group_s=groups % demand.n_services,
            group_cap=cap.ravel()[groups],
            row_cell=row_cell.astype(np.int64),
            cell_p=cells // n_a,
            cell_a=cells % n_a,
            province_share=cf_by_p / total_cf if total_cf > 0 else np.zeros(n_p),
            row_entitled=entitled,
            row_staff=row_staff,
            staff_n=rep[staff // n_a],
            staff_a=staff % n_a,
            staff_cf=staff_cf.astype(np.float64),
            w_max=np.ceil(staff_cf / params.caseload - 1e-9),
            row_value=row_value,
            value_n=values // (demand.n_services * tiers),
            value_s=(values // tiers) % demand.n_services,
            value_q=value_q.astype(np.float64),
            service_value=outcome_values(demand.service_ids, params.outcome_values),
        )


def staff_areas(demand: Demand, level: str) -> tuple[IntArray, IntArray]:
    """The area of every neighborhood at a staffing level, and one neighborhood per area.

    Workers are counted per (area, agency): per neighborhood, or pooled per county or
    province (a worker carries files of several neighborhoods, as at a +Zendegi centre).

    Examples:
        >>> from allocator.optimize.demand import synthetic_demand
        >>> area, rep = staff_areas(synthetic_demand(3, 2, 0), "neighborhood")
        >>> area.tolist(), rep.tolist()
        ([0, 1, 2], [0, 1, 2])
    """
    n = demand.n_neighborhoods
    if level == "neighborhood":
        area = np.arange(n, dtype=np.int64)
    elif level == "province":
        area = demand.province.astype(np.int64)
    else:
        keys = np.array([f"{p}/{c}" for p, c in zip(demand.province, demand.county, strict=True)])
        _, inverse = np.unique(keys, return_inverse=True)
        area = inverse.astype(np.int64)
    rep = np.zeros(int(area.max()) + 1 if n else 0, dtype=np.int64)
    rep[area[::-1]] = np.arange(n, dtype=np.int64)[::-1]
    return area, rep


def _cells(key: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct non-negative keys and the position of every key among them (-1 if < 0).

    Examples:
        >>> [a.tolist() for a in _cells(np.array([5, -1, 2, 5]))]
        [[2, 5], [1, -1, 0, 1]]
    """
    live = key >= 0
    cells, inverse = np.unique(key[live], return_inverse=True)
    pos = np.full(key.size, -1, dtype=np.int64)
    pos[live] = inverse
    return cells.astype(np.int64), pos


def slot_capacity(demand: Demand, slots: SlotParams, case_files: FloatArray) -> FloatArray:
    """Slot capacity per (neighborhood, service), ``inf`` where not limited.

    Examples:
        >>> from allocator.optimize.demand import synthetic_demand
        >>> d = synthetic_demand(2, 2, seed=0)
        >>> slot_capacity(d, SlotParams(per_neighborhood={"food_package": 10}), np.ones(2))
        array([[inf, 10.],
               [inf, 10.]])
    """
    n_n, n_s = demand.n_neighborhoods, demand.n_services
    cap = np.full((n_n, n_s), np.inf)
    known = set(demand.service_ids)
    for sid in list(slots.per_neighborhood) + list(slots.per_center):
        if sid not in known:
            raise DataError(f"slot capacity for unknown service {sid!r}", "services", "service_id")
    for sid, value in slots.per_neighborhood.items():
        cap[:, demand.service_ids.index(sid)] = float(value)
    if slots.centers_per_neighborhood is None and slots.centers_total is None:
        return cap
    if slots.centers_per_neighborhood is not None:
        centers = np.full(n_n, float(slots.centers_per_neighborhood))
    elif slots.centres_method == "apportion":  # whole centres per county (centres.py)
        centers = centre_plan(demand, slots, case_files).equivalents
    else:
        total = float(slots.centers_total or 0.0)
        share = case_files / case_files.sum() if case_files.sum() > 0 else np.full(n_n, 1 / n_n)
        centers = total * share
    per_center = np.full(n_s, np.inf if slots.default_per_center is None else 0.0)
    if slots.default_per_center is not None:
        per_center[:] = float(slots.default_per_center)
    for sid, value in slots.per_center.items():
        per_center[demand.service_ids.index(sid)] = float(value)
    by_center = centers[:, None] * per_center[None, :]
    limited = np.where(np.isfinite(per_center)[None, :], by_center, np.inf)
    out: FloatArray = np.minimum(cap, limited).astype(np.float64)
    return out
