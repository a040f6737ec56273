"""Every province solved on its own with its share of the shared rows: the passes that the
province split (:mod:`~allocator.optimize.decompose`), its polish
(:mod:`~allocator.optimize.province_polish`) and the master's rounds
(:mod:`~allocator.optimize.coordinate`) are made of.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.optimize.bounds import shared_entries, totals_term, use_of
from allocator.optimize.constants import Termination
from allocator.optimize.lp import LinearProgram
from allocator.optimize.provinces import ProvinceIndex, dot, province_program, solve_all
from allocator.optimize.solvers import SolveOptions
from allocator.optimize.split import Partition
from allocator.types import FloatArray, IntArray


@dataclass
class Proposal:
    """One plan of a province: its columns' values, its worth, its use of the shared rows."""

    values: FloatArray
    value: float
    use: FloatArray


@dataclass(frozen=True)
class TotalParts:
    """Each province's part of the totals (``workers_total``, ``spend_total``): a total
    T is defined by a row a T + sum_j d_j x_j = b outside every province, so province p's
    plan adds -sum_{j in p} d_j x_j / a to it.

    The provinces plan with the totals as constants in their quota rows, and the joined
    plan is judged against the totals it reaches (:func:`at_reached_totals`).
    """

    entries: list[tuple[IntArray, IntArray, FloatArray]]  # (total, local column, coefficient)
    n_totals: int
    offset: FloatArray  # b / a of each total's row: a total is this plus the parts

    @classmethod
    def of(cls, lp: LinearProgram, part: Partition) -> TotalParts:
        n_g = part.global_cols.size
        slot = np.full(lp.n_vars, -1, dtype=np.int64)
        slot[part.global_cols] = np.arange(n_g)
        shared = np.zeros(lp.n_rows, dtype=np.bool_)
        shared[part.shared_rows] = True
        on_total = np.flatnonzero(slot[lp.cols] >= 0)
        defining = on_total[(part.row_group[lp.rows[on_total]] < 0) & ~shared[lp.rows[on_total]]]
        row_total = np.full(lp.n_rows, -1, dtype=np.int64)
        row_total[lp.rows[defining]] = slot[lp.cols[defining]]
        a = np.zeros(lp.n_rows)
        a[lp.rows[defining]] = lp.vals[defining]
        hit = np.flatnonzero((row_total[lp.rows] >= 0) & (slot[lp.cols] < 0))
        group = part.column_group[lp.cols[hit]]
        entries = []
        for p in range(part.n_groups):
            mine = hit[group == p]
            cols = np.flatnonzero(part.column_group == p)
            local = np.searchsorted(cols, lp.cols[mine])
            coef = -lp.vals[mine] / a[lp.rows[mine]]
            entries.append((row_total[lp.rows[mine]], local, coef))
        offset = np.zeros(n_g)
        offset[slot[lp.cols[defining]]] = lp.row_ub[lp.rows[defining]] / lp.vals[defining]
        return cls(entries, n_g, offset)

    def reached(self, plans: list[Proposal]) -> FloatArray:
        """The totals of the joined ``plans`` (one per province)."""
        out: FloatArray = self.offset + sum(
            (self.of_plan(p, plan.values) for p, plan in enumerate(plans)), np.zeros(self.n_totals)
        )
        return out

    def of_plan(self, p: int, values: FloatArray) -> FloatArray:
        """Province ``p``'s part of every total at ``values`` (its own columns)."""
        total, local, coef = self.entries[p]
        out = np.bincount(total, weights=coef * values[local], minlength=self.n_totals)
        return np.asarray(out, dtype=np.float64)


class ProvincesFailed(RuntimeError):
    """Provinces whose program has no optimum with their share (province, termination).

    Examples:
        >>> from allocator.optimize.constants import Termination
        >>> str(ProvincesFailed([(0, Termination.INFEASIBLE)]))
        'province 0: infeasible'
    """

    def __init__(self, failed: list[tuple[int, Termination]]) -> None:
        self.failed = failed
        super().__init__("; ".join(f"province {p}: {t.value}" for p, t in failed))


@dataclass
class ProvincePass:
    """Every province solved with its share of the shared rows: each one's plan (its own
    columns), where those columns and rows are in the whole program, and the duals."""

    plans: list[Proposal]
    columns: list[IntArray]
    duals: FloatArray  # the whole program's rows: the provinces' own, then max pi shared
    pi: FloatArray  # province x shared row
    theta: FloatArray  # province x total
    bases: dict[int, object | None]

    def joined(self, n_vars: int) -> FloatArray:
        """The provinces' plans as one vector of the whole program's columns."""
        values = np.zeros(n_vars)
        for plan, cols in zip(self.plans, self.columns, strict=True):
            values[cols] = plan.values
        return values

    def bound(
        self,
        lp: LinearProgram,
        part: Partition,
        shares: FloatArray,
        totals: FloatArray,
        ceilings: FloatArray,
    ) -> float:
        """The bound from the concavity of each province's value in its shares and the
        totals (the module doc)."""
        v_sum = float(sum(plan.value for plan in self.plans))
        caps = lp.row_ub[part.shared_rows]
        out = v_sum - dot(self.pi, shares) + dot(self.duals[part.shared_rows], caps)
        low = lp.lb[part.global_cols]
        return out + totals_term(self.theta.sum(axis=0), totals, low, ceilings)


def province_pass(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    shares: FloatArray,
    totals: FloatArray,
    opts: SolveOptions,
    bases: dict[int, object | None] | None = None,
) -> ProvincePass:
    """Solve every province with ``shares`` (from ``bases``, if given)."""
    # Each province's program is built just before it is solved and dropped after (all of
    # them at once were another copy of the whole matrix); its columns, rows and the
    # coefficients on the totals are kept to join the solutions.
    maps: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}
    entries: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}

    def build(p: int) -> LinearProgram:
        program, cols, rows, shift = province_program(lp, part, index, p, shares[p], totals)
        maps[p] = (cols, rows, shift)
        entries[p] = shared_entries(program, rows.size)
        return program

    solved = solve_all(part, build, opts, None if bases is None else bases.get)
    n_p = part.n_groups
    out = ProvincePass([], [], np.zeros(lp.n_rows), np.zeros((n_p, part.shared_rows.size)),
                       np.zeros((n_p, totals.size)), {})  # fmt: skip
    failed = [
        (p, res.termination)
        for p, res in enumerate(solved)
        if not res.has_solution or res.termination is not Termination.OPTIMAL
    ]
    if failed:
        raise ProvincesFailed(failed)
    for p in range(part.n_groups):
        (cols, rows, shift), res = maps.pop(p), solved[p]
        use = use_of(entries.pop(p), res.values, part.shared_rows.size)
        out.plans.append(Proposal(res.values, float(res.objective), use))
        out.columns.append(cols)
        out.bases[p] = res.basis
        local = res.duals[: rows.size]
        out.duals[rows] = local
        out.pi[p] = res.duals[rows.size :]
        out.theta[p] = -(local @ shift)  # d V_p / d T_g: the totals sit in the rows' bounds
    solved.clear()  # the provinces' plans are kept once
    out.duals[part.shared_rows] = np.maximum(out.pi.max(axis=0), 0.0)
    return out


def at_reached_totals(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    done: ProvincePass,
    shares: FloatArray,
    totals: FloatArray,
    opts: SolveOptions,
    parts: TotalParts | None = None,
    tries: int = 3,
) -> tuple[ProvincePass, FloatArray]:
    """``done`` (the provinces solved with the totals as constants), solved again against
    the totals the joined plan reached, until they agree (at most ``tries`` passes, each
    from the last one's bases). Returns the pass and its totals.

    The joined plan is judged against the totals it reaches: a province that planned at
    the edge of its quota band with other totals is short of it (``informal-330`` by the
    split, its polish by province with rounds of the master: nine provinces short of their
    spending band by 11 million toman each, at the quota penalty: 5% of the objective)."""
    if not part.global_cols.size:
        return done, totals
    parts = parts or TotalParts.of(lp, part)
    for _ in range(tries):
        reached = parts.reached(done.plans)
        if np.allclose(reached, totals, rtol=1e-9, atol=1e-6):
            break
        totals = reached
        done = province_pass(lp, part, index, shares, totals, opts, done.bases)
    return done, totals
