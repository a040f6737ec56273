"""Centres as entities: whole centres per county, following its case files (seed 001).

Seed 001: "the number of centres in each city follows the number of Behzisti case files
there"; a centre offers its services to its neighborhood and to "satellite" villages within
its radius. The model (``centres: {method: apportion}`` in a scenario):

1. **Centres per county.** The scenario's ``total`` centres are split over the counties in
   proportion to their case files (one per household, :mod:`.casefiles`, the agencies the
   scenario keeps) by the largest-remainder method (:func:`allocator.data.apportion`):
   whole centres, summing to the total, each county within one centre of its exact quota.
   A province has the centres of its counties.
2. **Host neighborhoods.** A county's centres are placed in its neighborhoods, again by
   largest remainder on their case files; a neighborhood of a county with centres that
   hosts none is a *satellite* of them.
3. **Catchment.** The synthetic geography has no coordinates, so "within its radius" is
   modelled as "within its county" (assumption): every centre of a county serves all the
   county's neighborhoods, and the county's capacity (centres x slots per centre, per
   service) is shared among them in proportion to their case files. The slot capacity of
   (neighborhood, service) is therefore ``centres of the county x per_center[service] x
   files of the neighborhood / files of the county``; :attr:`CentrePlan.equivalents` is the
   first and last factors (centre-equivalents serving each neighborhood).

With ``centres: {method: optimize}`` step 1 is the solver's: the centres of every county
are an integer variable of the model (``centres`` in ``docs/model.md``), their total the
scenario's, and step 1's apportionment is kept for comparison
(:attr:`CentrePlan.apportioned`); steps 2 and 3 are the same. :func:`whole_centres` rounds
the LP relaxation's centre counts to whole centres for the fast path.

Examples:
    >>> plan = apportion_centres(
    ...     np.array(["A", "A", "B"], dtype=object), np.array(["a", "a", "b"], dtype=object),
    ...     np.array([30.0, 10.0, 20.0]), 5)
    >>> plan.county_centres.tolist(), plan.hosted.tolist(), plan.equivalents.tolist()
    ([3, 2], [2, 1, 2], [2.25, 0.75, 2.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from allocator.data.apportion import apportion
from allocator.types import Array, FloatArray, IntArray

if TYPE_CHECKING:
    from allocator.optimize.demand import Demand
    from allocator.optimize.params import SlotParams
    from allocator.optimize.plan import Plan

CENTRES_FILE = "centres.parquet"
#: How a scenario's centres reach the counties (``centres.method``).
APPORTION, OPTIMIZE = "apportion", "optimize"
CENTRES_SCHEMA = pa.schema(
    [
        ("level", pa.string()),  # "province" or "county"
        ("province", pa.string()),
        ("county", pa.string()),  # null on province rows
        ("method", pa.string()),  # who chose the centres: "apportion" or "optimize"
        ("case_files", pa.float64()),
        ("quota", pa.float64()),  # exact proportional share of the total
        ("apportioned", pa.int64()),  # centres by largest remainder on case files
        ("centres", pa.int64()),  # centres placed (= apportioned with method apportion)
        ("neighborhoods", pa.int64()),
        ("hosts", pa.int64()),  # neighborhoods hosting at least one centre
        ("satellites", pa.int64()),  # neighborhoods served by centres hosted elsewhere
    ]
)


@dataclass(frozen=True, eq=False)
class CentrePlan:
    """Where a scenario's centres are: per county, per host neighborhood, per catchment.

    Attributes:
        province: province of every county.
        county: county names (sorted by province, then county).
        county_files: case files of every county.
        county_quota: its exact share of the total (total x files / all files).
        county_centres: whole centres of every county (largest remainder, or the solver's).
        neighborhood_county: county position of every neighborhood.
        hosted: centres hosted by every neighborhood.
        equivalents: centre-equivalents serving every neighborhood (its county's centres x
            its share of the county's case files).
        method: who chose ``county_centres``: ``apportion`` or ``optimize``.
        apportioned: the largest-remainder centres of every county (for comparison).
    """

    province: tuple[str, ...]
    county: tuple[str, ...]
    county_files: FloatArray
    county_quota: FloatArray
    county_centres: IntArray
    neighborhood_county: IntArray
    hosted: IntArray
    equivalents: FloatArray
    method: str = APPORTION
    apportioned: IntArray | None = None

    @property
    def total(self) -> int:
        return int(self.county_centres.sum())


def county_index(province: Array, county: Array) -> tuple[list[list[str]], IntArray]:
    """The counties (province, county), sorted, and the county position of every
    neighborhood: the county order of :class:`CentrePlan` and of the ``centres`` variables.

    Examples:
        >>> names, of = county_index(np.array(["B", "A", "B"], dtype=object),
        ...                          np.array(["b", "a", "b"], dtype=object))
        >>> names, of.tolist()
        ([['A', 'a'], ['B', 'b']], [1, 0, 1])
    """
    pairs = np.array([f"{p}\0{c}" for p, c in zip(province, county, strict=True)], dtype=object)
    keys, of_county = np.unique(pairs.astype(str), return_inverse=True)
    return [k.split("\0", 1) for k in keys.tolist()], of_county.astype(np.int64)


def apportion_centres(
    province: Array,
    county: Array,
    case_files: FloatArray,
    total: int,
    chosen: IntArray | None = None,
) -> CentrePlan:
    """Whole centres per county and host neighborhood (see the module docstring).

    Args:
        province: province name of every neighborhood.
        county: county name of every neighborhood.
        case_files: case files of every neighborhood.
        total: centres to place (>= 0).
        chosen: the centres of every county as the solver chose them (county order of
            :func:`county_index`; ``method: optimize``); None: by largest remainder.
    """
    names, of_county = county_index(province, county)
    n_c = len(names)
    files = np.bincount(of_county, weights=case_files, minlength=n_c).astype(np.float64)
    all_files = float(files.sum())
    if total > 0 and all_files > 0:
        apportioned = apportion(total, files)
        quota = total * files / all_files
    else:
        apportioned = np.zeros(n_c, np.int64)
        quota = np.zeros(n_c)
    centres = apportioned if chosen is None else np.asarray(chosen, np.int64)
    hosted = np.zeros(len(case_files), np.int64)
    order = np.argsort(of_county, kind="stable")
    bounds = np.searchsorted(of_county[order], np.arange(n_c + 1))
    for c in np.flatnonzero(centres).tolist():
        members = order[bounds[c] : bounds[c + 1]]
        weights = case_files[members].astype(np.float64)
        if weights.sum() <= 0:  # the solver placed centres in a county without files
            weights = np.ones(members.size)
        hosted[members] = apportion(int(centres[c]), weights)
    return CentrePlan(
        province=tuple(n[0] for n in names),
        county=tuple(n[1] for n in names),
        county_files=files,
        county_quota=quota,
        county_centres=centres.astype(np.int64),
        neighborhood_county=of_county,
        hosted=hosted,
        equivalents=(centres[of_county] * file_share(case_files, of_county)).astype(np.float64),
        method=APPORTION if chosen is None else OPTIMIZE,
        apportioned=apportioned.astype(np.int64),
    )


def file_share(case_files: FloatArray, of_county: IntArray) -> FloatArray:
    """Every neighborhood's share of its county's case files (0 in a county without any).

    Examples:
        >>> file_share(np.array([30.0, 10.0, 0.0]), np.array([0, 0, 1])).tolist()
        [0.75, 0.25, 0.0]
    """
    files = np.bincount(of_county, weights=case_files)[of_county]
    out: FloatArray = np.divide(
        case_files, files, out=np.zeros(len(case_files)), where=files > 0
    ).astype(np.float64)
    return out


def whole_centres(
    values: FloatArray,
    total: int,
    upper: FloatArray | None = None,
    needed: FloatArray | None = None,
) -> FloatArray:
    """Whole centres summing to ``total`` from fractional counts (the LP relaxation's):
    the whole parts, then one more to the largest fractional parts (largest remainder).

    ``upper``: most centres of every position (centres go nowhere at their upper bound).
    ``needed``: centres every position needs to keep what it serves (the fast path: the
    LP's served units over the slots per centre); a position gets at least that many,
    rounded up, while the total allows, and loses first the centres it does not need.

    Examples:
        >>> whole_centres(np.array([1.6, 0.9, 0.5]), 3).tolist()
        [2.0, 1.0, 0.0]
        >>> whole_centres(np.array([0.2, 0.0]), 3, upper=np.array([3.0, 0.0])).tolist()
        [3.0, 0.0]
        >>> whole_centres(np.array([2.9, 0.1]), 3, needed=np.array([1.2, 0.1])).tolist()
        [2.0, 1.0]
    """
    cap = np.full(values.size, np.inf) if upper is None else np.floor(upper + 1e-9)
    need = np.zeros(values.size) if needed is None else np.ceil(needed - 1e-6)
    need = np.minimum(np.maximum(need, 0.0), cap)
    out = np.minimum(np.maximum(np.floor(np.maximum(values, 0.0) + 1e-6), need), cap)
    missing = total - int(out.sum())
    order = np.argsort(-(values - out), kind="stable")
    while missing > 0:
        room = order[out[order] < cap[order]][:missing]
        if room.size == 0:
            break
        out[room] += 1
        missing -= room.size
    for i in np.argsort(values - out, kind="stable"):  # over the total: unneeded ones first
        if missing >= 0:
            break
        take = min(max(int(out[i] - need[i]), 0), -missing)
        out[i] -= take
        missing += take
    while missing < 0:  # then one fewer where the LP value is furthest below
        order = np.argsort(values - out, kind="stable")
        order = order[out[order] > 0][:-missing]
        if order.size == 0:
            break
        out[order] -= 1
        missing += order.size
    result: FloatArray = out.astype(np.float64)
    return result


def centres_table(plan: CentrePlan) -> pa.Table:
    """``centres.parquet``: one row per province, then one per county (sorted by name).

    Examples:
        >>> plan = apportion_centres(np.array(["A", "A", "B"], dtype=object),
        ...     np.array(["a", "a", "b"], dtype=object), np.array([30.0, 10.0, 20.0]), 5)
        >>> [(r["level"], r["province"], r["centres"]) for r in centres_table(plan).to_pylist()]
        [('province', 'A', 3), ('province', 'B', 2), ('county', 'A', 3), ('county', 'B', 2)]
    """
    n_c = len(plan.county)
    apportioned = plan.county_centres if plan.apportioned is None else plan.apportioned
    nbs = np.bincount(plan.neighborhood_county, minlength=n_c)
    hosts = np.bincount(plan.neighborhood_county, weights=plan.hosted > 0, minlength=n_c)
    hosts = np.rint(hosts).astype(np.int64)
    satellites = np.where(plan.county_centres > 0, nbs - hosts, 0)
    provinces, of_province = np.unique(np.asarray(plan.province, dtype=str), return_inverse=True)
    n_p = len(provinces)

    def by_province(values: Array) -> Array:
        return np.bincount(of_province, weights=values, minlength=n_p)

    def ints(values: Array) -> pa.Array:
        return pa.array(np.rint(values).astype(np.int64), pa.int64())

    columns = {
        "level": ["province"] * n_p + ["county"] * n_c,
        "province": [*provinces.tolist(), *plan.province],
        "county": [None] * n_p + list(plan.county),
        "method": [plan.method] * (n_p + n_c),
        "case_files": np.concatenate([by_province(plan.county_files), plan.county_files]),
        "quota": np.concatenate([by_province(plan.county_quota), plan.county_quota]),
        "apportioned": ints(np.concatenate([by_province(apportioned), apportioned])),
        "centres": ints(np.concatenate([by_province(plan.county_centres), plan.county_centres])),
        "neighborhoods": ints(np.concatenate([by_province(nbs), nbs])),
        "hosts": ints(np.concatenate([by_province(hosts), hosts])),
        "satellites": ints(np.concatenate([by_province(satellites), satellites])),
    }
    return pa.Table.from_pydict(columns, schema=CENTRES_SCHEMA)


def centre_plan(
    demand: Demand,
    slots: SlotParams,
    case_files: FloatArray | None = None,
    chosen: IntArray | None = None,
) -> CentrePlan:
    """The centres of ``slots.centers_total`` over ``demand``'s counties (files: one per
    household, :meth:`~.demand.Demand.neighborhood_case_files`, unless given); ``chosen``:
    the solver's centres per county (``method: optimize``, :attr:`.plan.Plan.centres`)."""
    files = demand.neighborhood_case_files() if case_files is None else case_files
    total = round(slots.centers_total or 0.0)
    provinces = np.asarray(demand.provinces, dtype=object)[demand.province]
    return apportion_centres(provinces, demand.county, files, total, chosen)


def province_centres(plan: CentrePlan) -> dict[str, dict[str, int]]:
    """Centres per province, and the apportioned ones next to them (``summary.json``).

    Examples:
        >>> plan = apportion_centres(np.array(["A", "A", "B"], dtype=object),
        ...     np.array(["a", "a", "b"], dtype=object), np.array([30.0, 10.0, 20.0]), 5)
        >>> province_centres(plan)
        {'A': {'centres': 3, 'apportioned': 3}, 'B': {'centres': 2, 'apportioned': 2}}
    """
    apportioned = plan.county_centres if plan.apportioned is None else plan.apportioned
    out: dict[str, dict[str, int]] = {}
    for p, placed, share in zip(plan.province, plan.county_centres, apportioned, strict=True):
        row = out.setdefault(p, {"centres": 0, "apportioned": 0})
        row["centres"] += int(placed)
        row["apportioned"] += int(share)
    return out


def plan_centres(plan: Plan) -> CentrePlan | None:
    """The centres of a plan: the solver's (``method: optimize``; rounded to whole centres
    when the plan is the LP relaxation's), else apportioned; None without a ``centres``
    section."""
    slots = plan.params.slots
    if slots.centres_method not in (APPORTION, OPTIMIZE) or slots.centers_total is None:
        return None
    chosen = None
    if plan.centres is not None:
        whole = whole_centres(plan.centres, round(slots.centers_total))
        chosen = whole.astype(np.int64)
    return centre_plan(plan.demand, slots, chosen=chosen)


def centres_summary(plan: CentrePlan) -> dict[str, Any]:
    """The ``centres`` section of ``summary.json``: who chose them, how many moved from the
    apportionment, and the centres per province next to the apportioned ones.

    Examples:
        >>> plan = apportion_centres(np.array(["A", "A", "B"], dtype=object),
        ...     np.array(["a", "a", "b"], dtype=object), np.array([30.0, 10.0, 20.0]), 5,
        ...     chosen=np.array([2, 3]))
        >>> s = centres_summary(plan)
        >>> s["method"], s["total"], s["moved"], s["by_province"]["B"]
        ('optimize', 5, 1, {'centres': 3, 'apportioned': 2})
    """
    apportioned = plan.county_centres if plan.apportioned is None else plan.apportioned
    moved = int(np.abs(plan.county_centres - apportioned).sum()) // 2
    return {
        "method": plan.method,
        "total": plan.total,
        "counties": int(np.count_nonzero(plan.county_centres)),
        "moved": moved,  # centres in another county than the apportionment's
        "by_province": province_centres(plan),
    }
