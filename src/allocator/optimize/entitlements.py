"""Entitlements and staffing of a plan, in the units a planner reads.

* :func:`entitlement_report`: entitled demand served, and what is unfunded: where (service,
  agency, province, neighborhoods) and the money and workers that would fund it.
* :func:`staffing_report`: case files per worker by agency and province, utilisation,
  workers short (to carry every eligible file) and idle (beyond the files served).

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.model import build_model
    >>> from allocator.optimize.params import OptimizeParams
    >>> m = build_model(synthetic_demand(2, 3, 0).with_entitlements(["health_insurance"]),
    ...                 OptimizeParams())
    >>> r = entitlement_report(m, m.sets.units * 0.5)
    >>> r["funded"], r["services"]
    (False, ['health_insurance'])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.optimize.model import OptimizationModel
from allocator.optimize.sets import MILLION
from allocator.types import FloatArray

TOL = 1e-6
TOP_NEIGHBORHOODS = 20


def entitlement_report(model: OptimizationModel, x: FloatArray) -> dict[str, Any]:
    """What of the entitled demand is served, and what is not (with its price)."""
    s, d, p = model.sets, model.demand, model.params
    ent = s.row_entitled
    services = [d.service_ids[i] for i in np.flatnonzero(d.service_entitled)]
    gap = np.where(ent, np.maximum(0.0, s.units - x), 0.0)
    gap = np.where(gap > TOL * np.maximum(1.0, s.units), gap, 0.0)
    money = gap * s.row_cost * MILLION
    workers = gap * s.row_cf / p.caseload
    out: dict[str, Any] = {
        "services": services,
        "demand": float(s.units[ent].sum()),
        "served": float(x[ent].sum()),
        "funded": bool(gap.sum() == 0),
        "unfunded": float(gap.sum()),
        "unfunded_toman": round(float(money.sum())),
        "unfunded_workers": float(workers.sum()),
        "unit": _unit(d, services),
    }
    if gap.sum() == 0:
        return out
    out["by_service"] = _group([d.service_ids[i] for i in range(d.n_services)], s.row_s, gap,
                               money, workers)  # fmt: skip
    out["by_agency"] = _group(list(d.agencies), s.row_a, gap, money, workers)
    out["by_province"] = _group(list(d.provinces), s.row_p, gap, money, workers)
    by_n = np.bincount(s.row_n, gap, s.n_neighborhoods)
    money_n = np.bincount(s.row_n, money, s.n_neighborhoods)
    top = np.argsort(-by_n, kind="stable")[:TOP_NEIGHBORHOODS]
    out["neighborhoods_unfunded"] = int((by_n > 0).sum())
    out["top_neighborhoods"] = [
        {"neighborhood_id": int(d.neighborhood_id[n]), "province": d.provinces[d.province[n]],
         "unfunded": float(by_n[n]), "unfunded_toman": round(float(money_n[n]))}
        for n in top if by_n[n] > 0
    ]  # fmt: skip
    return out


def _unit(d: Any, services: list[str]) -> str:
    kinds = {d.service_entity[d.service_ids.index(s)] for s in services}
    return "members" if kinds == {"member"} else "households" if kinds == {"household"} else (
        "units (households or members)")  # fmt: skip


def _group(
    names: list[str], key: Any, gap: FloatArray, money: FloatArray, workers: FloatArray
) -> dict[str, dict[str, float]]:
    units = np.bincount(key, gap, len(names))
    toman = np.bincount(key, money, len(names))
    staff = np.bincount(key, workers, len(names))
    return {
        names[i]: {"unfunded": float(units[i]), "unfunded_toman": round(float(toman[i])),
                   "workers": float(staff[i])}
        for i in np.flatnonzero(units > 0)
    }  # fmt: skip


def staffing_report(model: OptimizationModel, x: FloatArray, w: FloatArray) -> dict[str, Any]:
    """Case files per worker, utilisation, workers short and idle; by agency and province."""
    s, d, p = model.sets, model.demand, model.params
    live = s.row_staff >= 0
    served = np.bincount(s.row_staff[live], (s.row_cf * x)[live], s.n_staff).astype(np.float64)
    short = np.maximum(0.0, s.staff_cf / p.caseload - w)
    idle = np.maximum(0.0, w - served / p.caseload)
    prov = s.province[s.staff_n]

    def by(names: tuple[str, ...], key: Any) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for i, name in enumerate(names):
            hit = key == i
            if not hit.any():
                continue
            out[name] = _staff_figures(served[hit], s.staff_cf[hit], w[hit], short[hit],
                                       idle[hit], p.caseload)  # fmt: skip
        return out

    return {
        "caseload": p.caseload,
        "total": _staff_figures(served, s.staff_cf, w, short, idle, p.caseload),
        "by_agency": by(d.agencies, s.staff_a),
        "by_province": by(d.provinces, prov),
    }


def _staff_figures(
    served: FloatArray,
    eligible: FloatArray,
    w: FloatArray,
    short: FloatArray,
    idle: FloatArray,
    caseload: float,
) -> dict[str, float | None]:
    workers = float(w.sum())
    used = w > 0
    return {
        "workers": workers,
        "case_files_served": float(served.sum()),
        "case_files_eligible": float(eligible.sum()),
        "files_per_worker": float(served.sum() / workers) if workers > 0 else None,
        "utilisation": float(served[used].sum() / (caseload * workers)) if workers > 0 else None,
        "workers_short": float(short.sum()),
        "workers_idle": float(idle.sum()),
    }


def staff_area_names(model: OptimizationModel) -> list[str]:
    """Name of every staff cell's area: neighborhood id, province/county, or province."""
    s, d, level = model.sets, model.demand, model.params.staff_level
    if level == "neighborhood":
        return [str(i) for i in d.neighborhood_id[s.staff_n]]
    if level == "province":
        return [d.provinces[p] for p in d.province[s.staff_n]]
    return [f"{d.provinces[d.province[n]]}/{d.county[n]}" for n in s.staff_n]


def neighborhood_workers(model: OptimizationModel, x: FloatArray, w: FloatArray) -> FloatArray:
    """Workers per neighborhood: each staff cell's workers shared by its served files."""
    s = model.sets
    live = s.row_staff >= 0
    files = (s.row_cf * x)[live]
    cell = s.row_staff[live]
    by_cell = np.bincount(cell, files, s.n_staff)
    share = np.where(by_cell[cell] > 0, files / np.where(by_cell[cell] > 0, by_cell[cell], 1), 0)
    out: FloatArray = np.bincount(s.row_n[live], share * w[cell], s.n_neighborhoods).astype(
        np.float64
    )
    idle = np.where(by_cell > 0, 0.0, w)  # a cell serving nothing: its first neighborhood
    out += np.bincount(s.staff_n, idle, s.n_neighborhoods)
    return out


def staff_table_columns(model: OptimizationModel, x: FloatArray, w: FloatArray) -> dict[str, Any]:
    """Per staff cell (neighborhood, agency): files, workers, files per worker, short, idle."""
    s, p = model.sets, model.params
    live = s.row_staff >= 0
    served = np.bincount(s.row_staff[live], (s.row_cf * x)[live], s.n_staff)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_worker = np.where(w > 0, served / np.where(w > 0, w, 1.0), np.nan)
    return {
        "area": staff_area_names(model),
        "neighborhood": s.staff_n,
        "agency": s.staff_a,
        "case_files_eligible": s.staff_cf,
        "case_files_served": served,
        "workers": w,
        "files_per_worker": per_worker,
        "workers_short": np.maximum(0.0, s.staff_cf / p.caseload - w),
        "workers_idle": np.maximum(0.0, w - served / p.caseload),
    }
