"""Translate a :class:`LinearProgram` to a MathOpt ``ModelProto`` and read results back.

Why MathOpt protos rather than ``model_builder``: on this machine (OR-Tools 9.15.6755)
``model_builder``'s ``fill_model_from_sparse_data`` needs SciPy (not a dependency), and its
HiGHS wrapper returns row *activities* where row duals are expected; MathOpt's HiGHS returns
correct duals. A ``ModelProto`` is itself made of flat repeated fields (ids, bounds, COO
triplets), so it is filled from the arrays without a per-variable Python loop.

Examples:
    >>> from allocator.optimize.lp import ProgramBuilder
    >>> b = ProgramBuilder()
    >>> _ = b.add_vars("x", np.zeros(2), np.ones(2), obj=np.ones(2))
    >>> proto = to_model_proto(b.build())
    >>> len(proto.variables.ids), proto.objective.maximize
    (2, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ortools.math_opt import model_pb2, result_pb2

from allocator.optimize.constants import Termination
from allocator.optimize.lp import LinearProgram
from allocator.types import FloatArray


def to_model_proto(lp: LinearProgram) -> Any:
    """The MathOpt ``ModelProto`` of ``lp`` (maximization)."""
    m = model_pb2.ModelProto()
    v = m.variables
    v.ids.extend(range(lp.n_vars))
    _extend(v.lower_bounds, lp.lb)
    _extend(v.upper_bounds, lp.ub)
    _extend(v.integers, lp.integer)
    m.objective.maximize = True
    (nz,) = np.nonzero(lp.obj)
    _extend(m.objective.linear_coefficients.ids, nz)
    _extend(m.objective.linear_coefficients.values, lp.obj[nz])
    c = m.linear_constraints
    c.ids.extend(range(lp.n_rows))
    _extend(c.lower_bounds, lp.row_lb)
    _extend(c.upper_bounds, lp.row_ub)
    a = m.linear_constraint_matrix
    _extend(a.row_ids, lp.rows)
    _extend(a.column_ids, lp.cols)
    _extend(a.coefficients, lp.vals)
    return m


def _extend(field: Any, values: np.ndarray, chunk: int = 1 << 20) -> None:
    """Append an array to a repeated field a chunk at a time (bounded Python-list memory)."""
    for start in range(0, values.size, chunk):
        field.extend(values[start : start + chunk].tolist())


_REASONS = {
    result_pb2.TERMINATION_REASON_OPTIMAL: Termination.OPTIMAL,
    result_pb2.TERMINATION_REASON_INFEASIBLE: Termination.INFEASIBLE,
    result_pb2.TERMINATION_REASON_UNBOUNDED: Termination.UNBOUNDED,
    result_pb2.TERMINATION_REASON_INFEASIBLE_OR_UNBOUNDED: Termination.INFEASIBLE,
    result_pb2.TERMINATION_REASON_FEASIBLE: Termination.FEASIBLE,
    result_pb2.TERMINATION_REASON_NO_SOLUTION_FOUND: Termination.TIME_LIMIT,
}


def read_result(
    res: Any, lp: LinearProgram
) -> tuple[Termination, str, float, float, FloatArray, FloatArray]:
    """(termination, message, objective, bound, values, duals) of a ``SolveResultProto``."""
    term = _REASONS.get(res.termination.reason, Termination.SOLVER_ERROR)
    if term is Termination.FEASIBLE and res.termination.limit == result_pb2.LIMIT_TIME:
        term = Termination.TIME_LIMIT
    message = res.termination.detail
    bounds = res.termination.objective_bounds
    values = np.zeros(0)
    duals = np.zeros(0)
    objective = float("nan")
    for sol in res.solutions:
        if sol.HasField("primal_solution") and values.size == 0:
            ps = sol.primal_solution
            values = _dense(ps.variable_values, lp.n_vars)
            objective = float(ps.objective_value)
        if sol.HasField("dual_solution") and duals.size == 0:
            duals = _dense(sol.dual_solution.dual_values, lp.n_rows)
    bound = float(bounds.dual_bound) if np.isfinite(bounds.dual_bound) else float("nan")
    return term, message, objective, bound, values, duals


def _dense(vec: Any, n: int) -> FloatArray:
    out = np.zeros(n)
    ids = np.asarray(vec.ids, dtype=np.int64)
    if ids.size:
        out[ids] = np.asarray(vec.values, dtype=np.float64)
    return out
