"""Which columns and rows of a model belong to which province (for :mod:`.decompose`).

Every column belongs to one province (``x`` by its row's neighborhood, ``w`` and
``floor_short`` by the neighborhood, ``spend`` by its cell, quota slacks by their province)
except the global totals ``workers_total`` and ``spend_total``. A row whose columns (the
totals aside) lie in one province belongs to it; a row spanning provinces without totals
is *shared* (budgets, worker pools: each province gets a share of its bound); the rows
defining the totals belong to nobody (the totals are constants in the provinces' LPs).

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.model import build_model
    >>> from allocator.optimize.params import OptimizeParams
    >>> m = build_model(synthetic_demand(30, 4, seed=0), OptimizeParams(budget_total=1e11))
    >>> part = partition_of(m)
    >>> [m.program.row_blocks["budget"].start] == part.shared_rows.tolist()
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.model import OptimizationModel
from allocator.optimize.params import OptimizeParams, SlotParams
from allocator.types import FloatArray, IntArray

#: Blocks holding one global value each (the totals of the quota rows).
GLOBAL_BLOCKS = ("workers_total", "spend_total")


@dataclass(frozen=True, eq=False)
class Partition:
    """Province of every column (``-1``: a global total) and row (``-1``: not a province's)."""

    n_groups: int
    column_group: IntArray
    row_group: IntArray
    shared_rows: IntArray
    global_cols: IntArray
    total_max: FloatArray  # the largest value each global total can take
    potential_use: FloatArray  # (province, shared row): use if everything were served

    def fallback_weights(self) -> FloatArray:
        """Each province's share of every shared row in proportion to its potential use."""
        total = self.potential_use.sum(axis=0)
        uniform = np.full_like(self.potential_use, 1.0 / max(self.n_groups, 1))
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, self.potential_use / safe, uniform)

    @staticmethod
    def scaled_params(params: OptimizeParams, scale: float) -> OptimizeParams:
        """``params`` with every shared amount (pools, budgets, centers) times ``scale``."""

        def times(mapping: Mapping[str, float]) -> dict[str, float]:
            return {k: float(v) * scale for k, v in mapping.items()}

        slots: SlotParams = params.slots
        if slots.centers_total is not None:
            slots = replace(slots, centers_total=slots.centers_total * scale)
        return replace(
            params,
            workers_agency=times(params.workers_agency),
            workers_province=times(params.workers_province),
            workers_total=None if params.workers_total is None else params.workers_total * scale,
            budget_total=None if params.budget_total is None else params.budget_total * scale,
            budget_agency=times(params.budget_agency),
            slots=slots,
        )


def partition_of(model: OptimizationModel) -> Partition:
    """The partition of ``model``'s program by province (see the module docstring).

    Raises:
        ValueError: a row spans provinces but is not an upper limit with non-negative
            coefficients (the model cannot be split by handing out shares).
    """
    lp, sets = model.program, model.sets
    vb = lp.var_blocks
    if "floor_level" in vb:
        raise ValueError("the max-min floor share is free: fix it first (Fixings.floor_level)")
    if "centres" in vb:
        raise ValueError("the centres' total is shared by every province (centres: optimize)")
    group = np.full(lp.n_vars, -1, dtype=np.int64)
    group[vb["x"]] = sets.row_p
    group[vb["w"]] = sets.province[sets.staff_n]
    if "value" in vb:
        k = (vb["value"].stop - vb["value"].start) // max(sets.n_values, 1)
        group[vb["value"]] = np.repeat(sets.province[sets.value_n], k)
    group[vb["spend"]] = sets.cell_p
    if "floor_short" in vb:
        group[vb["floor_short"]] = sets.province
    if "floor_maxmin_short" in vb:
        group[vb["floor_maxmin_short"]] = sets.province[sets.tier1_need > 0]
    for name, block in vb.items():
        if name.startswith("quota_"):
            group[block] = np.arange(block.stop - block.start)
    global_cols = np.array([vb[b].start for b in GLOBAL_BLOCKS if b in vb], dtype=np.int64)
    col_group = group[lp.cols]
    local = col_group >= 0
    big = np.iinfo(np.int64).max
    low = np.full(lp.n_rows, big)
    high = np.full(lp.n_rows, -1)
    np.minimum.at(low, lp.rows[local], col_group[local])
    np.maximum.at(high, lp.rows[local], col_group[local])
    touches_total = np.zeros(lp.n_rows, dtype=np.bool_)
    touches_total[lp.rows[~local]] = True
    single = (high >= 0) & (low == high)
    row_group = np.where(single, high, -1)
    shared = np.flatnonzero((high >= 0) & (low != high) & ~touches_total)
    negative = np.zeros(lp.n_rows, dtype=np.bool_)
    negative[lp.rows[lp.vals < 0]] = True
    if np.any(np.isfinite(lp.row_lb[shared])) or np.any(negative[shared]):
        raise ValueError("a row shared by provinces is not an upper limit of resources")
    potential = lp.ub.copy()
    potential[vb["spend"]] = np.bincount(
        sets.row_cell, weights=sets.row_cost * sets.units, minlength=sets.n_cells
    )
    potential = np.where(np.isfinite(potential), potential, 0.0)
    n_p = sets.n_provinces
    use = np.zeros((n_p, shared.size))
    for k, row in enumerate(shared):
        hit = lp.rows == row
        use[:, k] = np.bincount(
            col_group[hit], weights=lp.vals[hit] * potential[lp.cols[hit]], minlength=n_p
        )
    total_max = np.zeros(global_cols.size)
    for g, col in enumerate(global_cols):
        rows = np.unique(lp.rows[lp.cols == col])
        hit = np.isin(lp.rows, rows) & local
        total_max[g] = float(np.abs(lp.vals[hit]) @ potential[lp.cols[hit]]) if hit.any() else 0.0
    # One per column and one per row (26 and 5 million at 60,000 neighborhoods): the
    # smallest type that holds every province and -1, not 8 bytes each.
    small = np.int16 if n_p < np.iinfo(np.int16).max else np.int32
    return Partition(
        n_p, group.astype(small), row_group.astype(small), shared, global_cols, total_max, use
    )
