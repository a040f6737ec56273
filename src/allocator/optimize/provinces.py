"""The provinces' own programs: which columns and rows each holds, and solving them.

Shared by the province-by-province relaxation (:mod:`~allocator.optimize.decompose`) and
its bounds (:mod:`~allocator.optimize.bounds`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.constants import SolveResult
from allocator.optimize.lp import INF, LinearProgram, finite_product
from allocator.optimize.memory import release_freed
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.split import Partition
from allocator.types import FloatArray, IntArray

#: Two provinces are solved together only while their columns add up to at most this
#: times the largest province's (a small one may run beside the largest).
PAIR_BUDGET = 1.1


def province_options(opts: SolveOptions) -> SolveOptions:
    """``opts`` for a province's program: condensed (:mod:`~allocator.optimize.condense`),
    and by the dual simplex unless an algorithm was chosen.

    ``auto`` sends LPs past a million variables to the interior point, as measured on
    whole models; a province's program is faster by the dual simplex at every size
    (60,000 neighborhoods, one at a time on this machine: 0.61 M columns 5.5 s against
    11.0 s, 1.06 M 9.3 against 17.4, 1.63 M 20.1 against 25.7, 2.07 M 19.3 against 36.6,
    Tehran's 4.39 M 53.1 against 79.5; ``docs/notes/h13warm.md``).

    Examples:
        >>> province_options(SolveOptions()).lp_algorithm, province_options(SolveOptions()).condense
        ('simplex', True)
        >>> province_options(SolveOptions(lp_algorithm="barrier")).lp_algorithm
        'barrier'
    """
    algorithm = "simplex" if opts.lp_algorithm == "auto" else opts.lp_algorithm
    return replace(opts, lp_algorithm=algorithm, condense=True)


def solve_all(
    part: Partition,
    build: Callable[[int], LinearProgram],
    opts: SolveOptions,
    warm: Callable[[int], object | None] | None = None,
) -> list[SolveResult]:
    """Build and solve every province's program; the results by province.

    Two at a time, largest first (measured at 60,000 neighborhoods: two threads 81 s, two
    forked processes 78 s; HiGHS keeps both cores busy either way), but two run together
    only while their columns add up to at most :data:`PAIR_BUDGET` times the largest
    province's: the largest (Tehran, 17% of the columns) is solved beside small ones only,
    so that the peak memory is about one large province's, not two
    (``docs/notes/h13memory.md``). ``warm``: a province's starting basis (``None``: cold).
    """
    opts = province_options(opts)
    sizes = column_counts(part)
    order = largest_first(part)
    budget = PAIR_BUDGET * float(sizes.max(initial=0))
    results: dict[int, SolveResult] = {}
    failures: list[BaseException] = []
    waiting = list(order)
    running = [0.0]  # columns being solved
    turn = threading.Condition()

    def next_province() -> int | None:
        with turn:
            while waiting and not failures:
                fits = next((p for p in waiting if running[0] + sizes[p] <= budget), None)
                if fits is None and running[0] == 0:
                    fits = waiting[0]
                if fits is not None:
                    waiting.remove(fits)
                    running[0] += sizes[fits]
                    return fits
                turn.wait()
            return None

    def work() -> None:
        while (p := next_province()) is not None:
            try:
                result = solve_one(build(p), opts, None if warm is None else warm(p))
            except BaseException as error:
                with turn:
                    failures.append(error)
                    turn.notify_all()
                return
            with turn:
                results[p] = result
                running[0] -= sizes[p]
                turn.notify_all()

    threads = [threading.Thread(target=work, name=f"allocator-province-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [results[p] for p in range(part.n_groups)]


def column_counts(part: Partition) -> IntArray:
    """How many columns each province's program has."""
    return np.bincount(part.column_group[part.column_group >= 0], minlength=part.n_groups)


def largest_first(part: Partition) -> list[int]:
    """The provinces, those with most columns first."""
    return [int(p) for p in np.argsort(-column_counts(part), kind="stable")]


def solve_one(lp: LinearProgram, opts: SolveOptions, warm: object | None = None) -> SolveResult:
    result = get_backend("highs").solve(lp, opts, warm)
    release_freed()  # the solver's matrices, freed: else each thread's arena keeps them
    return result


def dot(a: FloatArray, b: FloatArray) -> float:
    """``sum(a * b)`` where a zero times an infinite amount counts as zero."""
    a, b = np.broadcast_arrays(a, b)
    return float(finite_product(a, b).sum())


@dataclass(frozen=True, eq=False)
class ProvinceIndex:
    """Per non-zero of the whole matrix: its column's province, and where rows go."""

    nnz_group: IntArray
    row_keep: np.ndarray  # rows that go into some province's program: local or shared
    global_nnz: IntArray  # non-zeros on a global total's column, in a province's row
    global_slot: IntArray  # which total

    @classmethod
    def of(cls, lp: LinearProgram, part: Partition) -> ProvinceIndex:
        shared = np.zeros(lp.n_rows, dtype=np.bool_)
        shared[part.shared_rows] = True
        slot = np.full(lp.n_vars, -1, dtype=np.int64)
        slot[part.global_cols] = np.arange(part.global_cols.size)
        on_total = np.flatnonzero((slot[lp.cols] >= 0) & (part.row_group[lp.rows] >= 0))
        # One per non-zero (tens of millions at 60,000 neighborhoods): the smallest type
        # that holds every province and -1, not NumPy's 8 bytes.
        small = np.int16 if part.n_groups < np.iinfo(np.int16).max else np.int32
        return cls(
            part.column_group[lp.cols].astype(small),
            shared | (part.row_group >= 0),
            on_total,
            slot[lp.cols[on_total]],
        )


def province_program(
    lp: LinearProgram,
    part: Partition,
    index: ProvinceIndex,
    p: int,
    share: FloatArray,
    totals: FloatArray,
) -> tuple[LinearProgram, IntArray, IntArray, FloatArray]:
    """Province ``p``'s LP: its columns, its rows (totals moved into the bounds), then one
    row per shared row with ``share`` as its bound. Returns it with the columns and local
    rows it maps to and each local row's coefficients on the totals."""
    cols = np.flatnonzero(part.column_group == p)
    rows = np.flatnonzero(part.row_group == p)
    local = np.full(lp.n_vars, -1, dtype=np.int64)
    local[cols] = np.arange(cols.size)
    row_index = np.full(lp.n_rows, -1, dtype=np.int64)
    row_index[rows] = np.arange(rows.size)
    row_index[part.shared_rows] = rows.size + np.arange(part.shared_rows.size)
    keep = np.flatnonzero(index.nnz_group == p)
    keep = keep[index.row_keep[lp.rows[keep]] & (row_index[lp.rows[keep]] >= 0)]
    shift = np.zeros((rows.size, part.global_cols.size))
    mine = part.row_group[lp.rows[index.global_nnz]] == p
    hit = index.global_nnz[mine]
    shift[row_index[lp.rows[hit]], index.global_slot[mine]] = lp.vals[hit]
    moved = shift @ totals
    sub_rows = row_index[lp.rows[keep]]
    order = np.argsort(sub_rows, kind="stable")  # columns stay sorted within each row
    sub = LinearProgram(
        lb=lp.lb[cols],
        ub=lp.ub[cols],
        obj=lp.obj[cols],
        integer=np.zeros(cols.size, dtype=np.bool_),
        row_lb=np.concatenate([lp.row_lb[rows] - moved, np.full(part.shared_rows.size, -INF)]),
        row_ub=np.concatenate([lp.row_ub[rows] - moved, share]),
        rows=sub_rows[order],
        cols=local[lp.cols[keep]][order],
        vals=lp.vals[keep][order],
        var_blocks={"all": slice(0, cols.size)},
        row_blocks={"local": slice(0, rows.size)},
    )
    return sub, cols, rows, shift
