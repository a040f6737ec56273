"""Hand a :class:`LinearProgram` straight to HiGHS (``highspy``) and read the result back.

An optional path: ``highspy`` is not a dependency of the core install. When it is installed,
:class:`~allocator.optimize.solvers.HighsBackend` sends LPs here rather than through
MathOpt: HiGHS then returns its final basis (after the interior point's crossover too), and
the next LP of the same shape can start from it with the dual simplex instead of from
scratch (the Lagrangian pass of the province split: ``docs/notes/h13warm.md``); and no
MathOpt model is built beside HiGHS's own copy (at 60,000 neighborhoods the peak fell from
8.1 to 6.3 GB). The matrix goes over as NumPy arrays (column-wise), without a Python loop.

Examples:
    >>> from allocator.optimize.lp import ProgramBuilder
    >>> b = ProgramBuilder()
    >>> _ = b.add_vars("x", np.zeros(2), np.array([3.0, 5.0]), obj=np.array([1.0, 2.0]))
    >>> _ = b.add_rows("cap", 1, rows=np.array([0, 0]), cols=np.array([0, 1]),
    ...                vals=np.array([1.0, 1.0]), ub=np.array([4.0]))
    >>> lp = b.build()
    >>> if available():
    ...     res = solve(lp, 10.0)
    ...     print(res.termination.value, res.objective, res.duals.tolist())
    ... else:
    ...     print("optimal 8.0 [2.0]")
    optimal 8.0 [2.0]
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from allocator.optimize.constants import SolveResult, Termination
from allocator.optimize.lp import LinearProgram

NAME = "highs"
_FIRST = threading.Lock()


@cache
def _module() -> Any:
    with _FIRST:
        try:
            hs = importlib.import_module("highspy")
        except ImportError:
            return None
        _first_instance_quietly(hs)
        return hs


def _first_instance_quietly(hs: Any) -> None:
    """HiGHS writes its banner to stdout when a process makes its first instance, before
    any option can turn the output off: make that first one with stdout pointed away."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable stdout: nothing to protect
        hs.Highs()
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            hs.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def available() -> bool:
    """Whether ``highspy`` can be imported."""
    return _module() is not None


def to_highs_lp(lp: LinearProgram) -> Any:
    """The ``highspy.HighsLp`` of ``lp`` (maximization, column-wise matrix)."""
    hs = _module()
    n, m = lp.n_vars, lp.n_rows
    order = np.lexsort((lp.rows, lp.cols))  # column-major
    start = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(lp.cols, minlength=n), out=start[1:])
    out = hs.HighsLp()
    out.num_col_, out.num_row_ = n, m
    out.sense_ = hs.ObjSense.kMaximize
    out.col_cost_ = np.ascontiguousarray(lp.obj, np.float64)
    out.col_lower_ = np.ascontiguousarray(lp.lb, np.float64)
    out.col_upper_ = np.ascontiguousarray(lp.ub, np.float64)
    out.row_lower_ = np.ascontiguousarray(lp.row_lb, np.float64)
    out.row_upper_ = np.ascontiguousarray(lp.row_ub, np.float64)
    a = out.a_matrix_
    a.format_ = hs.MatrixFormat.kColwise
    a.num_col_, a.num_row_ = n, m
    a.start_ = start
    a.index_ = lp.rows[order].astype(np.int32)
    a.value_ = lp.vals[order].astype(np.float64)
    return out


@dataclass(frozen=True, eq=False)
class Basis:
    """HiGHS's final basis of a solve and the shape of its program (reading the shape from
    HiGHS's own object copies every status into a Python list: 1.5 s for Tehran's
    3.5 million columns at 60,000 neighborhoods)."""

    n_vars: int
    n_rows: int
    highs: Any


def fits(basis: object | None, lp: LinearProgram) -> bool:
    """Whether ``basis`` (a :class:`Basis`) has a status for every column and row of ``lp``.

    Examples:
        >>> from allocator.optimize.lp import ProgramBuilder
        >>> b = ProgramBuilder()
        >>> _ = b.add_vars("x", lb=np.zeros(2), ub=np.ones(2), obj=np.ones(2))
        >>> lp = b.build()
        >>> fits(Basis(2, 0, None), lp), fits(Basis(1, 0, None), lp), fits(None, lp)
        (True, False, False)
    """
    return isinstance(basis, Basis) and (basis.n_vars, basis.n_rows) == (lp.n_vars, lp.n_rows)


def solve(
    lp: LinearProgram,
    time_limit_s: float,
    dual_simplex: bool = False,
    verbose: bool = False,
    warm: object | None = None,
    options: Mapping[str, int | float | str] | None = None,
) -> SolveResult:
    """Solve the LP ``lp`` with HiGHS; ``warm``: a basis of an LP of the same shape;
    ``options``: more HiGHS options by name.

    Never raises: a failure is a ``solver_error`` result naming HiGHS.
    """
    hs = _module()
    start = time.perf_counter()
    try:
        h = hs.Highs()
        h.setOptionValue("output_flag", bool(verbose))
        h.setOptionValue("time_limit", float(time_limit_s))
        if dual_simplex:
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", 1)
        for name, value in (options or {}).items():
            h.setOptionValue(name, value)
        h.passModel(to_highs_lp(lp))
        if warm is not None:
            h.setBasis(warm.highs if isinstance(warm, Basis) else warm)
        h.run()
        return _result(hs, h, lp, time.perf_counter() - start)
    except Exception as exc:  # any highspy failure becomes a status
        return SolveResult(
            NAME,
            Termination.SOLVER_ERROR,
            f"{NAME}: {type(exc).__name__}: {exc}",
            seconds=time.perf_counter() - start,
        )


def _result(hs: Any, h: Any, lp: LinearProgram, seconds: float) -> SolveResult:
    status = h.getModelStatus()
    ms = hs.HighsModelStatus
    term = {
        ms.kOptimal: Termination.OPTIMAL,
        ms.kInfeasible: Termination.INFEASIBLE,
        ms.kUnboundedOrInfeasible: Termination.INFEASIBLE,
        ms.kUnbounded: Termination.UNBOUNDED,
        ms.kTimeLimit: Termination.TIME_LIMIT,
        ms.kIterationLimit: Termination.TIME_LIMIT,
    }.get(status, Termination.SOLVER_ERROR)
    message = "" if term is Termination.OPTIMAL else h.modelStatusToString(status)
    if term is Termination.SOLVER_ERROR:
        message = f"{NAME}: {message}"
    info = h.getInfo()
    feasible = info.primal_solution_status == hs.SolutionStatus.kSolutionStatusFeasible
    if term not in (Termination.OPTIMAL, Termination.TIME_LIMIT) or not feasible:
        return SolveResult(NAME, term, message, seconds=seconds)
    sol = h.getSolution()
    values = np.asarray(sol.col_value, dtype=np.float64)
    duals = np.asarray(sol.row_dual, dtype=np.float64) if sol.dual_valid else np.zeros(0)
    objective = float(info.objective_function_value)
    basis = h.getBasis()
    return SolveResult(
        NAME,
        term,
        message,
        objective,
        objective if term is Termination.OPTIMAL else float("nan"),
        values,
        duals,
        seconds,
        Basis(lp.n_vars, lp.n_rows, basis) if basis.valid else None,
    )
