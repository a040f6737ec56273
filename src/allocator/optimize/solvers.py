"""Solver backends: one small class per solver, declaring what it supports.

All run through MathOpt (see :mod:`allocator.optimize.mathopt_io`), except HiGHS's simplex
LPs when ``highspy`` is installed: those are handed to HiGHS directly (:mod:`highs_io`), which
returns the final basis, so that a related LP (the polish with the workers fixed) starts
from it instead of from scratch. Without ``highspy`` they go through MathOpt as before. A
failure inside a solver (an exception, or an error status) comes back as a
:class:`SolveResult` whose termination is ``solver_error`` and whose message names the
solver; it is never raised.

Examples:
    >>> get_backend("highs").supports_duals, get_backend("cpsat").supports_duals
    (True, False)
    >>> get_backend("gurobi")
    Traceback (most recent call last):
    ...
    ValueError: unknown solver 'gurobi'; choose one of ['cpsat', 'glop', 'highs', 'pdlp', 'scip']
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from ortools.math_opt import callback_pb2, model_parameters_pb2, parameters_pb2
from ortools.math_opt.core.python import solver as core

from allocator.optimize import highs_io
from allocator.optimize.condense import condense
from allocator.optimize.constants import SolveResult, Termination
from allocator.optimize.lp import LinearProgram
from allocator.optimize.mathopt_io import read_result, to_model_proto


@dataclass(frozen=True)
class SolveOptions:
    """Options common to every backend."""

    time_limit_s: float = 120.0
    relative_gap: float = 1e-4
    threads: int | None = None
    lp_algorithm: str = "auto"  # auto | barrier | simplex (backends may ignore it)
    verbose: bool = False
    #: more HiGHS options by name (only on the highspy path; MathOpt ignores them)
    highs_options: tuple[tuple[str, int | float | str], ...] = ()
    #: substitute one-row value definitions out before HiGHS (highspy path only;
    #: :mod:`~allocator.optimize.condense`): set for the province split's programs, where
    #: HiGHS's own substitution was most of each solve
    condense: bool = False


class SolverBackend:
    """Base class: subclasses set the class attributes and may refine :meth:`parameters`."""

    name: ClassVar[str]
    solver_type: ClassVar[int]
    supports_lp: ClassVar[bool] = True
    supports_mip: ClassVar[bool] = True
    supports_duals: ClassVar[bool] = False
    exact_continuous: ClassVar[bool] = True  # False: continuous variables are approximated

    def parameters(self, lp: LinearProgram, options: SolveOptions) -> Any:
        """The MathOpt ``SolveParametersProto`` for this backend."""
        p = parameters_pb2.SolveParametersProto(enable_output=options.verbose)
        p.time_limit.FromNanoseconds(int(options.time_limit_s * 1e9))
        if lp.is_mip:
            p.relative_gap_tolerance = options.relative_gap
        if options.threads:
            p.threads = options.threads
        return p

    def solve(
        self, lp: LinearProgram, options: SolveOptions, warm: object | None = None
    ) -> SolveResult:
        """Solve ``lp``; every failure is reported in the result, none is raised.

        ``warm``: the ``basis`` of an earlier result on a program of the same shape (only
        backends that return one use it).
        """
        start = time.perf_counter()
        if lp.is_mip and not self.supports_mip:
            return SolveResult(self.name, Termination.SOLVER_ERROR, f"{self.name}: no MIP support")
        try:
            res = core.solve(
                to_model_proto(lp),
                self.solver_type,
                parameters_pb2.SolverInitializerProto(),
                self.parameters(lp, options),
                model_parameters_pb2.ModelSolveParametersProto(),
                None,
                callback_pb2.CallbackRegistrationProto(),
                None,
                None,
            )
        except Exception as exc:  # any OR-Tools failure becomes a status
            return SolveResult(
                self.name,
                Termination.SOLVER_ERROR,
                f"{self.name}: {type(exc).__name__}: {exc}",
                seconds=time.perf_counter() - start,
            )
        term, message, objective, bound, values, duals = read_result(res, lp)
        if term is Termination.SOLVER_ERROR:
            message = f"{self.name}: {message}"
        return SolveResult(
            self.name,
            term,
            message,
            objective,
            bound,
            values,
            duals if self.supports_duals and not lp.is_mip else duals[:0],
            time.perf_counter() - start,
        )


BARRIER_FROM_VARS = 1_000_000


class HighsBackend(SolverBackend):
    """HiGHS: LP (interior point with crossover by default, so duals are basic) and MIP."""

    name = "highs"
    solver_type = parameters_pb2.SOLVER_TYPE_HIGHS
    supports_duals = True

    def solve(
        self, lp: LinearProgram, options: SolveOptions, warm: object | None = None
    ) -> SolveResult:
        """LPs straight to highspy when installed, else MathOpt (and MIPs through MathOpt).

        A barrier LP is solved by HiGHS's interior point with its crossover, so that it too
        has a basis; an LP given a ``warm`` basis is solved by the dual simplex from it,
        whatever its size (the point of a start is to skip the interior point)."""
        algorithm = self.algorithm(lp, options)
        if lp.is_mip or not highs_io.available():
            return super().solve(lp, options)
        # Condensed: HiGHS's presolve makes the same substitution, several times slower
        # (docs/notes/h13condense.md). Bases, taken and given, are the condensed program's.
        small = condense(lp) if options.condense else None
        program = lp if small is None else small.program
        if not highs_io.fits(warm, program):
            warm = None
        extra = dict(options.highs_options)
        if algorithm == "barrier" and warm is None:
            extra = {"solver": "ipm", "run_crossover": "on", **extra}
        found = highs_io.solve(
            program,
            options.time_limit_s,
            algorithm == "simplex" or (algorithm == "barrier" and warm is not None),
            options.verbose,
            warm,
            extra,
        )
        return found if small is None else small.result(found)

    @staticmethod
    def algorithm(lp: LinearProgram, options: SolveOptions) -> str:
        """``barrier``, ``simplex`` or ``default`` (HiGHS's choice: simplex for an LP)."""
        algorithm = options.lp_algorithm
        if algorithm == "auto":  # measured: simplex up to ~1M variables, then interior point
            algorithm = "barrier" if lp.n_vars > BARRIER_FROM_VARS else "default"
        return algorithm

    def parameters(self, lp: LinearProgram, options: SolveOptions) -> Any:
        p = super().parameters(lp, options)
        algorithm = self.algorithm(lp, options)
        if not lp.is_mip and algorithm == "barrier":
            p.lp_algorithm = parameters_pb2.LP_ALGORITHM_BARRIER
        elif not lp.is_mip and algorithm == "simplex":
            p.lp_algorithm = parameters_pb2.LP_ALGORITHM_DUAL_SIMPLEX
        return p


class ScipBackend(SolverBackend):
    """SCIP: MIP (LPs are solved too, but without duals)."""

    name = "scip"
    solver_type = parameters_pb2.SOLVER_TYPE_GSCIP


class CpSatBackend(SolverBackend):
    """CP-SAT: MIP only in spirit; continuous variables are scaled to integers (approximate)."""

    name = "cpsat"
    solver_type = parameters_pb2.SOLVER_TYPE_CP_SAT
    exact_continuous = False


class GlopBackend(SolverBackend):
    """GLOP: simplex LP with duals; no integer variables."""

    name = "glop"
    solver_type = parameters_pb2.SOLVER_TYPE_GLOP
    supports_mip = False
    supports_duals = True


class PdlpBackend(SolverBackend):
    """PDLP: first-order LP with (approximate) duals; no integer variables."""

    name = "pdlp"
    solver_type = parameters_pb2.SOLVER_TYPE_PDLP
    supports_mip = False
    supports_duals = True


BACKENDS: dict[str, type[SolverBackend]] = {
    b.name: b for b in (HighsBackend, ScipBackend, CpSatBackend, GlopBackend, PdlpBackend)
}
MIP_SOLVERS = ("highs", "scip", "cpsat")
LP_SOLVERS = ("highs", "glop", "pdlp")


def get_backend(name: str) -> SolverBackend:
    """The backend called ``name``."""
    if name not in BACKENDS:
        raise ValueError(f"unknown solver {name!r}; choose one of {sorted(BACKENDS)}")
    return BACKENDS[name]()
