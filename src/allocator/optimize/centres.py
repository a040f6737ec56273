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

Examples:
    >>> plan = apportion_centres(
    ...     np.array(["A", "A", "B"], dtype=object), np.array(["a", "a", "b"], dtype=object),
    ...     np.array([30.0, 10.0, 20.0]), 5)
    >>> plan.county_centres.tolist(), plan.hosted.tolist(), plan.equivalents.tolist()
    ([3, 2], [2, 1, 2], [2.25, 0.75, 2.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from allocator.data.apportion import apportion
from allocator.types import Array, FloatArray, IntArray

if TYPE_CHECKING:
    from allocator.optimize.demand import Demand
    from allocator.optimize.params import SlotParams

CENTRES_FILE = "centres.parquet"
CENTRES_SCHEMA = pa.schema(
    [
        ("level", pa.string()),  # "province" or "county"
        ("province", pa.string()),
        ("county", pa.string()),  # null on province rows
        ("case_files", pa.float64()),
        ("quota", pa.float64()),  # exact proportional share of the total
        ("centres", pa.int64()),
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
        county_centres: whole centres of every county (largest remainder).
        neighborhood_county: county position of every neighborhood.
        hosted: centres hosted by every neighborhood.
        equivalents: centre-equivalents serving every neighborhood (its county's centres x
            its share of the county's case files).
    """

    province: tuple[str, ...]
    county: tuple[str, ...]
    county_files: FloatArray
    county_quota: FloatArray
    county_centres: IntArray
    neighborhood_county: IntArray
    hosted: IntArray
    equivalents: FloatArray

    @property
    def total(self) -> int:
        return int(self.county_centres.sum())


def apportion_centres(
    province: Array, county: Array, case_files: FloatArray, total: int
) -> CentrePlan:
    """Whole centres per county and host neighborhood (see the module docstring).

    Args:
        province: province name of every neighborhood.
        county: county name of every neighborhood.
        case_files: case files of every neighborhood.
        total: centres to place (>= 0).
    """
    pairs = np.array([f"{p}\0{c}" for p, c in zip(province, county, strict=True)], dtype=object)
    keys, of_county = np.unique(pairs.astype(str), return_inverse=True)
    files = np.bincount(of_county, weights=case_files, minlength=len(keys)).astype(np.float64)
    all_files = float(files.sum())
    if total > 0 and all_files > 0:
        centres = apportion(total, files)
        quota = total * files / all_files
    else:
        centres = np.zeros(len(keys), np.int64)
        quota = np.zeros(len(keys))
    hosted = np.zeros(len(case_files), np.int64)
    order = np.argsort(of_county, kind="stable")
    bounds = np.searchsorted(of_county[order], np.arange(len(keys) + 1))
    for c in np.flatnonzero(centres).tolist():
        members = order[bounds[c] : bounds[c + 1]]
        hosted[members] = apportion(int(centres[c]), case_files[members].astype(np.float64))
    share = np.divide(
        case_files, files[of_county], out=np.zeros(len(case_files)), where=files[of_county] > 0
    )
    names = [k.split("\0", 1) for k in keys.tolist()]
    return CentrePlan(
        province=tuple(n[0] for n in names),
        county=tuple(n[1] for n in names),
        county_files=files,
        county_quota=quota,
        county_centres=centres.astype(np.int64),
        neighborhood_county=of_county.astype(np.int64),
        hosted=hosted,
        equivalents=(centres[of_county] * share).astype(np.float64),
    )


def centres_table(plan: CentrePlan) -> pa.Table:
    """``centres.parquet``: one row per province, then one per county (sorted by name).

    Examples:
        >>> plan = apportion_centres(np.array(["A", "A", "B"], dtype=object),
        ...     np.array(["a", "a", "b"], dtype=object), np.array([30.0, 10.0, 20.0]), 5)
        >>> [(r["level"], r["province"], r["centres"]) for r in centres_table(plan).to_pylist()]
        [('province', 'A', 3), ('province', 'B', 2), ('county', 'A', 3), ('county', 'B', 2)]
    """
    n_c = len(plan.county)
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
        "case_files": np.concatenate([by_province(plan.county_files), plan.county_files]),
        "quota": np.concatenate([by_province(plan.county_quota), plan.county_quota]),
        "centres": ints(np.concatenate([by_province(plan.county_centres), plan.county_centres])),
        "neighborhoods": ints(np.concatenate([by_province(nbs), nbs])),
        "hosts": ints(np.concatenate([by_province(hosts), hosts])),
        "satellites": ints(np.concatenate([by_province(satellites), satellites])),
    }
    return pa.Table.from_pydict(columns, schema=CENTRES_SCHEMA)


def centre_plan(
    demand: Demand, slots: SlotParams, case_files: FloatArray | None = None
) -> CentrePlan:
    """The centres of ``slots.centers_total`` over ``demand``'s counties (files: one per
    household, :meth:`~.demand.Demand.neighborhood_case_files`, unless given)."""
    files = demand.neighborhood_case_files() if case_files is None else case_files
    total = round(slots.centers_total or 0.0)
    provinces = np.asarray(demand.provinces, dtype=object)[demand.province]
    return apportion_centres(provinces, demand.county, files, total)
