"""Constraint blocks (``docs/model.md``, section "Constraints").

Every block is built from index arrays in one go. ``keys[block]`` tells, for each row of the
block, which neighborhood / agency / province / slot group / cell it belongs to.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.sets import ModelSets
    >>> from allocator.optimize.variables import add_variables
    >>> d = synthetic_demand(3, 4, seed=0)
    >>> p = OptimizeParams(budget_total=1e9, workers_agency={"relief_committee": 5})
    >>> s, b = ModelSets.build(d, p), ProgramBuilder()
    >>> _ = add_variables(b, s, p)
    >>> sorted(add_constraints(b, s, p, d.agencies, d.provinces))
    ['budget', 'caseload', 'spend_def', 'worker_pool_agency']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from allocator.errors import DataError
from allocator.optimize.lp import ProgramBuilder
from allocator.optimize.params import OptimizeParams
from allocator.optimize.sets import MILLION, ModelSets
from allocator.optimize.variables import (
    Fixings,
    budget_quota_on,
    fair_on,
    n_segments,
    worker_quota_on,
)
from allocator.types import IntArray


def add_constraints(
    b: ProgramBuilder,
    sets: ModelSets,
    params: OptimizeParams,
    agencies: tuple[str, ...],
    provinces: tuple[str, ...],
    fix: Fixings | None = None,
) -> dict[str, IntArray]:
    """Add every row block; returns the key array of each block."""
    keys: dict[str, IntArray] = {}
    _add_caseload(b, sets, params, keys)
    _add_worker_pools(b, sets, params, agencies, provinces, keys)
    _add_slots(b, sets, keys)
    _add_centres(b, sets, keys)
    _add_spending(b, sets, params, agencies, keys)
    if fair_on(params):
        _add_value_def(b, sets, params, keys)
    _add_quotas(b, sets, params, keys)
    _add_floors(b, sets, params, fix or Fixings(), keys)
    return keys


def _add_caseload(
    b: ProgramBuilder, sets: ModelSets, params: OptimizeParams, keys: dict[str, IntArray]
) -> None:
    """caseload[k]: sum_{r in k} cf_r x_r - caseload * w_k <= 0, per staff cell k."""
    x0, w0, nk = b.var_blocks["x"].start, b.var_blocks["w"].start, sets.n_staff
    (rows,) = np.nonzero(sets.row_staff >= 0)
    b.add_rows(
        "caseload", nk, np.concatenate([sets.row_staff[rows], np.arange(nk)]),
        np.concatenate([x0 + rows, w0 + np.arange(nk)]),
        np.concatenate([sets.row_cf[rows], np.full(nk, -params.caseload)]), ub=np.zeros(nk),
    )  # fmt: skip
    keys["caseload"] = np.arange(nk)


def _add_worker_pools(
    b: ProgramBuilder,
    sets: ModelSets,
    params: OptimizeParams,
    agencies: tuple[str, ...],
    provinces: tuple[str, ...],
    keys: dict[str, IntArray],
) -> None:
    """Pools of the employing agency, of the province, and in total: sum of w <= pool."""
    w0, nk = b.var_blocks["w"].start, sets.n_staff
    k_idx = np.arange(nk)
    for block, group, limits, names in (
        ("worker_pool_agency", sets.staff_a, params.workers_agency, agencies),
        ("worker_pool_province", sets.province[sets.staff_n], params.workers_province, provinces),
    ):
        which, cap = _limits(limits, names, block)
        if which.size:
            local = np.full(len(names), -1)
            local[which] = np.arange(which.size)
            member = local[group] >= 0
            b.add_rows(
                block, which.size, local[group][member], w0 + k_idx[member], np.ones(member.sum()),
                ub=cap,
            )  # fmt: skip
            keys[block] = which
    if params.workers_total is not None:
        b.add_rows(
            "worker_pool_total", 1, np.zeros(nk, np.int64), w0 + k_idx, np.ones(nk),
            ub=np.array([params.workers_total]),
        )  # fmt: skip
        keys["worker_pool_total"] = np.zeros(1, np.int64)


def _add_slots(b: ProgramBuilder, sets: ModelSets, keys: dict[str, IntArray]) -> None:
    """slots[g]: sum_{r in g} x_r <= cap_g."""
    limited = sets.row_group >= 0
    if sets.n_groups:
        b.add_rows(
            "slots", sets.n_groups, sets.row_group[limited],
            b.var_blocks["x"].start + np.flatnonzero(limited),
            np.ones(int(limited.sum())), ub=sets.group_cap,
        )  # fmt: skip
        keys["slots"] = np.arange(sets.n_groups)


def _add_centres(b: ProgramBuilder, sets: ModelSets, keys: dict[str, IntArray]) -> None:
    """Centres per county as variables (``centres: {method: optimize}``):

    * ``centre_slots[h]``: sum_{r in h} x_r - per_centre_h * centres_q(h) <= 0;
    * ``centres_total``: sum_q centres_q = total (every centre is placed, as apportioned);
    * ``centres_quota[q]``: centres_q - centres_over_q + centres_under_q = quota_q.
    """
    c = sets.centres
    if c is None:
        return
    vb, n_h, n_q = b.var_blocks, c.n_groups, c.n_counties
    y0, q_idx = vb["centres"].start, np.arange(n_q)
    (rows,) = np.nonzero(c.row_group >= 0)
    if n_h:
        b.add_rows(
            "centre_slots", n_h, np.concatenate([c.row_group[rows], np.arange(n_h)]),
            np.concatenate([vb["x"].start + rows, y0 + c.group_county]),
            np.concatenate([np.ones(rows.size), -c.per_centre]), ub=np.zeros(n_h),
        )  # fmt: skip
        keys["centre_slots"] = np.arange(n_h)
    total = np.array([float(c.total)])
    b.add_rows(
        "centres_total", 1, np.zeros(n_q, np.int64), y0 + q_idx, np.ones(n_q), lb=total, ub=total
    )
    keys["centres_total"] = np.zeros(1, np.int64)
    b.add_rows(
        "centres_quota", n_q, np.concatenate([q_idx, q_idx, q_idx]),
        np.concatenate([y0 + q_idx, vb["centres_over"].start + q_idx,
                        vb["centres_under"].start + q_idx]),
        np.concatenate([np.ones(n_q), -np.ones(n_q), np.ones(n_q)]),
        lb=c.county_quota, ub=c.county_quota,
    )  # fmt: skip
    keys["centres_quota"] = q_idx


def staff_cell_of(sets: ModelSets) -> IntArray:
    """The spending cell (province, agency) of every staff cell."""
    n_a = max(sets.n_agencies, 1)
    cell_key = sets.cell_p * n_a + sets.cell_a
    pos = np.searchsorted(cell_key, sets.province[sets.staff_n] * n_a + sets.staff_a)
    return pos.astype(np.int64)


def _add_spending(
    b: ProgramBuilder,
    sets: ModelSets,
    params: OptimizeParams,
    agencies: tuple[str, ...],
    keys: dict[str, IntArray],
) -> None:
    """spend_def[c]: sum cost_r x_r + worker_cost sum w_k - spend_c = 0; budget rows."""
    vb, nc, nk = b.var_blocks, sets.n_cells, sets.n_staff
    x0, w0, sp0 = vb["x"].start, vb["w"].start, vb["spend"].start
    wage = np.full(nk, params.worker_cost / MILLION)
    b.add_rows(
        "spend_def", nc, np.concatenate([sets.row_cell, staff_cell_of(sets), np.arange(nc)]),
        np.concatenate([x0 + np.arange(sets.n_rows), w0 + np.arange(nk), sp0 + np.arange(nc)]),
        np.concatenate([sets.row_cost, wage, -np.ones(nc)]), lb=np.zeros(nc), ub=np.zeros(nc),
    )  # fmt: skip
    keys["spend_def"] = np.arange(nc)
    if params.budget_total is not None:
        b.add_rows(
            "budget", 1, np.zeros(nc, np.int64), sp0 + np.arange(nc), np.ones(nc),
            ub=np.array([params.budget_total / MILLION]),
        )  # fmt: skip
        keys["budget"] = np.zeros(1, np.int64)
    which, cap = _limits(params.budget_agency, agencies, "budget_agency")
    if which.size:
        local = np.full(len(agencies), -1)
        local[which] = np.arange(which.size)
        member = local[sets.cell_a] >= 0
        b.add_rows(
            "agency_budget", which.size, local[sets.cell_a][member],
            sp0 + np.arange(nc)[member], np.ones(int(member.sum())), ub=cap / MILLION,
        )  # fmt: skip
        keys["agency_budget"] = which


def _add_value_def(
    b: ProgramBuilder, sets: ModelSets, params: OptimizeParams, keys: dict[str, IntArray]
) -> None:
    """value_def[v]: sum_{r in v} weight_r x_r - sum_j value_{v,j} = 0."""
    nv, k = sets.n_values, n_segments(params)
    (rows,) = np.nonzero(sets.row_value >= 0)
    z0 = b.var_blocks["value"].start
    b.add_rows(
        "value_def", nv, np.concatenate([sets.row_value[rows], np.repeat(np.arange(nv), k)]),
        np.concatenate([b.var_blocks["x"].start + rows, z0 + np.arange(nv * k)]),
        np.concatenate([sets.row_weight[rows], -np.ones(nv * k)]),
        lb=np.zeros(nv), ub=np.zeros(nv),
    )  # fmt: skip
    keys["value_def"] = np.arange(nv)


def _add_floors(
    b: ProgramBuilder,
    sets: ModelSets,
    params: OptimizeParams,
    fix: Fixings,
    keys: dict[str, IntArray],
) -> None:
    """floor[n]: tier-1 served_n + floor_short_n >= f * need_n (soft);
    floor_maxmin[n]: tier-1 served_n >= t * f * need_n (t: ``floor_level`` or its value)."""
    if params.floor_tier1 <= 0:
        return
    vb, nn = b.var_blocks, sets.n_neighborhoods
    n_idx = np.arange(nn)
    t1 = np.flatnonzero(sets.row_t == 1)
    x1 = vb["x"].start + t1
    target = params.floor_tier1 * sets.tier1_need
    b.add_rows(
        "floor", nn, np.concatenate([sets.row_n[t1], n_idx]),
        np.concatenate([x1, vb["floor_short"].start + n_idx]),
        np.ones(t1.size + nn), lb=target,
    )  # fmt: skip
    keys["floor"] = n_idx
    if not params.floor_maxmin:
        return
    (has,) = np.nonzero(target > 0)
    pos = np.full(nn, -1)
    pos[has] = np.arange(has.size)
    if "floor_level" in vb:
        b.add_rows(
            "floor_maxmin", has.size, np.concatenate([pos[sets.row_n[t1]], np.arange(has.size)]),
            np.concatenate([x1, np.full(has.size, vb["floor_level"].start)]),
            np.concatenate([np.ones(t1.size), -target[has]]), lb=np.zeros(has.size),
        )  # fmt: skip
    else:
        level = float(fix.floor_level or 0.0)
        b.add_rows(
            "floor_maxmin", has.size, np.concatenate([pos[sets.row_n[t1]], np.arange(has.size)]),
            np.concatenate([x1, vb["floor_maxmin_short"].start + np.arange(has.size)]),
            np.ones(t1.size + has.size), lb=level * target[has],
        )  # fmt: skip
    keys["floor_maxmin"] = has


def _add_quotas(
    b: ProgramBuilder, sets: ModelSets, params: OptimizeParams, keys: dict[str, IntArray]
) -> None:
    """Province shares of workers and spending within (1 -/+ band) x share of case files."""
    band = params.quota_band or 0.0
    vb, n_p = b.var_blocks, sets.n_provinces
    p_idx = np.arange(n_p)
    share = sets.province_share
    if worker_quota_on(params):
        w0, nk, tot = vb["w"].start, sets.n_staff, vb["workers_total"].start
        _total_def(b, "workers_total_def", w0 + np.arange(nk), tot)
        members, cols = sets.province[sets.staff_n], w0 + np.arange(nk)
        allowance = params.quota_worker_allowance
        _quota_pair(b, "quota_workers", members, cols, tot, share, band, n_p, vb, allowance)
        keys["quota_workers_max"] = keys["quota_workers_min"] = p_idx
    if budget_quota_on(params):
        sp0, nc, tot = vb["spend"].start, sets.n_cells, vb["spend_total"].start
        _total_def(b, "spend_total_def", sp0 + np.arange(nc), tot)
        _quota_pair(b, "quota_budget", sets.cell_p, sp0 + np.arange(nc), tot, share, band, n_p, vb)
        keys["quota_budget_max"] = keys["quota_budget_min"] = p_idx


def _total_def(b: ProgramBuilder, name: str, cols: np.ndarray, total: int) -> None:
    """One row ``total - sum(cols) = 0`` that names the sum as its own variable."""
    n = cols.size
    b.add_rows(
        name, 1, np.zeros(n + 1, np.int64), np.concatenate([cols, [total]]),
        np.concatenate([-np.ones(n), [1.0]]), lb=np.zeros(1), ub=np.zeros(1),
    )  # fmt: skip


def _quota_pair(
    b: ProgramBuilder,
    name: str,
    members: IntArray,
    cols: IntArray,
    total_col: int,
    share: np.ndarray,
    band: float,
    n_p: int,
    vb: Mapping[str, slice],
    allowance: float = 0.0,
) -> None:
    """``<name>_max[p]``: sum_p - (1+band) share_p total - over_p <= allowance; ``_min`` alike.

    ``allowance`` (one worker by default for worker quotas) lets integer counts round.
    """
    p_idx = np.arange(n_p)
    k = members.size
    for side, factor, slack, sign in (
        ("max", 1 + band, f"{name}_over", -1.0),
        ("min", 1 - band, f"{name}_under", 1.0),
    ):
        rows = np.concatenate([members, p_idx, p_idx])
        cols_all = np.concatenate([cols, np.full(n_p, total_col), vb[slack].start + p_idx])
        vals = np.concatenate([np.ones(k), -factor * share, np.full(n_p, sign)])
        bound = np.full(n_p, allowance if side == "max" else -allowance)
        if side == "max":
            b.add_rows(f"{name}_{side}", n_p, rows, cols_all, vals, ub=bound)
        else:
            b.add_rows(f"{name}_{side}", n_p, rows, cols_all, vals, lb=bound)


def _limits(
    limits: Mapping[str, float], names: tuple[str, ...], what: str
) -> tuple[IntArray, np.ndarray]:
    """Positions and values of the named limits (unknown names are an error)."""
    unknown = sorted(set(limits) - set(names))
    if unknown:
        raise DataError(f"{what}: unknown name(s) {unknown}; known: {list(names)}", what)
    which = np.array(sorted(names.index(k) for k in limits), dtype=np.int64)
    cap = np.array([float(limits[names[i]]) for i in which])
    return which, cap
