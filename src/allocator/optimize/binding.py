"""Why a demand row was served less than its demand.

From the LP relaxation's duals y, the reduced cost of a row is
``rc_r = weight_r - sum_i A[i, r] y_i``: its value minus the price of the resources it uses.

* ``rc_r < 0``: the resources it needs are worth more to other rows: ``lower_priority``.
* otherwise the row is on the margin, and the reason is the constraint it takes part in that
  is *tight* in the final plan with the largest price per unit of the row (dual x
  coefficient): ``slots`` (its (n, s): a ``slots`` or ``centre_slots`` row), ``workers``
  (the ``caseload`` row of its neighborhood), ``agency_budget`` (its agency), ``budget``,
  or ``quota`` (``quota_budget_max`` of its province).
* no tight candidate: ``other`` (e.g. resources forced elsewhere by a floor or quota);
  a plan not solved to optimality: ``not_optimal``.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> plan = optimize(synthetic_demand(3, 4, 0), OptimizeParams(budget_total=1e9))
    >>> sorted(set(plan.binding) - {""})
    ['budget', 'lower_priority']
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.constants import BindingReason, Termination, TierMode
from allocator.optimize.model import OptimizationModel
from allocator.types import Array, FloatArray, IntArray

TOL = 1e-6
RC_TOL = 1e-7


def binding_reasons(
    model: OptimizationModel, values: FloatArray, duals: FloatArray, termination: Termination
) -> Array:
    """One reason per demand row ("" when fully served)."""
    s, lp = model.sets, model.program
    x = values[lp.var_blocks["x"]]
    short = x < s.units - TOL * np.maximum(1.0, s.units)
    out = np.full(s.n_rows, "", dtype=object)
    if not short.any():
        return out
    if termination not in (Termination.OPTIMAL, Termination.FEASIBLE):
        out[short] = BindingReason.NOT_OPTIMAL.value
        return out
    activity = lp.row_activity(values)
    y = duals if duals.size == lp.n_rows else np.zeros(lp.n_rows)
    # reduced costs need the duals of the weighted objective (not a lexicographic stage's)
    has_duals = duals.size == lp.n_rows and model.params.tier_mode is TierMode.WEIGHTED
    priced = np.bincount(lp.cols, weights=lp.vals * y[lp.rows], minlength=lp.n_vars)
    rc = lp.obj[lp.var_blocks["x"]] - priced[lp.var_blocks["x"]]
    outpriced = has_duals & (rc < -RC_TOL * np.maximum(1.0, s.row_weight))
    cands: list[tuple[str, FloatArray]] = []  # reason, price

    def block(name: str, row_key: IntArray, n_keys: int) -> tuple[FloatArray, FloatArray] | None:
        """(tight flag, |dual|) per row of the demand, through the key of ``name``."""
        if name not in lp.row_blocks:
            return None
        sl = lp.row_blocks[name]
        tight_rows = activity[sl] >= lp.row_ub[sl] - TOL * np.maximum(1.0, np.abs(lp.row_ub[sl]))
        tight_k = np.zeros(n_keys, bool)
        dual_k = np.zeros(n_keys)
        tight_k[model.keys[name]] = tight_rows
        dual_k[model.keys[name]] = np.abs(y[sl])
        ok = row_key >= 0
        key = np.where(ok, row_key, 0)
        return np.where(ok, tight_k[key], False), np.where(ok, dual_k[key], 0.0)

    zeros = np.zeros(s.n_rows, dtype=np.int64)
    cf_key = s.row_staff
    centres = s.centres
    specs = (
        (BindingReason.SLOTS, "slots", s.row_group, s.n_groups, np.ones(s.n_rows)),
        (
            BindingReason.SLOTS,
            "centre_slots",
            s.row_group if centres is None else centres.row_group,
            0 if centres is None else centres.n_groups,
            np.ones(s.n_rows),
        ),
        (BindingReason.WORKERS, "caseload", cf_key, s.n_staff, s.row_cf),
        (BindingReason.AGENCY_BUDGET, "agency_budget", s.row_a, s.n_agencies, s.row_cost),
        (BindingReason.BUDGET, "budget", zeros, 1, s.row_cost),
        (BindingReason.QUOTA, "quota_budget_max", s.row_p, s.n_provinces, s.row_cost),
    )
    for reason, name, key, n_keys, coef in specs:
        got = block(name, key, max(n_keys, 1))
        if got is None:
            continue
        tight, dual = got
        price = np.where(tight, dual * coef + 1e-12, -1.0)
        cands.append((reason.value, price))
    if not cands:
        cands.append((BindingReason.OTHER.value, np.full(s.n_rows, -1.0)))
    prices = np.stack([c[1] for c in cands])
    best = np.argmax(prices, axis=0)
    has = prices.max(axis=0) >= 0
    names = np.array([c[0] for c in cands], dtype=object)
    chosen = np.where(has, names[best], BindingReason.OTHER.value)
    chosen = np.where(outpriced, BindingReason.LOWER_PRIORITY.value, chosen)
    out[short] = chosen[short]
    out[short & s.row_entitled] = BindingReason.UNFUNDED_ENTITLEMENT.value
    return out
