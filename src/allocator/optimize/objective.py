"""Objective terms (``docs/model.md``, section "Objective").

``fair`` (scenario default):
maximize  sum_v value_s(v) sum_j slope_j value_{v,j}  (outcome points, concave in coverage)
``linear`` (the former objective):
maximize  sum_r weight_t(r) x_r                      (priority-weighted need met)
and in both
        - worker_epsilon * sum_n w_n                  (no idle workers)
        - centre_epsilon * sum_q (centres_over_q + centres_under_q)
                                                      (centres no need calls for follow files)
        - penalty_floor * sum_n floor_short_n         (soft equity floor)
        - penalty_quota_workers * sum_p (over + under) (soft worker quotas)
        - penalty_quota_budget * sum_p (over + under)  (soft budget quotas)

Penalties left ``None`` are set so that breaking a soft constraint never pays: ten times the
most any unit of slack could buy elsewhere (:func:`penalties`).

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.sets import ModelSets
    >>> pen = penalties(ModelSets.build(synthetic_demand(3, 4, 0), OptimizeParams()),
    ...                 OptimizeParams())
    >>> sorted(pen)
    ['floor', 'floor_maxmin', 'quota_budget', 'quota_workers']
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.lp import LinearProgram
from allocator.optimize.outcomes import segment_slopes
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import ModelSets
from allocator.optimize.variables import fair_on, n_segments
from allocator.types import FloatArray

#: slack block -> penalty key
SLACK_BLOCKS = {
    "floor_short": "floor",
    "floor_maxmin_short": "floor_maxmin",
    "quota_workers_over": "quota_workers",
    "quota_workers_under": "quota_workers",
    "quota_budget_over": "quota_budget",
    "quota_budget_under": "quota_budget",
}


def penalties(sets: ModelSets, params: OptimizeParams) -> dict[str, float]:
    """Penalty per unit of slack: given, or ten times the most a unit of slack could buy.

    * floor (per tier-1 unit short): the resources of one unit can serve at most
      max cost / min cost units elsewhere, each worth at most the top weight;
    * worker quota (per worker): one worker carries ``caseload`` case files, i.e. at most
      ``caseload * max(units / case files)`` units;
    * budget quota (per million toman): at most ``1 / min cost`` units.
    """
    top = max(params.tier_weights) * top_value(sets, params)
    cost = sets.row_cost[sets.row_cost > 0]
    cmin = float(cost.min()) if cost.size else 1.0
    cmax = float(cost.max()) if cost.size else 1.0
    cf = sets.row_cf[sets.row_cf > 0]
    units_per_file = float((1.0 / cf).max()) if cf.size else 1.0
    auto = {
        "floor": 10.0 * top * max(1.0, cmax / cmin),
        "quota_workers": 10.0 * top * params.caseload * units_per_file,
        "quota_budget": 10.0 * top / cmin,
    }
    given = {
        "floor": params.penalty_floor,
        "quota_workers": params.penalty_quota_workers,
        "quota_budget": params.penalty_quota_budget,
    }
    out = {k: auto[k] if given[k] is None else float(given[k] or 0.0) for k in auto}
    out["floor_maxmin"] = 10.0 * out["floor"]  # the max-min share comes before the rest
    return out


def top_value(sets: ModelSets, params: OptimizeParams) -> float:
    """The most objective a weighted unit can earn, per tier weight (1 in linear mode)."""
    if not fair_on(params) or sets.n_values == 0:
        return 1.0
    vmax = float(sets.service_value[sets.value_s].max())
    return max(vmax, 1e-9) * segment_slopes(params.alpha, n_segments(params))[0]


def value_coefficients(sets: ModelSets, params: OptimizeParams) -> FloatArray:
    """Objective of every ``value`` variable: outcome value of its service x piece slope."""
    slopes = np.asarray(segment_slopes(params.alpha, n_segments(params)))
    per_cell = sets.service_value[sets.value_s]
    out: FloatArray = (per_cell[:, None] * slopes[None, :]).ravel()
    return out


def weighted_objective(
    lp: LinearProgram, sets: ModelSets, params: OptimizeParams, pen: dict[str, float]
) -> FloatArray:
    """The objective of the weighted tier mode (see module docstring)."""
    obj = np.zeros(lp.n_vars)
    if fair_on(params):
        obj[lp.var_blocks["value"]] = value_coefficients(sets, params)
    else:
        obj[lp.var_blocks["x"]] = sets.row_weight
    obj[lp.var_blocks["w"]] = -params.worker_epsilon
    obj += centre_tiebreak(lp, params) + penalty_objective(lp, pen)
    return obj


def centre_tiebreak(lp: LinearProgram, params: OptimizeParams) -> FloatArray:
    """``- centre_epsilon`` per centre away from its county's case-file quota (none without
    ``centres`` variables). With a fixed total, the fewest centres away from the quotas are
    the largest-remainder apportionment: where no slot row binds, the optimizer's centres
    are the apportioned ones."""
    obj = np.zeros(lp.n_vars)
    for block in ("centres_over", "centres_under"):
        if block in lp.var_blocks:
            obj[lp.var_blocks[block]] = -params.centre_epsilon
    return obj


def penalty_objective(lp: LinearProgram, pen: dict[str, float]) -> FloatArray:
    """``- penalty * slack`` over every slack block present."""
    obj = np.zeros(lp.n_vars)
    for block, key in SLACK_BLOCKS.items():
        if block in lp.var_blocks:
            obj[lp.var_blocks[block]] = -pen[key]
    return obj


def tier_objective(lp: LinearProgram, sets: ModelSets, tier: int) -> FloatArray:
    """Units served in one tier (a stage of the lexicographic mode)."""
    obj = np.zeros(lp.n_vars)
    obj[lp.var_blocks["x"]] = (sets.row_t == tier).astype(np.float64)
    return obj


def floor_level_objective(lp: LinearProgram) -> FloatArray:
    """The max-min stage: the share t of every floor met."""
    obj = np.zeros(lp.n_vars)
    obj[lp.var_blocks["floor_level"]] = 1.0
    return obj
