"""The fast path's integer step: round worker counts, repair served quantities.

1. ``w_n = floor(case files served_n / caseload)``; then, neighborhoods by decreasing
   fractional part get one more worker while every pool holding them has one to spare.
2. Where a neighborhood now has fewer workers than its served case files need, the served
   quantity of its case-file rows is cut, lowest tier first (nothing else gets tighter).
3. :func:`complete_values` recomputes every auxiliary and slack variable from ``x`` and ``w``,
   so that the plan is consistent whatever solver produced it.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.model import build_model
    >>> from allocator.optimize.params import OptimizeParams
    >>> m = build_model(synthetic_demand(3, 4, 0), OptimizeParams())
    >>> x = m.sets.units.copy()
    >>> w = round_workers(m, x)
    >>> bool((w == m.sets.w_max).all())
    True
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.model import OptimizationModel
from allocator.optimize.variables import budget_quota_on, worker_quota_on
from allocator.types import FloatArray, IntArray

TOL = 1e-6


def round_workers(
    model: OptimizationModel, x: FloatArray, w_lp: FloatArray | None = None
) -> FloatArray:
    """Integer worker counts close to what ``x`` needs, within every worker pool.

    With worker quotas, province totals are first rounded to integers that respect the
    quota band (:func:`province_targets`), and neighborhoods are filled towards them.
    """
    s, p = model.sets, model.params
    need = np.bincount(s.row_n, weights=s.row_cf * x, minlength=s.n_neighborhoods) / p.caseload
    w = np.minimum(np.floor(need + TOL), s.w_max)
    pools: list[tuple[IntArray, FloatArray]] = []
    names = model.demand.agencies, model.demand.provinces
    for group, limits, vocab in (
        (s.custodian, p.workers_agency, names[0]),
        (s.province, p.workers_province, names[1]),
    ):
        residual = np.full(len(vocab), np.inf)
        for name, cap in limits.items():
            residual[vocab.index(name)] = float(cap)
        residual -= np.bincount(group, weights=w, minlength=len(vocab))
        pools.append((group, residual))
    left = [np.inf if p.workers_total is None else p.workers_total - w.sum()]
    target = None
    if worker_quota_on(p) and w_lp is not None:
        # aim at every neighborhood's rounded-up need (or the LP's count, if larger) ...
        wanted = np.minimum(np.maximum(np.ceil(need - TOL), np.round(w_lp)), s.w_max)
        # ... with province totals pulled into the quota band
        totals = np.bincount(s.province, wanted, s.n_provinces).astype(np.float64)
        target = province_targets(model, totals)
        target -= np.bincount(s.province, w, s.n_provinces)

    def add(n: int) -> bool:
        if left[0] < 1 or w[n] >= s.w_max[n] or any(res[g[n]] < 1 for g, res in pools):
            return False
        if target is not None and target[s.province[n]] < 1:
            return False
        w[n] += 1
        left[0] -= 1
        for g, res in pools:
            res[g[n]] -= 1
        if target is not None:
            target[s.province[n]] -= 1
        return True

    frac = need - w
    for n in np.argsort(-frac, kind="stable"):
        if frac[n] > TOL and (target is None or target[s.province[n]] >= 0.5):
            add(int(n))
    if target is not None:  # reach the province targets with otherwise idle capacity
        for n in np.argsort(-(s.w_max - w), kind="stable"):
            while target[s.province[n]] >= 1 and add(int(n)):
                pass
    return w


def province_targets(model: OptimizationModel, lp_totals: FloatArray) -> FloatArray:
    """Integer worker totals per province near the LP's, inside the quota band if possible."""
    s, band = model.sets, model.params.quota_band or 0.0
    allow = np.floor(model.params.quota_worker_allowance + TOL)
    cap = np.full(s.n_provinces, np.inf)
    for name, value in model.params.workers_province.items():
        cap[model.demand.provinces.index(name)] = float(value)
    t = np.minimum(np.round(lp_totals), cap)
    for _ in range(50):
        total = t.sum()
        hi = np.floor((1 + band) * s.province_share * total + TOL)
        lo = np.ceil((1 - band) * s.province_share * total - TOL)
        new = np.minimum(np.clip(t, lo - allow, np.maximum(hi, lo) + allow), cap)
        if (new == t).all():
            break
        t = new
    out: FloatArray = t.astype(np.float64)
    return out


def repair_served(model: OptimizationModel, x: FloatArray, w: FloatArray) -> FloatArray:
    """Cut served case-file rows, lowest tier first, until ``caseload * w`` covers them."""
    s, p = model.sets, model.params
    files = s.row_cf * x
    excess = np.bincount(s.row_n, weights=files, minlength=s.n_neighborhoods) - p.caseload * w
    excess = np.where(excess > TOL, excess, 0.0)
    (rows,) = np.nonzero((excess[s.row_n] > 0) & (files > 0))
    if rows.size == 0:
        return x
    rows = rows[np.lexsort((s.row_weight[rows], s.row_n[rows]))]
    f = files[rows]
    cum = np.cumsum(f)
    group_start = np.r_[True, s.row_n[rows][1:] != s.row_n[rows][:-1]]
    offset = np.maximum.accumulate(np.where(group_start, cum - f, 0.0))
    before = cum - f - offset
    cut = np.clip(excess[s.row_n[rows]] - before, 0.0, f)
    out = x.copy()
    out[rows] = np.maximum(0.0, x[rows] - cut / s.row_cf[rows])
    return out


def complete_values(model: OptimizationModel, x: FloatArray, w: FloatArray) -> FloatArray:
    """The full variable vector implied by ``x`` and ``w`` (spending, totals, slacks)."""
    s, p, lp = model.sets, model.params, model.program
    vb = lp.var_blocks
    v = np.zeros(lp.n_vars)
    v[vb["x"]] = x
    v[vb["w"]] = w
    spend = np.bincount(s.row_cell, weights=s.row_cost * x, minlength=s.n_cells)
    v[vb["spend"]] = spend
    band = p.quota_band or 0.0
    if "floor_short" in vb:
        served1 = np.bincount(s.row_n, weights=np.where(s.row_t == 1, x, 0.0), minlength=w.size)
        v[vb["floor_short"]] = np.maximum(0.0, p.floor_tier1 * s.tier1_need - served1)
    for on, name, amount, by_p in (
        (worker_quota_on(p), "workers", w.sum(), np.bincount(s.province, w, s.n_provinces)),
        (
            budget_quota_on(p),
            "budget",
            spend.sum(),
            np.bincount(s.cell_p, spend, s.n_provinces),
        ),
    ):
        if not on:
            continue
        v[vb["workers_total" if name == "workers" else "spend_total"]] = amount
        allow = p.quota_worker_allowance if name == "workers" else 0.0
        hi = (1 + band) * s.province_share * amount + allow
        lo = (1 - band) * s.province_share * amount - allow
        v[vb[f"quota_{name}_over"]] = np.maximum(0.0, by_p - hi)
        v[vb[f"quota_{name}_under"]] = np.maximum(0.0, lo - by_p)
    return v
