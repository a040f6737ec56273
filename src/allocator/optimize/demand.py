"""Aggregated demand: what the optimizer works on.

One row per (neighborhood, service, tier, agency) with the quantity that can be served
(``units``: households, or members for member-level services), the households behind it and
how many of them open a social-work case file. Strings are coded once into small integers
here, so the model is built from NumPy arrays only.

Examples:
    >>> d = synthetic_demand(3, n_services=4, seed=1)
    >>> d.n_neighborhoods, d.n_services, d.agencies[0]
    (3, 4, 'relief_committee')
    >>> bool((d.units > 0).all())
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from allocator.domain.enums import CUSTODIANS
from allocator.errors import DataError
from allocator.optimize.casefiles import CASEFILES_FILE, CaseFiles, row_file_share
from allocator.types import Array, BoolArray, FloatArray, IntArray

DEMAND_FILE = "demand.parquet"
NEIGHBORHOODS_FILE = "neighborhoods.parquet"
SERVICES_FILE = "services.parquet"

DEMAND_COLUMNS = (
    "neighborhood_id",
    "service_id",
    "tier",
    "agency",
    "units",
    "households",
    "case_files",
)
NEIGHBORHOOD_COLUMNS = ("neighborhood_id", "province", "custodian", "population")
SERVICE_COLUMNS = ("service_id", "name", "entity", "agency", "unit_cost", "opens_case_file")
N_TIERS = 4


@dataclass(frozen=True, eq=False)
class Demand:
    """Aggregated demand, coded into arrays.

    Neighborhood arrays have length ``n_neighborhoods`` (sorted by id); row arrays have one
    entry per demand row with ``units > 0``; ``row_neighborhood`` etc. are positions into
    the neighborhood, service and agency arrays, ``row_tier`` is 1..4.
    """

    neighborhood_id: IntArray
    province: IntArray  # position in ``provinces``
    custodian: IntArray  # position in ``agencies``
    population: IntArray
    county: Array  # str objects, for reporting
    provinces: tuple[str, ...]
    agencies: tuple[str, ...]
    service_ids: tuple[str, ...]
    service_names: tuple[str, ...]
    service_entity: tuple[str, ...]
    unit_cost: FloatArray  # toman per unit served per year, by service
    opens_case_file: BoolArray
    row_neighborhood: IntArray
    row_service: IntArray
    row_tier: IntArray
    row_agency: IntArray
    units: FloatArray
    households: FloatArray
    case_files: FloatArray
    source: str = ""
    casefiles: CaseFiles | None = None  # one file per household (optimize/casefiles.py)
    #: by service: its eligible demand is an entitlement (served in full, or reported)
    entitled: BoolArray | None = None

    @property
    def service_entitled(self) -> BoolArray:
        """Entitlement flag of every service (all False when the data has none)."""
        if self.entitled is None:
            return np.zeros(self.n_services, dtype=np.bool_)
        return self.entitled

    def with_entitlements(self, service_ids: list[str]) -> Demand:
        """A copy where the named services (those of the demand) are entitlements.

        Examples:
            >>> d = synthetic_demand(2, 3, seed=0).with_entitlements(["health_insurance", "x"])
            >>> d.service_entitled.tolist()
            [True, False, False]
        """
        return _replace(self, entitled=np.isin(np.array(self.service_ids, dtype=object),
                                               np.array(service_ids, dtype=object)))  # fmt: skip

    @property
    def n_neighborhoods(self) -> int:
        return int(self.neighborhood_id.size)

    @property
    def n_services(self) -> int:
        return len(self.service_ids)

    @property
    def n_rows(self) -> int:
        return int(self.units.size)

    @property
    def row_province(self) -> IntArray:
        """Province position of every row."""
        return self.province[self.row_neighborhood]

    def neighborhood_case_files(self) -> FloatArray:
        """Case files of every neighborhood: one per household from ``casefiles`` when the
        classification gave it, else the rows' ``case_files`` (one per household and service)."""
        if self.casefiles is not None:
            return self.casefiles.per_neighborhood(self.n_neighborhoods)
        out: FloatArray = np.bincount(
            self.row_neighborhood, weights=self.case_files, minlength=self.n_neighborhoods
        ).astype(np.float64)
        return out

    def neighborhood_registered(self) -> FloatArray:
        """Registered (already open) case files of every neighborhood (0 without ``casefiles``)."""
        if self.casefiles is None:
            return np.zeros(self.n_neighborhoods)
        return self.casefiles.registered_per_neighborhood(self.n_neighborhoods)

    def row_case_files(self) -> FloatArray:
        """Case files per row, scaled so that a neighborhood's rows add up to its
        :meth:`neighborhood_case_files` (``case_files`` itself without ``casefiles``)."""
        if self.casefiles is None:
            return self.case_files
        return row_file_share(
            self.row_neighborhood, self.case_files, self.neighborhood_case_files()
        )

    def with_unit_costs(self, overrides: dict[str, float]) -> Demand:
        """A copy whose unit costs are overridden for the named services."""
        unknown = sorted(set(overrides) - set(self.service_ids))
        if unknown:
            raise DataError(f"unit cost override for unknown service(s) {unknown}", "services")
        cost = self.unit_cost.copy()
        for sid, value in overrides.items():
            cost[self.service_ids.index(sid)] = float(value)
        return _replace(self, unit_cost=cost)

    def select_agencies(self, agencies: list[str]) -> Demand:
        """A copy keeping only the rows delivered by the given agencies."""
        codes = [self.agencies.index(a) for a in agencies if a in self.agencies]
        keep = np.isin(self.row_agency, codes)
        changes: dict[str, Any] = {k: getattr(self, k)[keep] for k in _ROW_FIELDS}
        if self.casefiles is not None:
            changes["casefiles"] = self.casefiles.select_agencies(codes)
        return _replace(self, **changes)

    def take_neighborhoods(self, keep: BoolArray) -> Demand:
        """A copy with only the neighborhoods ``keep`` (a mask) and their rows.

        Examples:
            >>> d = synthetic_demand(5, 4, seed=0)
            >>> keep = np.array([True, False, True, False, False])
            >>> part = d.take_neighborhoods(keep)
            >>> part.n_neighborhoods, bool(part.units.sum() == d.units[
            ...     keep[d.row_neighborhood]].sum()), sorted(set(part.row_neighborhood.tolist()))
            (2, True, [0, 1])
        """
        rows = keep[self.row_neighborhood]
        changes = {k: getattr(self, k)[rows] for k in _ROW_FIELDS}
        changes["row_neighborhood"] = (np.cumsum(keep) - 1)[self.row_neighborhood[rows]]
        for name in ("neighborhood_id", "province", "custodian", "population", "county"):
            changes[name] = getattr(self, name)[keep]
        if self.casefiles is not None:
            changes["casefiles"] = self.casefiles.take_neighborhoods(keep)
        return _replace(self, **changes)

    @classmethod
    def from_tables(
        cls,
        demand: pa.Table,
        neighborhoods: pa.Table,
        services: pa.Table,
        source: str = "",
        casefiles: pa.Table | None = None,
    ) -> Demand:
        """Code the three tables (and the optional case-file table) into a :class:`Demand`,
        checking them on the way.

        Raises:
            DataError: a column is missing, a code is unknown, or a quantity is wrong.
        """
        _require(demand, DEMAND_COLUMNS, "demand")
        _require(neighborhoods, NEIGHBORHOOD_COLUMNS, "neighborhoods")
        _require(services, SERVICE_COLUMNS, "services")
        nb = {
            c: neighborhoods.column(c).to_numpy(zero_copy_only=False) for c in NEIGHBORHOOD_COLUMNS
        }
        county = (
            neighborhoods.column("county").to_numpy(zero_copy_only=False)
            if "county" in neighborhoods.column_names
            else nb["province"].astype(object)
        )
        order = np.argsort(nb["neighborhood_id"], kind="stable")
        ids = nb["neighborhood_id"].astype(np.int64)[order]
        if np.unique(ids).size != ids.size:
            raise DataError("duplicate neighborhood_id", "neighborhoods", "neighborhood_id")
        provinces, prov_code = np.unique(nb["province"].astype(str)[order], return_inverse=True)
        agencies = tuple(a.value for a in CUSTODIANS)
        custodian = _code(
            nb["custodian"].astype(str)[order], agencies, "neighborhoods", "custodian"
        )

        sv = {c: services.column(c).to_numpy(zero_copy_only=False) for c in SERVICE_COLUMNS}
        service_ids = tuple(str(s) for s in sv["service_id"])
        if len(set(service_ids)) != len(service_ids):
            raise DataError("duplicate service_id", "services", "service_id")
        unit_cost = sv["unit_cost"].astype(np.float64)
        if (unit_cost < 0).any() or not np.isfinite(unit_cost).all():
            raise DataError("unit_cost must be finite and >= 0", "services", "unit_cost")

        numeric = ("neighborhood_id", "tier", "units", "households", "case_files")
        dm = {c: demand.column(c).to_numpy(zero_copy_only=False) for c in numeric}
        pos = np.searchsorted(ids, dm["neighborhood_id"].astype(np.int64))
        pos = np.clip(pos, 0, max(ids.size - 1, 0))
        if ids.size == 0 or (ids[pos] != dm["neighborhood_id"]).any():
            raise DataError("demand names an unknown neighborhood", "demand", "neighborhood_id")
        tier = dm["tier"].astype(np.int64)
        if ((tier < 1) | (tier > N_TIERS)).any():
            raise DataError("tier must be 1..4", "demand", "tier")
        units, hh, cf = (dm[c].astype(np.float64) for c in ("units", "households", "case_files"))
        for name, arr in (("units", units), ("households", hh), ("case_files", cf)):
            if (arr < 0).any():
                raise DataError(f"{name} must be >= 0", "demand", name)
        if (cf > hh).any():
            raise DataError("case_files cannot exceed households", "demand", "case_files")
        keep = units > 0
        entitled = (
            services.column("entitlement").to_numpy(zero_copy_only=False).astype(bool)
            if "entitlement" in services.column_names
            else None
        )
        return cls(
            neighborhood_id=ids,
            province=prov_code.astype(np.int64),
            custodian=custodian,
            population=nb["population"].astype(np.int64)[order],
            county=np.asarray(county, dtype=object)[order],
            provinces=tuple(str(p) for p in provinces),
            agencies=agencies,
            service_ids=service_ids,
            service_names=tuple(str(s) for s in sv["name"]),
            service_entity=tuple(str(s) for s in sv["entity"]),
            unit_cost=unit_cost,
            opens_case_file=sv["opens_case_file"].astype(bool),
            row_neighborhood=pos[keep].astype(np.int64),
            row_service=_column_codes(demand, "service_id", service_ids, "demand")[keep],
            row_tier=tier[keep],
            row_agency=_column_codes(demand, "agency", agencies, "demand")[keep],
            units=units[keep],
            households=hh[keep],
            case_files=cf[keep],
            source=source,
            casefiles=None if casefiles is None else CaseFiles.from_table(casefiles, ids, agencies),
            entitled=entitled,
        )

    @classmethod
    def from_parquet_dir(cls, path: Path) -> Demand:
        """Read ``demand.parquet``, ``neighborhoods.parquet`` and ``services.parquet``, and
        ``casefiles.parquet`` when present."""
        for name in (DEMAND_FILE, NEIGHBORHOODS_FILE, SERVICES_FILE):
            if not (path / name).is_file():
                raise DataError(f"missing {path / name}", name)
        casefiles = path / CASEFILES_FILE
        return cls.from_tables(
            pq.read_table(path / DEMAND_FILE),
            pq.read_table(path / NEIGHBORHOODS_FILE),
            pq.read_table(path / SERVICES_FILE),
            source=str(path),
            casefiles=pq.read_table(casefiles) if casefiles.is_file() else None,
        )


_ROW_FIELDS = (
    "row_neighborhood",
    "row_service",
    "row_tier",
    "row_agency",
    "units",
    "households",
    "case_files",
)


def _replace(d: Demand, **changes: Any) -> Demand:
    fields = {k: getattr(d, k) for k in d.__dataclass_fields__}
    fields.update(changes)
    return Demand(**fields)


def _require(table: pa.Table, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise DataError(f"table '{name}' lacks column(s) {missing}", name, missing[0])


def _column_codes(table: pa.Table, column: str, vocabulary: tuple[str, ...], name: str) -> IntArray:
    """Codes of a string column, through Arrow's dictionary encoding (fast on millions of rows)."""
    arr = table.column(column).combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    words = np.asarray(arr.dictionary.to_pylist(), dtype=object).astype(str)
    codes = _code(words, vocabulary, name, column)
    indices = arr.indices.to_numpy(zero_copy_only=False)
    return codes[indices.astype(np.int64)] if indices.size else np.zeros(0, np.int64)


def _code(values: Array, vocabulary: tuple[str, ...], table: str, column: str) -> IntArray:
    """Positions of ``values`` in ``vocabulary``; unknown values raise DataError."""
    vocab = np.asarray(vocabulary, dtype=object)
    order = np.argsort(vocab.astype(str))
    sorted_vocab = vocab.astype(str)[order]
    pos = np.clip(np.searchsorted(sorted_vocab, values), 0, max(len(vocab) - 1, 0))
    bad = sorted_vocab[pos] != values if len(vocab) else np.ones(len(values), bool)
    if bad.any():
        raise DataError(f"unknown {column} {values[bad][0]!r}", table, column)
    return order[pos].astype(np.int64)


def synthetic_demand(n_neighborhoods: int, n_services: int = 22, seed: int = 0) -> Demand:
    """Random demand of realistic magnitude (see :mod:`allocator.data.synthetic_demand`)."""
    from allocator.data.synthetic_demand import synthetic_tables

    demand, neighborhoods, services = synthetic_tables(n_neighborhoods, n_services, seed)
    return Demand.from_tables(demand, neighborhoods, services, source=f"synthetic:{seed}")
