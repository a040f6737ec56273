"""Sets and index arrays of the model (``docs/model.md``, section "Sets").

* ``N`` neighborhoods, ``S`` services, ``T`` tiers 1..4, ``A`` agencies, ``P`` provinces;
* ``R`` demand rows (n, s, t, a) with units > 0;
* ``G`` slot groups: (n, s) pairs whose slot capacity is below their demand;
* ``C`` spending cells: (province, agency) pairs with demand;
* ``K`` staff cells: (neighborhood, agency) pairs with case files (workers are the
  delivering agency's, whoever is the neighborhood's custodian);
* ``V`` value cells: (neighborhood, service, tier) triples of discretionary (not entitled)
  demand (or (neighborhood, service) pairs with ``value_by_tier`` off);
* ``Q`` counties and ``H`` centre slot groups (only with ``centres: {method: optimize}``):
  the counties whose centres are variables, and the (n, s) pairs with demand whose slots
  come from the county's centres.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> s = ModelSets.build(synthetic_demand(4, 3, seed=0), OptimizeParams())
    >>> s.n_groups, bool(s.tier1_need.sum() > 0)
    (0, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocator.errors import DataError
from allocator.optimize.centres import centre_plan, county_index, file_share
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
    centres: CentreSets | None = None  # centres: {method: optimize} only

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
            centres=CentreSets.build(
                demand, params.slots, case_files, group_key, demand_ns.astype(np.float64)
            )
            if params.slots.optimize_centres
            else None,
        )


def _empty_int() -> IntArray:
    return np.zeros(0, np.int64)


@dataclass(frozen=True, eq=False)
class CentreSets:
    """Counties ``Q`` whose centres are variables, and centre slot groups ``H``.

    A county's ``centres`` variable is in [0, ``county_max``] (the scenario's total; 0 in a
    county without case files, whose neighborhoods get no share of a centre), and its
    case-file quota ``county_quota`` is what apportionment would give it in fractions. Every
    (n, s) pair with demand of a service with slots per centre is a group h (any of them
    can bind: its county may get no centre); ``per_centre_h`` = slots per centre of s x n's
    share of its county's case files.

    Examples:
        >>> from allocator.optimize.demand import synthetic_demand
        >>> d = synthetic_demand(4, 2, seed=0)
        >>> slots = SlotParams(default_per_center=1.0, centers_total=2, centres_method="optimize")
        >>> c = ModelSets.build(d, OptimizeParams(slots=slots)).centres
        >>> c.total, c.n_counties, float(c.county_quota.sum()), c.n_groups > 0
        (2, 4, 2.0, True)
    """

    total: int
    county_p: IntArray  # province of every county
    county_quota: FloatArray  # total x the county's share of the case files
    county_max: FloatArray  # most centres of every county
    row_group: IntArray  # centre slot group of every demand row, -1 if none
    group_n: IntArray
    group_s: IntArray
    group_county: IntArray
    per_centre: FloatArray  # slots of (n, s) per centre of n's county
    neighborhood_county: IntArray = field(default_factory=_empty_int)

    @property
    def n_counties(self) -> int:
        return int(self.county_p.size)

    @property
    def n_groups(self) -> int:
        return int(self.group_n.size)

    @classmethod
    def build(
        cls,
        demand: Demand,
        slots: SlotParams,
        case_files: FloatArray,
        group_key: IntArray,
        demand_ns: FloatArray,
    ) -> CentreSets:
        """From the demand, its case files, and the (n, s) key and demand of every row."""
        total = round(slots.centers_total or 0.0)
        provinces = np.asarray(demand.provinces, dtype=object)[demand.province]
        names, of_county = county_index(provinces, demand.county)
        n_c = len(names)
        files = np.bincount(of_county, weights=case_files, minlength=n_c)
        quota = total * files / files.sum() if files.sum() > 0 else np.zeros(n_c)
        county_max = np.where(files > 0, float(total), 0.0)
        county_p = np.zeros(n_c, np.int64)
        county_p[of_county] = demand.province
        per_centre_s = per_centre_slots(demand, slots)
        n_s = demand.n_services
        pair_n, pair_s = np.divmod(np.arange(demand.n_neighborhoods * n_s), n_s)
        per_centre = file_share(case_files, of_county)[pair_n] * per_centre_s[pair_s]
        (groups,) = np.nonzero(np.isfinite(per_centre_s[pair_s]) & (demand_ns > 0))
        group_of_key = np.full(pair_n.size, -1, dtype=np.int64)
        group_of_key[groups] = np.arange(groups.size)
        return cls(
            total=int(total),
            county_p=county_p,
            county_quota=quota.astype(np.float64),
            county_max=county_max.astype(np.float64),
            row_group=group_of_key[group_key],
            group_n=pair_n[groups],
            group_s=pair_s[groups],
            group_county=of_county[pair_n[groups]],
            per_centre=per_centre[groups].astype(np.float64),
            neighborhood_county=of_county,
        )


def per_centre_slots(demand: Demand, slots: SlotParams) -> FloatArray:
    """Slots per centre of every service (``inf``: not limited by centres).

    Examples:
        >>> from allocator.optimize.demand import synthetic_demand
        >>> d = synthetic_demand(2, 2, seed=0)
        >>> per_centre_slots(d, SlotParams(per_center={d.service_ids[1]: 5.0})).tolist()
        [inf, 5.0]
    """
    per_center = np.full(demand.n_services, np.inf if slots.default_per_center is None else 0.0)
    if slots.default_per_center is not None:
        per_center[:] = float(slots.default_per_center)
    for sid, value in slots.per_center.items():
        per_center[demand.service_ids.index(sid)] = float(value)
    return per_center


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
    if slots.optimize_centres:  # the centres are variables: CentreSets and centre_slots rows
        return cap
    if slots.centers_per_neighborhood is not None:
        centers = np.full(n_n, float(slots.centers_per_neighborhood))
    elif slots.centres_method == "apportion":  # whole centres per county (centres.py)
        centers = centre_plan(demand, slots, case_files).equivalents
    else:
        total = float(slots.centers_total or 0.0)
        share = case_files / case_files.sum() if case_files.sum() > 0 else np.full(n_n, 1 / n_n)
        centers = total * share
    per_center = per_centre_slots(demand, slots)
    by_center = centers[:, None] * per_center[None, :]
    limited = np.where(np.isfinite(per_center)[None, :], by_center, np.inf)
    out: FloatArray = np.minimum(cap, limited).astype(np.float64)
    return out
