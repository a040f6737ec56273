"""Whole workers per staff cell chosen by what they are worth at the LP relaxation's prices.

The fast path's first integer step used to round each staff cell's workers to the nearest
whole worker (from half a caseload on). With paid workers and concave values that loses a
lot: below half a caseload a cell gets no worker and loses every case file it serves,
although the first files of a cell are worth far more than the marginal file the LP's
prices describe (on national-2020, 1.58% of the objective against 0.44% here).

Here every staff cell k gets a short list of whole worker counts m (from one below the
LP's count rounded down to two above it rounded up), each with an estimate of the
objective's change against the LP relaxation, at the relaxation's row prices y:

* salary: (m - w_k) times the worker column's reduced cost without its caseload row;
* fewer files than the LP serves: the files with the least net worth are cut, file by
  file: a row's unit on piece j of its value cell is worth ``omega * v_s * sigma_j`` plus
  its reduced cost without the rows of :data:`LOCAL_ROWS` (money, pools, quotas, floors
  at their prices), per case file of the row;
* more files: the unserved units of positive net worth are added, best first, up to the
  room left in their slot groups.

A row's share of its value cell's pieces is its share of the cell's weighted units.

A small MIP (one binary per option; the worker pools and the province quota bands, with
the main model's slack penalties) then picks one count per cell. The polish re-solves x
with these workers fixed, so the estimate only chooses; the plan's objective is exact.

Examples:
    >>> opts = WorkerOptions(np.array([0, 0, 1]), np.array([0.0, 1.0, 2.0]),
    ...                      np.array([-5.0, 1.0, 0.5]))
    >>> opts.best().tolist()
    [1.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.constants import TierMode
from allocator.optimize.lp import LinearProgram, ProgramBuilder
from allocator.optimize.model import OptimizationModel
from allocator.optimize.outcomes import segment_slopes, segment_widths
from allocator.optimize.solvers import SolveOptions, SolverBackend, get_backend
from allocator.optimize.variables import n_segments, worker_quota_on
from allocator.types import FloatArray, IntArray

#: rows left out of a unit's net worth: the caseload row is what the options vary, the
#: value rows are the pieces' worth, and a slot a cell's cut frees is worth its price only
#: to rows of the same (neighborhood, service) group, which mostly need the same workers
LOCAL_ROWS = ("caseload", "value_def", "slots", "centre_slots")
SPREAD = 2  # options up to this many workers above the LP's count rounded up
TOL = 1e-9
CHOICE_TIME_LIMIT_S = 10.0  # per small MIP (they are network flows, solved at the root)
SCAN = 2  # totals tried either side of the ternary search's end


@dataclass(frozen=True)
class WorkerOptions:
    """Whole worker counts per staff cell and their estimated objective change."""

    cell: IntArray  # staff cell of every option (sorted)
    count: FloatArray  # whole workers
    gain: FloatArray  # estimated change of the objective against the LP relaxation

    def best(self) -> FloatArray:
        """Every cell's best count on its own (no pools, no quotas)."""
        order = np.lexsort((-self.gain, self.cell))
        first = np.r_[True, self.cell[order][1:] != self.cell[order][:-1]]
        out: FloatArray = self.count[order][first]
        return out


def worker_options(
    model: OptimizationModel, relax: LinearProgram, values: FloatArray, duals: FloatArray
) -> WorkerOptions:
    """The options of every staff cell at the relaxation's ``values`` and row ``duals``."""
    s, p = model.sets, model.params
    vb, rb = relax.var_blocks, relax.row_blocks
    x, w = values[vb["x"]], values[vb["w"]]
    y = duals.copy()
    for name in LOCAL_ROWS:
        if name in rb:
            y[rb[name]] = 0.0
    aty = np.bincount(relax.cols, relax.vals * y[relax.rows], minlength=relax.n_vars)
    reduced = relax.obj - aty
    per_unit, per_worker = reduced[vb["x"]], reduced[vb["w"]]
    (rows,) = np.nonzero((s.row_staff >= 0) & (relax.ub[vb["x"]] > relax.lb[vb["x"]]))
    cells, cf = s.row_staff[rows], s.row_cf[rows]
    served = x[rows] - relax.lb[vb["x"]][rows]
    room = np.minimum(relax.ub[vb["x"]][rows] - x[rows], _slot_room(model, relax, values)[rows])
    pieces = _pieces(model, x, rows)
    k_all = np.tile(cells, len(pieces))
    worth = np.concatenate([(per_unit[rows] + slope) / cf for slope, _, _ in pieces])
    cut_f = np.concatenate([cf * served * share_in for _, share_in, _ in pieces])
    add_f = np.concatenate([cf * room * share_out for _, _, share_out in pieces])
    staffed = s.row_staff >= 0
    files = np.bincount(s.row_staff[staffed], (s.row_cf * x)[staffed], minlength=s.n_staff)
    cut = _Curve(k_all, cut_f, worth, s.n_staff)
    keep = worth > 0  # the add curve: best first (its worth is stored negated)
    add = _Curve(k_all[keep], add_f[keep], -worth[keep], s.n_staff)
    lo = np.maximum(0.0, np.floor(w + 1e-6) - 1)
    hi = np.minimum(s.w_max, np.maximum(lo, np.ceil(w - 1e-6) + SPREAD))
    n_opt = (hi - lo + 1).astype(np.int64)
    cell = np.repeat(np.arange(s.n_staff), n_opt)
    count = lo[cell] + (np.arange(cell.size) - np.repeat(np.cumsum(n_opt) - n_opt, n_opt))
    spare = p.caseload * count - files[cell]
    gain = (count - w[cell]) * per_worker[cell]
    short = np.maximum(0.0, -spare)
    lost, possible = cut.take(cell, short)
    gain -= lost
    gain -= add.take(cell, np.maximum(0.0, spare))[0]  # add's worth is stored negated
    ok = possible | (short <= TOL)
    return WorkerOptions(cell[ok], count[ok], gain[ok])


def _slot_room(model: OptimizationModel, relax: LinearProgram, values: FloatArray) -> FloatArray:
    """Units every row could add before its slot group (or centre slot group) is full."""
    s, vb = model.sets, relax.var_blocks
    x = values[vb["x"]]
    room = np.full(x.size, np.inf)
    groups = [(s.row_group, s.group_cap)]
    if s.centres is not None and "centres" in vb:
        c = s.centres
        groups.append((c.row_group, c.per_centre * values[vb["centres"]][c.group_county]))
    for key, cap in groups:
        live = key >= 0
        if not live.any():
            continue
        free = cap - np.bincount(key[live], x[live], minlength=cap.size)
        room[live] = np.maximum(0.0, free[key[live]])
    return room


def _pieces(
    model: OptimizationModel, x: FloatArray, rows: IntArray
) -> list[tuple[FloatArray, FloatArray, FloatArray]]:
    """Per piece j of the rows' value cells: the worth of a unit there
    (``omega * v_s * sigma_j``), the share of the row's served units on it and the share
    of its unserved units that would land on it."""
    s, p = model.sets, model.params
    if "value" not in model.program.var_blocks:  # linear objective: x carries its worth
        return [(np.zeros(rows.size), np.ones(rows.size), np.ones(rows.size))]
    k = n_segments(p)
    widths = np.asarray(segment_widths(p.alpha, k))
    slopes = np.asarray(segment_slopes(p.alpha, k))
    has = s.row_value >= 0
    q = np.bincount(s.row_value[has], (s.row_weight * x)[has], minlength=s.n_values)
    v = s.row_value[rows]
    live = v >= 0
    v = np.where(live, v, 0)
    qv, cap = q[v], s.value_q[v]
    start = np.cumsum(widths) - widths
    out = []
    for j in range(k):
        lo, width = cap * start[j], cap * widths[j]
        filled = np.clip(qv - lo, 0.0, width)
        share_in = np.divide(filled, qv, out=np.zeros(rows.size), where=qv > TOL)
        free = np.maximum(0.0, cap - qv)
        share_out = np.divide(width - filled, free, out=np.zeros(rows.size), where=free > TOL)
        worth = s.row_weight[rows] * s.service_value[s.value_s[v]] * slopes[j]
        out.append((np.where(live, worth, 0.0), np.where(live, share_in, 0.0),
                    np.where(live, share_out, 0.0)))  # fmt: skip
    return out


class _Curve:
    """Segments (cell, files, worth per file), cheapest first within each cell: the
    worth of the first ``amount`` files of a cell."""

    def __init__(self, cell: IntArray, files: FloatArray, worth: FloatArray, n: int) -> None:
        keep = files > TOL
        order = np.lexsort((worth[keep], cell[keep]))
        self.cell, f, g = cell[keep][order], files[keep][order], worth[keep][order]
        self.g = g
        self.cum_f = np.r_[0.0, np.cumsum(f)]
        self.cum_v = np.r_[0.0, np.cumsum(f * g)]
        bounds = np.searchsorted(self.cell, np.arange(n + 1))
        self.start, self.end = bounds[:-1], bounds[1:]

    def take(self, cell: IntArray, amount: FloatArray) -> tuple[FloatArray, np.ndarray]:
        """Worth of the first ``amount`` files of each ``cell``; whether it has as many."""
        base = self.cum_f[self.start[cell]]
        total = self.cum_f[self.end[cell]] - base
        target = base + np.minimum(amount, total)
        i = np.clip(np.searchsorted(self.cum_f, target, side="left") - 1,
                    self.start[cell], np.maximum(self.start[cell], self.end[cell] - 1))  # fmt: skip
        part = np.where(self.end[cell] > self.start[cell], target - self.cum_f[i], 0.0)
        g = self.g[np.minimum(i, self.g.size - 1)] if self.g.size else np.zeros(cell.size)
        worth = self.cum_v[i] - self.cum_v[self.start[cell]] + part * g
        return worth, amount <= total + TOL


def choose_workers(
    model: OptimizationModel, options: WorkerOptions, backend: SolverBackend, opts: SolveOptions
) -> FloatArray | None:
    """One count per staff cell: the options' best total within the worker pools and the
    province quota bands (their slack at the main model's penalty). None if a solve fails.

    The options of a cell are consecutive counts with a concave gain: one count per cell
    and a step per count above its lowest option, whose gains fall, so the steps are
    taken in order. With the total number of workers W fixed, the quota bands are whole
    bounds on each province's sum and the program is a network flow (agency pool -> cell
    -> province), whose LP optimum is whole; W is searched around the LP's optimum
    (ternary search, then :data:`SCAN` totals either side).
    """
    s, p = model.sets, model.params
    n = s.n_staff
    first = np.r_[True, options.cell[1:] != options.cell[:-1]]
    if np.unique(options.cell).size != n or not _concave(options):
        return None
    lo = options.count[first]
    hi = options.count[np.r_[first[1:], True]]
    same = ~first[1:]
    step, step_cell = np.diff(options.gain)[same], options.cell[1:][same]
    b = ProgramBuilder()
    m = b.add_vars("m", lo, hi, integer=True)
    d = b.add_vars("step", np.zeros(step.size), np.ones(step.size), step)
    b.add_rows("steps", n, np.r_[np.arange(n), step_cell],
               np.r_[m.start + np.arange(n), d.start + np.arange(step.size)],
               np.r_[np.ones(n), -np.ones(step.size)], lo, lo)  # fmt: skip
    prov = s.province[s.staff_n]
    names = model.demand.agencies, model.demand.provinces
    for key, limits, vocab in ((s.staff_a, p.workers_agency, names[0]),
                               (prov, p.workers_province, names[1])):  # fmt: skip
        for name, cap in limits.items():
            (sel,) = np.nonzero(key == vocab.index(name))
            b.add_rows(f"pool_{name}", 1, np.zeros(sel.size, np.int64), m.start + sel,
                       np.ones(sel.size), ub=np.array([float(cap)]))  # fmt: skip
    total = p.workers_total if p.workers_total is not None else np.inf
    b.add_rows("total", 1, np.zeros(n, np.int64), m.start + np.arange(n), np.ones(n),
               np.array([lo.sum()]), np.array([min(hi.sum(), total)]))  # fmt: skip
    if not worker_quota_on(p):
        res = backend.solve(b.build(), opts)
        return np.round(res.values[m]) if res.has_solution else None
    n_p, band, allow = s.n_provinces, p.quota_band or 0.0, p.quota_worker_allowance
    pen = np.full(n_p, -model.penalties["quota_workers"])
    over = b.add_vars("over", np.zeros(n_p), np.full(n_p, np.inf), pen)
    under = b.add_vars("under", np.zeros(n_p), np.full(n_p, np.inf), pen)
    rows = b.add_rows("quota", n_p, np.r_[prov, np.arange(n_p), np.arange(n_p)],
                      np.r_[m.start + np.arange(n), over.start + np.arange(n_p),
                            under.start + np.arange(n_p)],
                      np.r_[np.ones(n), -np.ones(n_p), np.ones(n_p)])  # fmt: skip
    lp, tot = b.build(), b.row_blocks["total"].start
    tried: dict[int, tuple[float, FloatArray]] = {}

    def at(workers: int) -> float:
        """The best plan with ``workers`` in all (whole bounds: a network flow)."""
        if workers not in tried:
            rlb, rub = lp.row_lb.copy(), lp.row_ub.copy()
            rlb[tot] = rub[tot] = workers
            share = s.province_share * workers
            rub[rows] = np.floor(allow + (1 + band) * share + 1e-9)
            rlb[rows] = np.minimum(np.ceil((1 - band) * share - allow - 1e-9), rub[rows])
            res = backend.solve(replace(lp, row_lb=rlb, row_ub=rub), opts)
            value = res.objective if res.has_solution else -np.inf
            tried[workers] = value, (np.round(res.values[m]) if res.has_solution else lo)
        return tried[workers][0]

    low, high = int(lp.row_lb[tot]), int(lp.row_ub[tot])
    while high - low > 2:  # the value is (nearly) concave in the total: ternary search
        a, c = low + (high - low) // 3, high - (high - low) // 3
        if at(a) < at(c):
            low = a + 1
        else:
            high = c - 1
    best = max(range(low - SCAN, high + SCAN + 1), key=lambda k: at(k) if k >= 0 else -np.inf)
    if not np.isfinite(tried[best][0]):
        return None
    return tried[best][1]


def _concave(options: WorkerOptions) -> bool:
    """Whether every cell's options are consecutive counts with falling gains per step."""
    same = options.cell[1:] == options.cell[:-1]
    gains = np.diff(options.gain)
    rising = same[1:] & same[:-1] & (np.diff(gains) > 1e-9 * (1 + np.abs(gains[1:])))
    return bool(np.all(np.diff(options.count)[same] == 1) and not rising.any())


def priced_workers(
    model: OptimizationModel,
    relax: LinearProgram,
    values: FloatArray,
    x: FloatArray,
    duals: FloatArray,
    opts: SolveOptions,
) -> FloatArray | None:
    """Whole workers per staff cell by their worth at the relaxation's prices
    (:func:`worker_options` at the relaxation's ``values`` with the served units ``x``,
    :func:`choose_workers`); None where that does not apply (lexicographic tiers, no
    duals, no MIP solver) or the choice fails: the caller rounds to the nearest."""
    backend = get_backend(model.params.solver)
    if model.params.tier_mode is not TierMode.WEIGHTED or duals.size != relax.n_rows:
        return None
    if not backend.supports_mip or model.sets.n_staff == 0:
        return None
    values = values.copy()
    values[relax.var_blocks["x"]] = x
    opts = replace(opts, time_limit_s=min(opts.time_limit_s, CHOICE_TIME_LIMIT_S))
    return choose_workers(model, worker_options(model, relax, values, duals), backend, opts)
