"""One-row value definitions substituted out before the solver: the same optimum, a
solution and prices of the original program."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from allocator.optimize import synthetic_demand
from allocator.optimize.condense import condense, merge
from allocator.optimize.lp import LinearProgram, ProgramBuilder
from allocator.optimize.model import build_model
from allocator.optimize.solvers import SolveOptions, get_backend
from allocator.optimize.variables import Fixings

from .builders import scaled_params
from .test_decompose import check_split

#: The scenarios' model (as ``benchmarks/optimize.py`` builds it): utility pieces per cell.
FAIR = {
    "objective": "fair",
    "alpha": 1.0,
    "segments": 4,
    "tier_weights": (8.0, 4.0, 2.0, 1.0),
    "worker_cost": 1.8e8,
    "staff_level": "county",
}


@pytest.fixture(scope="module")
def relaxation() -> LinearProgram:
    demand = synthetic_demand(120, n_services=22, seed=5)
    params = scaled_params(120, **FAIR)
    model = build_model(demand, params, Fixings(floor_level=0.0))
    return model.program.relaxed()


def test_the_condensed_program_has_the_same_optimum_and_its_solution_is_the_programs(
    relaxation: LinearProgram,
) -> None:
    lp = relaxation
    small = condense(lp)
    defs = lp.row_blocks["value_def"]
    # (in the synthetic demand every value cell holds one demand row: every definition goes)
    assert 0 < small.removed <= defs.stop - defs.start
    assert set(small.dropped.tolist()) <= set(range(defs.start, defs.stop))
    assert small.program.n_rows == lp.n_rows - small.removed
    # then identical pieces (same rows, coefficients and cost) are merged: many, here
    assert small.merged.merged > 0.1 * lp.n_vars
    assert small.program.n_vars == lp.n_vars - small.removed - small.merged.merged
    whole = get_backend("highs").solve(lp, SolveOptions())
    found = get_backend("highs").solve(small.program, SolveOptions())
    scale = abs(whole.objective)
    assert abs(found.objective - whole.objective) < 1e-9 * scale
    values = small.values(found.values)
    assert abs(float(lp.obj @ values) - whole.objective) < 1e-9 * scale
    activity = lp.row_activity(values)
    tol = 1e-7 * np.maximum(1.0, np.abs(activity))
    assert np.all(activity >= lp.row_lb - tol) and np.all(activity <= lp.row_ub + tol)
    assert np.all(values >= lp.lb - 1e-9) and np.all(values <= lp.ub + 1e-7)
    # the prices, with the substituted rows' own, bound the program at its optimum
    # (weak duality is tight only for optimal prices; a wrong sign breaks it)
    duals = small.duals(found.duals)
    assert duals.size == lp.n_rows
    assert abs(lp.dual_bound(duals) - whole.objective) < 1e-7 * scale
    wrong = duals.copy()
    wrong[small.dropped] *= -1
    assert lp.dual_bound(wrong) > whole.objective + 1e-3 * scale


def _one_cell(
    x_obj: float = 0.0, x_ub: float = 10.0, piece_elsewhere: bool = False
) -> LinearProgram:
    """ω x = v1 + v2 (ω = 2, pieces up to 4 and 16), x ≤ 5 in a budget row; optionally the
    first piece in the budget row too."""
    b = ProgramBuilder()
    b.add_vars("x", lb=np.zeros(1), ub=np.array([x_ub]), obj=np.array([x_obj]))
    b.add_vars("value", lb=np.zeros(2), ub=np.array([4.0, 16.0]), obj=np.array([3.0, 1.0]))
    b.add_rows(
        "value_def",
        1,
        rows=np.zeros(3, dtype=np.int64),
        cols=np.array([0, 1, 2]),
        vals=np.array([2.0, -1.0, -1.0]),
        lb=np.zeros(1),
        ub=np.zeros(1),
    )
    cols = np.array([0, 1]) if piece_elsewhere else np.array([0])
    b.add_rows(
        "budget",
        1,
        rows=np.zeros(cols.size, dtype=np.int64),
        cols=cols,
        vals=np.ones(cols.size),
        ub=np.array([5.0]),
    )
    return b.build()


@pytest.mark.parametrize(
    "lp",
    [
        _one_cell(x_obj=1.0),  # the defined column has a cost of its own
        _one_cell(x_ub=9.0),  # its bound could bind: the pieces reach (4 + 16) / 2 = 10
        _one_cell(piece_elsewhere=True),  # a piece is in another row
    ],
    ids=["cost", "bound", "piece elsewhere"],
)
def test_a_row_that_is_not_a_pure_definition_stays(lp: LinearProgram) -> None:
    small = condense(lp)
    assert small.removed == 0
    assert small.program.n_vars == lp.n_vars and small.program.n_rows == lp.n_rows


def test_the_substitution_keeps_the_cells_optimum() -> None:
    lp = _one_cell()
    small = condense(lp)
    assert small.removed == 1
    found = get_backend("highs").solve(small.program, SolveOptions())
    whole = get_backend("highs").solve(lp, SolveOptions())
    # x ≤ 5, so v1 + v2 ≤ 10: the first piece (3 a unit) full, then 6 of the second
    assert found.objective == pytest.approx(whole.objective) == pytest.approx(18.0)
    assert small.values(found.values).tolist() == pytest.approx([5.0, 4.0, 6.0])
    shifted = replace(lp, obj=lp.obj * 2)
    assert condense(shifted).removed == 1


@pytest.mark.parametrize("every", [1, 3])
def test_the_province_split_of_the_scenarios_model_holds(every: int) -> None:
    """Every province's program is condensed (``provinces.province_options``): the joined
    plan keeps every row of the whole relaxation and the bound holds."""
    demand = synthetic_demand(150, n_services=22, seed=4)
    check_split(build_model(demand, scaled_params(150, **FAIR), Fixings(floor_level=0.0)), every)


def test_a_basis_of_a_condensed_solve_starts_the_next(
    relaxation: LinearProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HiGHS gets and gives bases of the condensed program: a result's basis fits the next
    solve of the same program (the Lagrangian pass starts from the first pass's), and one of
    another shape is not handed to HiGHS. Without ``condense`` the program goes as built."""
    from allocator.optimize import highs_io

    backend = get_backend("highs")
    opts = SolveOptions(condense=True)  # as the province split's programs are solved
    first = backend.solve(relaxation, opts)
    starts: list[object | None] = []
    solve = highs_io.solve

    def spy(lp: LinearProgram, *args: object) -> object:
        starts.append(args[3])
        return solve(lp, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(highs_io, "solve", spy)
    again = backend.solve(relaxation, opts, first.basis)
    assert starts[-1] is first.basis
    assert again.objective == pytest.approx(first.objective, rel=1e-9)
    assert again.values.size == relaxation.n_vars and again.duals.size == relaxation.n_rows
    other = _one_cell()
    backend.solve(other, opts, first.basis)
    assert starts[-1] is None
    whole = backend.solve(relaxation, SolveOptions())
    assert whole.basis is not None and not highs_io.fits(whole.basis, condense(relaxation).program)


def test_identical_columns_merge_and_share_their_value_by_their_bounds() -> None:
    """Columns 0, 1 and 3 are identical (rows, coefficients, cost); 2 has another cost,
    4 another coefficient, 5 an infinite bound: only 0, 1 and 3 merge."""
    b = ProgramBuilder()
    b.add_vars(
        "v",
        lb=np.zeros(6),
        ub=np.array([1.0, 3.0, 2.0, 4.0, 5.0, np.inf]),
        obj=np.array([2.0, 2.0, 1.0, 2.0, 2.0, 0.5]),
    )
    b.add_rows(
        "budget",
        1,
        rows=np.zeros(6, dtype=np.int64),
        cols=np.arange(6),
        vals=np.array([1.0, 1.0, 1.0, 1.0, 2.0, 1.0]),
        ub=np.array([6.0]),
    )
    lp = b.build()
    merged = merge(lp)
    assert merged.merged == 2
    assert merged.program.n_vars == 4 and merged.program.ub.tolist() == [8.0, 2.0, 5.0, np.inf]
    # the merged column's 6 units go 1 : 3 : 4 to its members, each within its bound
    assert merged.values(np.array([6.0, 0.0, 0.0, 0.0])).tolist() == [
        0.75,
        2.25,
        0.0,
        3.0,
        0.0,
        0.0,
    ]
    found = get_backend("highs").solve(merged.program, SolveOptions())
    whole = get_backend("highs").solve(lp, SolveOptions())
    assert found.objective == pytest.approx(whole.objective) == pytest.approx(12.0)
    assert float(lp.obj @ merged.values(found.values)) == pytest.approx(12.0)
