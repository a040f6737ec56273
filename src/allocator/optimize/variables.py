"""Variable blocks (``docs/model.md``, section "Variables").

=====================  ===========  ==========================================================
block                  index        meaning
=====================  ===========  ==========================================================
``x``                  r in R       units served of demand row r, in [0, units_r]
``w``                  n in N       social workers of neighborhood n (integer, custodian's pool)
``spend``              c in C       million toman spent in cell c = (province, agency)
``workers_total``      -            total workers (only with worker quotas)
``spend_total``        -            total million toman spent (only with budget quotas)
``floor_short``        n in N       tier-1 units short of the equity floor in n (slack)
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

import numpy as np

from allocator.optimize.lp import INF, ProgramBuilder
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import ModelSets


def worker_quota_on(params: OptimizeParams) -> bool:
    return params.quota_band is not None and params.quota_workers


def budget_quota_on(params: OptimizeParams) -> bool:
    return params.quota_band is not None and params.quota_budget


def add_variables(b: ProgramBuilder, sets: ModelSets, params: OptimizeParams) -> list[str]:
    """Add every variable block the parameters call for; returns the block names."""
    b.add_vars("x", np.zeros(sets.n_rows), sets.units)
    b.add_vars("w", np.zeros(sets.n_neighborhoods), sets.w_max, integer=True)
    b.add_vars("spend", np.zeros(sets.n_cells), np.full(sets.n_cells, INF))
    n_p = sets.n_provinces
    if worker_quota_on(params):
        b.add_vars("workers_total", np.zeros(1), np.full(1, INF))
    if budget_quota_on(params):
        b.add_vars("spend_total", np.zeros(1), np.full(1, INF))
    if params.floor_tier1 > 0:
        b.add_vars("floor_short", np.zeros(sets.n_neighborhoods), sets.tier1_need)
    if worker_quota_on(params):
        b.add_vars("quota_workers_over", np.zeros(n_p), np.full(n_p, INF))
        b.add_vars("quota_workers_under", np.zeros(n_p), np.full(n_p, INF))
    if budget_quota_on(params):
        b.add_vars("quota_budget_over", np.zeros(n_p), np.full(n_p, INF))
        b.add_vars("quota_budget_under", np.zeros(n_p), np.full(n_p, INF))
    return list(b.var_blocks)
