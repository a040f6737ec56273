"""Before the main solve: the max-min share of the floors and, when the entitlements
cannot all be funded, the part that can (phase 1); the clock of every stage.

The floor stage is skipped when a constructed plan meets every floor (:func:`floors_met`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

from allocator.optimize.constants import ObjectiveMode
from allocator.optimize.demand import Demand
from allocator.optimize.lp import LinearProgram
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.objective import floor_level_objective
from allocator.optimize.params import OptimizeParams
from allocator.optimize.rounding import complete_values
from allocator.optimize.sets import MILLION
from allocator.optimize.solvers import SolveOptions, SolverBackend
from allocator.optimize.variables import Fixings
from allocator.types import BoolArray, FloatArray

Progress = Callable[[str], None]
FLOOR_LEVEL_TOL = 1e-7  # relative slack when fixing the max-min floor share


@dataclass
class Clock:
    """Wall-clock seconds per stage of one optimization (``Plan.stage_seconds``)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the seconds of the ``with`` block to stage ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            self.seconds[name] = round(self.seconds.get(name, 0.0) + elapsed, 3)


def pre_stages(
    demand: Demand,
    params: OptimizeParams,
    backend: SolverBackend,
    opts: SolveOptions,
    messages: list[str],
    say: Progress,
    clock: Clock,
) -> tuple[Fixings, bool]:
    """Before the main solve: the max-min share of the floors (``floor_level`` stage), and
    the funded part of the entitlements when they cannot all be funded (phase 1).

    Returns the fixings of the main model and whether phase 1 ran.
    """
    if not (params.floor_tier1 > 0 and params.floor_maxmin):
        return Fixings(floor_level=None), False
    say("max-min stage: the share of every floor that can be met")
    # Neither stage needs the utility pieces: ``value_def`` can always be met (the pieces
    # of a cell add up to its whole weighted demand), so leaving them out (the linear
    # objective's blocks) changes no feasible x, w; it only makes the LPs smaller.
    params = replace(params, objective=ObjectiveMode.LINEAR)
    with clock.stage("floor_level"):
        model = build_model(demand, params)
        if floors_met(model):  # t* = 1, shown by a plan that meets every floor: no LP
            return Fixings(floor_level=1.0 - FLOOR_LEVEL_TOL), False
        lp = model.program.relaxed()
        res = backend.solve(lp.with_objective(floor_level_objective(lp)), opts)
    phase1 = False
    fix = Fixings()
    if not res.has_solution and model.sets.row_entitled.any():
        phase1 = True
        with clock.stage("phase1"):
            fix = Fixings(entitled_lb=funded_entitlements(model, backend, opts, messages, say))
        with clock.stage("floor_level"):
            model = build_model(demand, params, fix)
            lp = model.program.relaxed()
            res = backend.solve(lp.with_objective(floor_level_objective(lp)), opts)
    if not res.has_solution:
        messages.append(f"max-min floor stage {res.termination}: {res.message}")
        return replace(fix, floor_level=0.0), phase1
    level = float(res.values[lp.var_blocks["floor_level"]][0])
    level = max(0.0, min(1.0, level) * (1 - FLOOR_LEVEL_TOL))
    if level < 1 - 1e-6:
        messages.append(
            f"the equity floors cannot all be met: every neighborhood gets at least "
            f"{level:.1%} of its floor (max-min), the rest is penalised shortfall"
        )
    return replace(fix, floor_level=level), phase1


def floors_met(model: OptimizationModel) -> bool:
    """Whether every floor can be met in full (the max-min share t* is 1), shown by
    constructing a point of the LP relaxation that meets them: entitled rows at their
    lower bounds; in every neighborhood, its other tier-1 rows, cheapest per unit first
    (unit cost and the salary share of its case files), filled until the floor is met;
    workers = files served / caseload (continuous); everything else implied
    (:func:`complete_values`). If that point satisfies every row, t* = 1 without solving
    the stage's LP; if not, nothing is concluded and the LP decides.
    """
    s, p, lp = model.sets, model.params, model.program
    if "floor_level" not in lp.var_blocks or s.n_rows == 0:
        return False
    lb = lp.lb[lp.var_blocks["x"]]
    t1 = s.row_t == 1
    have = np.bincount(s.row_n, np.where(t1, lb, 0.0), s.n_neighborhoods)
    missing = np.maximum(0.0, p.floor_tier1 * s.tier1_need - have) * (1 + 1e-9)
    salary = np.where(s.row_staff >= 0, s.row_cf * p.worker_cost / MILLION / p.caseload, 0.0)
    (rows,) = np.nonzero(t1 & (s.units > lb))
    rows = rows[np.lexsort((s.row_cost[rows] + salary[rows], s.row_n[rows]))]
    n, room = s.row_n[rows], s.units[rows] - lb[rows]
    cum = np.cumsum(room)
    first = np.r_[True, n[1:] != n[:-1]] if rows.size else np.zeros(0, np.bool_)
    before = cum - room - np.maximum.accumulate(np.where(first, cum - room, 0.0))
    x = lb.copy()
    x[rows] += np.clip(missing[n] - before, 0.0, room)
    live = s.row_staff >= 0
    files = np.bincount(s.row_staff[live], (s.row_cf * x)[live], s.n_staff)
    w = np.minimum(files / p.caseload, s.w_max)
    values = complete_values(model, x, w)
    level = float(values[lp.var_blocks["floor_level"]][0])
    return level >= 1.0 and satisfies_hard_rows(lp, values)


def funded_entitlements(
    model: OptimizationModel,
    backend: SolverBackend,
    opts: SolveOptions,
    messages: list[str],
    say: Progress,
) -> FloatArray:
    """Phase 1: the most entitled demand the hard constraints allow (minimum unfunded).

    Returns the lower bounds of ``x`` for the main model (the funded entitled units).
    """
    say("phase 1: entitlements cannot all be funded; finding the most that can")
    demand = model.demand  # as in pre_stages: the utility pieces do not restrict x
    params = replace(model.params, objective=ObjectiveMode.LINEAR)
    fix = Fixings(entitled_lb=np.zeros(model.sets.n_rows), floor_level=0.0)
    m1 = build_model(demand, params, fix)
    lp = m1.program.relaxed()
    obj = np.zeros(lp.n_vars)
    obj[lp.var_blocks["x"]] = m1.sets.row_entitled.astype(np.float64)
    res = backend.solve(lp.with_objective(obj), opts)
    if not res.has_solution:
        messages.append(f"phase 1 (entitlements) {res.termination}: {res.message}")
        return np.zeros(model.sets.n_rows)
    x = res.values[lp.var_blocks["x"]]
    messages.append("entitlements not funded in full: see 'entitlements' in summary.json")
    out: FloatArray = np.where(m1.sets.row_entitled, np.maximum(0.0, x * (1 - 1e-9) - 1e-9), 0.0)
    return out


def _broken(lp: LinearProgram, values: FloatArray, tol: float) -> BoolArray:
    """Rows ``values`` breaks by more than ``tol`` relative to the size of the row's terms
    (a definition row that sums 60,000 neighborhoods' spending is exact only to the
    rounding of that sum, not to ``tol`` of its zero activity)."""
    act = lp.row_activity(values)
    size = np.bincount(lp.rows, weights=np.abs(lp.vals * values[lp.cols]), minlength=lp.n_rows)
    slack = tol * np.maximum(1.0, np.maximum(np.abs(act), size))
    broken: BoolArray = (act > lp.row_ub + slack) | (act < lp.row_lb - slack)
    return broken


def satisfies_hard_rows(lp: LinearProgram, values: FloatArray, tol: float = 1e-7) -> bool:
    """Whether ``values`` satisfies every hard row (rows with a slack column are soft and
    satisfied by :func:`complete_values`) within a relative tolerance."""
    return not bool(_broken(lp, values, tol).any())


def broken_rows(lp: LinearProgram, values: FloatArray, tol: float = 1e-7) -> str:
    """The blocks of the hard rows ``values`` breaks (as :func:`satisfies_hard_rows`
    checks them), with how many of each: ``''`` when none is."""
    bad = _broken(lp, values, tol)
    counts = {name: int(bad[sl].sum()) for name, sl in lp.row_blocks.items() if bad[sl].any()}
    return ", ".join(f"{n} {name} row{'s' if n > 1 else ''}" for name, n in counts.items())
