"""The polish of a very large model, province by province.

With the workers (and centres) fixed, the polish re-solves the LP so that what is served
fits them. On a model too large to polish whole (at 60,000 neighborhoods the whole-model
polish passed 16 GB, and then 23 GB, where the process was killed) it is solved as the
relaxation is (:mod:`~allocator.optimize.decompose`): each province's LP on its own, with
its share of every shared row (budgets, pools) and the totals its quota rows refer to as
constants.

Each province's share of a shared row is what its fixed columns (paid workers, centres)
take of it, plus the rest of the row split in proportion to what the relaxation's plan
served there used; the shares add up to the row's amount. So every province can pay its
own workers, and the joined plan keeps every shared row. The result is a feasible plan of
the whole model, not its optimum with these workers: each province's share is fixed,
unless ``coordination_rounds`` moves the shares between provinces by rounds of a master
program, as for the relaxation (:func:`~allocator.optimize.coordinate.settle`).

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.model import build_model
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.decompose import decomposed_relaxation
    >>> from allocator.optimize.floor_stage import satisfies_hard_rows
    >>> from allocator.optimize.rounding import round_workers
    >>> m = build_model(synthetic_demand(40, 6, seed=1), OptimizeParams(budget_total=4e11,
    ...     workers_agency={"relief_committee": 30.0}, quota_band=0.2))
    >>> d = decomposed_relaxation(m, SolveOptions(), sample_every=4)
    >>> vb = m.program.var_blocks
    >>> w = round_workers(m, d.values[vb["x"]], d.values[vb["w"]])
    >>> fixed = m.program.relaxed().with_bounds("w", w, w)
    >>> values, _ = polish_by_province(m, fixed, d.values, SolveOptions())
    >>> satisfies_hard_rows(m.program, values), bool((values[vb["w"]] == w).all())
    (True, True)
"""

from __future__ import annotations

import numpy as np

from allocator.optimize.bounds import share_weighted_prices, total_ceilings
from allocator.optimize.coordinate import settle
from allocator.optimize.floor_stage import broken_rows
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.model import OptimizationModel
from allocator.optimize.province_passes import (
    ProvincesFailed,
    at_reached_totals,
    province_pass,
)
from allocator.optimize.provinces import ProvinceIndex
from allocator.optimize.rounding import complete_values
from allocator.optimize.solvers import SolveOptions
from allocator.optimize.split import Partition, partition_of
from allocator.types import FloatArray


def polish_by_province(
    model: OptimizationModel, fixed: LinearProgram, start: FloatArray, opts: SolveOptions
) -> tuple[FloatArray | None, str]:
    """A plan of ``fixed`` (the relaxation with the workers and centres fixed by their
    bounds) solved province by province, its shares read from ``start`` (the relaxation's
    values); ``None`` and why when there is none (a province has no solution with its
    share, or the fixed columns alone take more than a shared row holds)."""
    part = partition_of(model)
    vb = fixed.var_blocks
    centres = fixed.lb[vb["centres"]] if "centres" in vb else None
    begin = complete_values(model, start[vb["x"]], fixed.lb[vb["w"]], centres)
    shares = _shares(fixed, part, begin)
    if isinstance(shares, str):
        return None, shares
    totals = begin[part.global_cols]
    index = ProvinceIndex.of(fixed, part)
    try:
        done = province_pass(fixed, part, index, shares, totals, opts)
    except ProvincesFailed as exc:
        names = model.demand.provinces
        return None, "no plan within their shares in " + ", ".join(
            f"{names[p]} ({termination.value})" for p, termination in exc.failed
        )
    # The totals from the relaxation's plan with the workers rounded are not those the
    # polish reaches (the salaries moved).
    done, totals = at_reached_totals(fixed, part, index, done, shares, totals, opts)
    rounds = model.params.coordination_rounds
    if rounds:  # the shares moved between provinces, as for the relaxation
        ceilings = total_ceilings(fixed, part, index)
        prices = share_weighted_prices(done.pi, shares)
        bound = done.bound(fixed, part, shares, totals, ceilings)
        done, _, _ = settle(fixed, part, index, done, shares, totals, opts, ceilings,
                            prices, bound, rounds)  # fmt: skip
    values = done.joined(fixed.n_vars)
    return complete_values(model, values[vb["x"]], fixed.lb[vb["w"]], centres), ""


def polish_decomposed(
    model: OptimizationModel,
    relax: LinearProgram,
    w: FloatArray,
    start: FloatArray,
    keep: float | None,
    opts: SolveOptions,
    messages: list[str],
) -> FloatArray | None:
    """The polish of a decomposed model with the workers ``w``: :func:`polish_by_province`,
    again with the relaxation's workers rounded down if nothing fits and the rounded plan
    breaks a hard row (``keep`` is ``None``; otherwise it is the rounded plan's objective).
    ``None`` (and why, in ``messages``) if no plan keeps every hard row or the rounded
    plan is better."""
    values, why = polish_by_province(model, relax.with_bounds("w", w, w), start, opts)
    if values is None and keep is None:
        messages.append(f"polish by province with the workers rounded to nearest: {why}")
        w = np.floor(start[relax.var_blocks["w"]] + 1e-6)
        messages.append("worker counts rounded down: the rounded-up salaries broke a budget")
        values, why = polish_by_province(model, relax.with_bounds("w", w, w), start, opts)
    if values is not None and (broken := broken_rows(model.program, values)):
        why, values = f"it breaks {broken}", None
    if values is None:
        messages.append(f"the polish by province found no plan: {why}")
        return None
    if keep is not None and float(model.program.obj @ values) < keep:
        messages.append("the polish by province fell below the rounded plan: it is kept")
        return None
    rounds = model.params.coordination_rounds
    how = "its own workers' pay, and the rest as the relaxation's plan used it"
    messages.append(
        "polished province by province (each province's share of the shared budgets and "
        + (f"pools: {how}, then moved by up to {rounds} rounds of a master program)"
           if rounds else f"pools fixed: {how})")
    )  # fmt: skip
    return values


def _shares(lp: LinearProgram, part: Partition, at: FloatArray) -> FloatArray | str:
    """(province, shared row): what the fixed columns take, plus the rest of the row in
    proportion to the other columns' use at ``at``; why not, if the fixed columns alone
    take more than a row holds."""
    fixed_col = lp.lb == lp.ub
    n_p, n_k = part.n_groups, part.shared_rows.size
    pinned = np.zeros((n_p, n_k))
    used = np.zeros((n_p, n_k))
    position = np.full(lp.n_rows, -1, dtype=np.int64)
    position[part.shared_rows] = np.arange(n_k)
    on = np.flatnonzero(position[lp.rows] >= 0)
    group = part.column_group[lp.cols[on]]
    mine = group >= 0
    on, group = on[mine], group[mine]
    k = position[lp.rows[on]]
    amount = lp.vals[on] * at[lp.cols[on]]
    is_fixed = fixed_col[lp.cols[on]]
    np.add.at(pinned, (group[is_fixed], k[is_fixed]), amount[is_fixed])
    np.add.at(used, (group[~is_fixed], k[~is_fixed]), np.maximum(amount[~is_fixed], 0.0))
    caps = lp.row_ub[part.shared_rows]
    finite = np.isfinite(caps)
    left = np.where(finite, caps, 0.0) - pinned.sum(axis=0)
    over = finite & (left < -1e-6 * np.maximum(1.0, np.abs(np.where(finite, caps, 0.0))))
    if over.any():
        return "the fixed workers alone take more than " + ", ".join(
            _block(lp, int(r)) for r in part.shared_rows[over][:3]
        )
    weight = used.sum(axis=0)
    fallback = part.fallback_weights()
    split = np.where(weight > 0, used / np.where(weight > 0, weight, 1.0), fallback)
    shares = pinned + split * np.maximum(left, 0.0)
    return np.where(finite, shares, INF)


def _block(lp: LinearProgram, row: int) -> str:
    """The name of the block of rows ``row`` is in (``budget``, ``agency_budget``...)."""
    return next((name for name, sl in lp.row_blocks.items() if sl.start <= row < sl.stop), "?")
