"""Shadow prices: the LP relaxation's duals of every resource constraint, in plain units.

``dual`` is d(objective) / d(right-hand side): what one more worker in a pool, one more
billion toman of budget, one more slot, one more centre (``centres_total``, with
``centres: {method: optimize}``) buys, in objective units. Dividing by a tier's
weight gives the same in units (households or members) of that tier. Zero duals of the many
``slots``, ``caseload`` and ``floor`` rows are left out.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> sp = optimize(synthetic_demand(3, 4, 0), OptimizeParams(budget_total=1e9)).shadow_prices
    >>> round(sp.lookup("budget") / sp.lookup("budget"), 3), sp.unit[0]
    (1.0, 'billion toman')
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.model import OptimizationModel
from allocator.optimize.plan import ShadowPrices
from allocator.optimize.sets import ModelSets
from allocator.types import FloatArray, IntArray

#: block -> (unit, factor from model units to the reported unit, keep zero duals)
BLOCKS: dict[str, tuple[str, float, bool]] = {
    "budget": ("billion toman", 1000.0, True),
    "agency_budget": ("billion toman", 1000.0, True),
    "worker_pool_total": ("worker", 1.0, True),
    "worker_pool_agency": ("worker", 1.0, True),
    "worker_pool_province": ("worker", 1.0, True),
    "quota_workers_max": ("worker", 1.0, True),
    "quota_workers_min": ("worker", 1.0, True),
    "quota_budget_max": ("billion toman", 1000.0, True),
    "quota_budget_min": ("billion toman", 1000.0, True),
    "slots": ("slot", 1.0, False),
    "centre_slots": ("slot", 1.0, False),
    "centres_total": ("centre", 1.0, True),
    "caseload": ("case file", 1.0, False),
    "floor": ("unit", 1.0, False),
}


def shadow_prices(model: OptimizationModel, values: FloatArray, duals: FloatArray) -> ShadowPrices:
    """The shadow price table (empty when the LP solver returned no duals)."""
    lp, s, d = model.program, model.sets, model.demand
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("constraint", "key", "nid", "sid", "unit", "rhs", "act", "dual")
    }
    if duals.size != lp.n_rows:
        return _table(parts, model)
    activity = lp.row_activity(values) if values.size == lp.n_vars else np.zeros(lp.n_rows)
    for name, (unit, factor, keep_zero) in BLOCKS.items():
        if name not in lp.row_blocks:
            continue
        sl = lp.row_blocks[name]
        key = model.keys[name]
        y = duals[sl]
        keep = np.ones(y.size, bool) if keep_zero else np.abs(y) > 1e-9
        rhs = np.where(np.isfinite(lp.row_ub[sl]), lp.row_ub[sl], lp.row_lb[sl])
        nid = np.full(y.size, -1, dtype=np.int64)
        sid = np.full(y.size, "", dtype=object)
        if name in ("agency_budget", "worker_pool_agency"):
            label = np.array(d.agencies, dtype=object)[key]
        elif name.startswith(("worker_pool_province", "quota_")):
            label = np.array(d.provinces, dtype=object)[key]
        elif name in ("slots", "centre_slots"):
            group_n, group_s = (s.group_n, s.group_s) if name == "slots" else _centre_groups(s)
            nid = d.neighborhood_id[group_n[key]]
            sid = np.array(d.service_ids, dtype=object)[group_s[key]]
            label = np.array([f"{a}/{b}" for a, b in zip(nid[keep], sid[keep], strict=True)] or [],
                             dtype=object)  # fmt: skip
            label = _expand(label, keep)
        elif name == "caseload":
            nid = d.neighborhood_id[s.staff_n[key]]
            agency = np.array(d.agencies, dtype=object)[s.staff_a[key]]
            label = np.array([f"{a}/{b}" for a, b in zip(nid, agency, strict=True)], dtype=object)
        elif name == "floor":
            nid = d.neighborhood_id[key]
            label = nid.astype(str).astype(object)
        else:
            label = np.full(y.size, "", dtype=object)
        per_unit = 1.0 / factor  # model unit -> reported unit
        parts["constraint"].append(np.full(int(keep.sum()), name, dtype=object))
        parts["key"].append(label[keep])
        parts["nid"].append(nid[keep])
        parts["sid"].append(sid[keep])
        parts["unit"].append(np.full(int(keep.sum()), unit, dtype=object))
        parts["rhs"].append(rhs[keep] * per_unit)
        act = activity[sl]
        if name == "floor" and values.size == lp.n_vars:  # what is met, not the slack
            act = act - values[lp.var_blocks["floor_short"]]
        parts["act"].append(act[keep] * per_unit)
        parts["dual"].append(y[keep] * factor)
    return _table(parts, model)


def _centre_groups(sets: ModelSets) -> tuple[IntArray, IntArray]:
    """(neighborhood, service) of every centre slot group."""
    c = sets.centres
    empty = np.zeros(0, np.int64)
    return (empty, empty) if c is None else (c.group_n, c.group_s)


def _expand(label: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = np.full(keep.size, "", dtype=object)
    out[keep] = label
    return out


def _table(parts: dict[str, list[np.ndarray]], model: OptimizationModel) -> ShadowPrices:
    def cat(k: str, dtype: type) -> np.ndarray:
        return np.concatenate(parts[k]) if parts[k] else np.zeros(0, dtype=dtype)

    dual = cat("dual", np.float64).astype(np.float64)
    weights = np.asarray(model.params.tier_weights, dtype=np.float64)
    return ShadowPrices(
        constraint=cat("constraint", object),
        key=cat("key", object),
        neighborhood_id=cat("nid", np.int64),
        service_id=cat("sid", object),
        unit=cat("unit", object),
        rhs=cat("rhs", np.float64),
        activity=cat("act", np.float64),
        dual=dual,
        per_tier=dual[:, None] / weights[None, :],
    )
