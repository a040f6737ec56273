"""Variable blocks (``docs/model.md``, section "Variables").

=====================  ===========  ==========================================================
block                  index        meaning
=====================  ===========  ==========================================================
``x``                  r in R       units served of demand row r, in [0, units_r]
``w``                  k in K       social workers of staff cell k = (neighborhood, agency),
                                    integer, from the agency's pool
``spend``              c in C       million toman spent in cell c = (province, agency)
``value``              (v, j)       tier-weighted units of value cell v on piece j of the
                                    concave utility, in [0, q_v / K] (``fair`` objective)
``floor_level``        -            share t of every floor met (max-min stage only)
``workers_total``      -            total workers (only with worker quotas)
``spend_total``        -            total million toman spent (only with budget quotas)
``floor_short``        n in N       tier-1 units short of the equity floor in n (slack)
``centres``            q in Q       whole centres of county q, integer, in [0, total]
                                    (``centres: {method: optimize}`` only)
``centres_over``       q in Q       centres above q's case-file quota (tie-break)
``centres_under``      q in Q       centres below it (tie-break)
``quota_workers_over``  p in P      workers above province p's quota band (slack)
``quota_workers_under`` p in P      workers below the band (slack)
``quota_budget_over``   p in P      million toman above the band (slack)
``quota_budget_under``  p in P      million toman below the band (slack)
=====================  ===========  ==========================================================

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.sets import ModelSets
    >>> b = ProgramBuilder()
    >>> add_variables(b, ModelSets.build(synthetic_demand(2, 2, 0), OptimizeParams()),
    ...               OptimizeParams())
    ['x', 'w', 'spend']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.optimize.constants import ObjectiveMode
from allocator.optimize.lp import INF, ProgramBuilder
from allocator.optimize.outcomes import segment_widths
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import ModelSets
from allocator.types import FloatArray


def worker_quota_on(params: OptimizeParams) -> bool:
    return params.quota_band is not None and params.quota_workers


def budget_quota_on(params: OptimizeParams) -> bool:
    return params.quota_band is not None and params.quota_budget


@dataclass(frozen=True, eq=False)
class Fixings:
    """What earlier solves of one optimization fixed (``solve.py``).

    ``entitled_lb``: lower bound of every row's ``x`` where entitled (None: its demand,
    i.e. served in full); ``floor_level``: the max-min share of the floors found by the
    ``floor_level`` stage (None: the variable is in the model and free).
    """

    entitled_lb: FloatArray | None = None
    floor_level: float | None = None


def fair_on(params: OptimizeParams) -> bool:
    return params.objective is ObjectiveMode.FAIR


def n_segments(params: OptimizeParams) -> int:
    """Pieces of the utility: one when alpha = 0 (linear in coverage)."""
    return 1 if params.alpha == 0 else params.segments


def add_variables(
    b: ProgramBuilder, sets: ModelSets, params: OptimizeParams, fix: Fixings | None = None
) -> list[str]:
    """Add every variable block the parameters call for; returns the block names."""
    fix = fix or Fixings()
    ent_lb = sets.units if fix.entitled_lb is None else np.minimum(fix.entitled_lb, sets.units)
    b.add_vars("x", np.where(sets.row_entitled, ent_lb, 0.0), sets.units)
    b.add_vars("w", np.zeros(sets.n_staff), sets.w_max, integer=True)
    b.add_vars("spend", np.zeros(sets.n_cells), np.full(sets.n_cells, INF))
    if fair_on(params):
        widths = np.asarray(segment_widths(params.alpha, n_segments(params)))
        b.add_vars("value", np.zeros(sets.n_values * widths.size),
                   (sets.value_q[:, None] * widths[None, :]).ravel())  # fmt: skip
    n_p = sets.n_provinces
    if worker_quota_on(params):
        b.add_vars("workers_total", np.zeros(1), np.full(1, INF))
    if budget_quota_on(params):
        b.add_vars("spend_total", np.zeros(1), np.full(1, INF))
    if params.floor_tier1 > 0 and params.floor_maxmin and fix.floor_level is None:
        b.add_vars("floor_level", np.zeros(1), np.ones(1))
    if params.floor_tier1 > 0 and params.floor_maxmin and fix.floor_level is not None:
        has = sets.tier1_need > 0
        level = fix.floor_level * params.floor_tier1 * sets.tier1_need[has]
        b.add_vars("floor_maxmin_short", np.zeros(int(has.sum())), level)
    if params.floor_tier1 > 0:
        b.add_vars("floor_short", np.zeros(sets.n_neighborhoods), sets.tier1_need)
    if sets.centres is not None:
        n_q = sets.centres.n_counties
        b.add_vars("centres", np.zeros(n_q), sets.centres.county_max, integer=True)
        b.add_vars("centres_over", np.zeros(n_q), np.full(n_q, INF))
        b.add_vars("centres_under", np.zeros(n_q), np.full(n_q, INF))
    if worker_quota_on(params):
        b.add_vars("quota_workers_over", np.zeros(n_p), np.full(n_p, INF))
        b.add_vars("quota_workers_under", np.zeros(n_p), np.full(n_p, INF))
    if budget_quota_on(params):
        b.add_vars("quota_budget_over", np.zeros(n_p), np.full(n_p, INF))
        b.add_vars("quota_budget_under", np.zeros(n_p), np.full(n_p, INF))
    return list(b.var_blocks)
