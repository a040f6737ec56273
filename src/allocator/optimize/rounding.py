"""The fast path's integer step: round worker counts, repair served quantities.

0. With ``centres: {method: optimize}``, the LP's centres per county are rounded to whole
   centres keeping the total (largest remainder; first, while the total allows, the whole
   centres that keep the LP's service of each county), and served rows above the whole
   centres' slots are cut, lowest tier first.
1. ``w_k = floor(case files served_k / caseload)`` per staff cell k (neighborhood, agency);
   then, staff cells by decreasing fractional part (from half a caseload on when workers
   are paid) get one more worker while every pool holding them has one to spare.
2. Where a staff cell now has fewer workers than its served case files need, the served
   quantity of its case-file rows is cut, lowest tier first, entitled rows last (nothing
   else gets tighter).
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

from allocator.optimize.centres import whole_centres
from allocator.optimize.constraints import staff_cell_of
from allocator.optimize.model import OptimizationModel
from allocator.optimize.outcomes import segment_widths
from allocator.optimize.sets import MILLION
from allocator.optimize.variables import budget_quota_on, n_segments, worker_quota_on
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
    live = s.row_staff >= 0
    files = np.bincount(s.row_staff[live], (s.row_cf * x)[live], s.n_staff).astype(np.float64)
    need: FloatArray = files / p.caseload
    w = np.minimum(np.floor(need + TOL), s.w_max)
    pools: list[tuple[IntArray, FloatArray]] = []
    names = model.demand.agencies, model.demand.provinces
    prov = s.province[s.staff_n]
    for group, limits, vocab in (
        (s.staff_a, p.workers_agency, names[0]),
        (prov, p.workers_province, names[1]),
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
        totals = np.bincount(prov, wanted, s.n_provinces).astype(np.float64)
        target = province_targets(model, totals)
        target -= np.bincount(prov, w, s.n_provinces)

    def add(n: int) -> bool:
        if left[0] < 1 or w[n] >= s.w_max[n] or any(res[g[n]] < 1 for g, res in pools):
            return False
        if target is not None and target[prov[n]] < 1:
            return False
        w[n] += 1
        left[0] -= 1
        for g, res in pools:
            res[g[n]] -= 1
        if target is not None:
            target[prov[n]] -= 1
        return True

    frac = need - w
    # a paid worker is hired for a fraction of a caseload only from half a caseload on
    # (the rest of the files are cut by repair_served); free workers from any fraction
    least = 0.5 if p.worker_cost > 0 else TOL
    for n in np.argsort(-frac, kind="stable"):
        if frac[n] >= least and (target is None or target[prov[n]] >= 0.5):
            add(int(n))
    if target is not None and p.worker_cost == 0:
        # reach the province targets with otherwise idle capacity (free workers only: a
        # paid idle worker costs the budget; the quota slack reports the gap instead)
        for n in np.argsort(-(s.w_max - w), kind="stable"):
            while target[prov[n]] >= 1 and add(int(n)):
                pass
    if target is not None:
        trim_to_bands(model, w, need, prov)
    out: FloatArray = w.astype(np.float64)
    return out


def trim_to_bands(
    model: OptimizationModel, w: FloatArray, need: FloatArray, prov: IntArray
) -> None:
    """Take back, in place, the workers a province holds over its quota band at the total
    the rounding reached, those hired for the smallest part of a caseload first.

    The province targets are set from the counts the rounding aims at, which can be far
    more than it reaches when many cells need part of a worker: a relaxation with 290
    workers spread over many cells was rounded to 258, Kurdistan's 7.1 to 9 workers over
    a band of 7.4 at that total, and the plan paid the quota penalty.
    """
    s, p = model.sets, model.params
    band = p.quota_band or 0.0
    for _ in range(50):  # each cut lowers the total, and so every band: until none is over
        hi = (1 + band) * s.province_share * w.sum() + p.quota_worker_allowance
        over = np.ceil(np.bincount(prov, w, s.n_provinces) - hi - TOL)
        if not (over > 0).any():
            return
        for province in np.flatnonzero(over > 0):
            cells = np.flatnonzero((prov == province) & (w > 0))
            carried = need[cells] - (w[cells] - 1)  # what each cell's last worker carries
            w[cells[np.argsort(carried, kind="stable")[: int(over[province])]]] -= 1


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
    live = s.row_staff >= 0
    files = s.row_cf * x
    excess = np.bincount(s.row_staff[live], files[live], s.n_staff).astype(np.float64)
    return _cut(model, x, s.row_staff, s.row_cf, excess - p.caseload * w)


def round_centres(
    model: OptimizationModel, centres: FloatArray, x: FloatArray | None = None
) -> FloatArray:
    """Whole centres per county from the LP relaxation's, keeping the scenario's total
    (largest remainder on the LP's counts, :func:`~.centres.whole_centres`); with the LP's
    served units ``x``, every county first gets the whole centres that keep them served,
    while the total allows.

    Without that, a county the LP gives a small fraction of a centre (all its served units
    need) would lose the largest-remainder contest and all its service with it."""
    c = model.sets.centres
    if c is None:
        return centres
    needed = None
    if x is not None and c.n_groups:
        live = c.row_group >= 0
        served = np.bincount(c.row_group[live], x[live], c.n_groups)
        ratio = np.divide(served, c.per_centre, out=np.zeros(c.n_groups), where=c.per_centre > 0)
        needed = np.zeros(c.n_counties)
        np.maximum.at(needed, c.group_county, ratio)
    return whole_centres(centres, c.total, c.county_max, needed)


def repair_centres(model: OptimizationModel, x: FloatArray, centres: FloatArray) -> FloatArray:
    """Cut served rows of every centre slot group, lowest tier first, until the county's
    whole centres cover them (``centre_slots`` rows; nothing else gets tighter)."""
    c = model.sets.centres
    if c is None or c.n_groups == 0:
        return x
    live = c.row_group >= 0
    served = np.bincount(c.row_group[live], x[live], c.n_groups).astype(np.float64)
    excess = served - c.per_centre * centres[c.group_county]
    return _cut(model, x, c.row_group, np.ones(x.size), excess)


def _cut(
    model: OptimizationModel, x: FloatArray, key: IntArray, coef: FloatArray, excess: FloatArray
) -> FloatArray:
    """Cut ``x`` where ``excess[key] > 0`` (a row uses ``coef`` of its key's resource per
    unit): within each key, lowest tier first, entitled rows last."""
    s = model.sets
    excess = np.where(excess > TOL, excess, 0.0)
    if excess.size == 0:
        return x
    live = key >= 0
    use = np.where(live, coef * x, 0.0)
    k_all = np.where(live, key, 0)
    (rows,) = np.nonzero(live & (excess[k_all] > 0) & (use > 0))
    if rows.size == 0:
        return x
    rows = rows[np.lexsort((s.row_weight[rows], s.row_entitled[rows], key[rows]))]
    k = key[rows]
    f = use[rows]
    cum = np.cumsum(f)
    group_start = np.r_[True, k[1:] != k[:-1]]
    offset = np.maximum.accumulate(np.where(group_start, cum - f, 0.0))
    before = cum - f - offset
    cut = np.clip(excess[k] - before, 0.0, f)
    out = x.copy()
    out[rows] = np.maximum(0.0, x[rows] - cut / coef[rows])
    return out


def complete_values(
    model: OptimizationModel, x: FloatArray, w: FloatArray, centres: FloatArray | None = None
) -> FloatArray:
    """The full variable vector implied by ``x``, ``w`` and the ``centres`` per county
    (spending, totals, slacks)."""
    s, p, lp = model.sets, model.params, model.program
    vb = lp.var_blocks
    prov = s.province[s.staff_n]
    v = np.zeros(lp.n_vars)
    v[vb["x"]] = x
    v[vb["w"]] = w
    if s.centres is not None:
        if centres is None:
            raise ValueError("complete_values: the model has centres variables; give them")
        v[vb["centres"]] = centres
        v[vb["centres_over"]] = np.maximum(0.0, centres - s.centres.county_quota)
        v[vb["centres_under"]] = np.maximum(0.0, s.centres.county_quota - centres)
    spend = np.bincount(s.row_cell, weights=s.row_cost * x, minlength=s.n_cells)
    spend += np.bincount(staff_cell_of(s), w * p.worker_cost / MILLION, s.n_cells)
    v[vb["spend"]] = spend
    if "value" in vb:
        v[vb["value"]] = fill_pieces(model, x)
    band = p.quota_band or 0.0
    if "floor_short" in vb:
        served1 = np.bincount(s.row_n, np.where(s.row_t == 1, x, 0.0), s.n_neighborhoods)
        v[vb["floor_short"]] = np.maximum(0.0, p.floor_tier1 * s.tier1_need - served1)
        if "floor_level" in vb:
            target = p.floor_tier1 * s.tier1_need
            has = target > 0
            share = served1[has] / target[has] if has.any() else np.ones(1)
            v[vb["floor_level"]] = float(np.clip(share.min(), 0.0, 1.0))
        if "floor_maxmin_short" in vb:
            has = s.tier1_need > 0
            level = float(model.fixings.floor_level or 0.0)
            need = level * p.floor_tier1 * s.tier1_need[has]
            v[vb["floor_maxmin_short"]] = np.maximum(0.0, need - served1[has])
    for on, name, amount, by_p in (
        (worker_quota_on(p), "workers", w.sum(), np.bincount(prov, w, s.n_provinces)),
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


def fill_pieces(model: OptimizationModel, x: FloatArray) -> FloatArray:
    """The ``value`` pieces implied by ``x``: each cell's weighted units, steepest first."""
    s = model.sets
    shares = np.asarray(segment_widths(model.params.alpha, n_segments(model.params)))
    live = s.row_value >= 0
    q = np.bincount(s.row_value[live], (s.row_weight * x)[live], minlength=s.n_values)
    width = s.value_q[:, None] * shares[None, :]
    before = s.value_q[:, None] * (np.cumsum(shares) - shares)[None, :]
    out: FloatArray = np.clip(q[:, None] - before, 0.0, width).ravel()
    return out
