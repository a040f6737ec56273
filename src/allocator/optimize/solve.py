"""Run the model: LP relaxation, then the fast path or the exact MIP, in either tier mode.

* ``lp``: the LP relaxation is the plan (fractional workers; exact shadow prices).
* ``fast``: LP relaxation -> (whole centres per county, ``centres: {method: optimize}``)
  -> round workers within the pools -> repair -> (polish: re-solve the LP with workers and
  centres fixed). The gap is measured against the LP relaxation's bound.
* ``mip``: the fast plan is computed first as a fallback, then the MIP; if the MIP solver
  fails or finds nothing, the fast plan is kept and the failure is reported.

Lexicographic mode solves stage by stage (soft-constraint slack first, then tier 1..4),
fixing each stage's optimum with a ``stage_<name>`` row before the next.

Examples:
    >>> from allocator.optimize.demand import synthetic_demand
    >>> plan = optimize(synthetic_demand(4, 4, seed=0), OptimizeParams(budget_total=2e10))
    >>> plan.termination.value, plan.budget_used["total"] <= 2e10 + 1
    ('optimal', True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from allocator.optimize.constants import (
    Method,
    SolveResult,
    Termination,
    TierMode,
)
from allocator.optimize.decompose import DECOMPOSE_FROM_VARS, decomposed_relaxation
from allocator.optimize.demand import Demand
from allocator.optimize.floor_stage import (
    Clock,
    Progress,
    funded_entitlements,
    pre_stages,
    satisfies_hard_rows,
)
from allocator.optimize.lp import INF, LinearProgram
from allocator.optimize.model import OptimizationModel, build_model
from allocator.optimize.objective import (
    centre_tiebreak,
    penalty_objective,
    tier_objective,
)
from allocator.optimize.params import OptimizeParams
from allocator.optimize.plan import Plan
from allocator.optimize.province_polish import polish_decomposed
from allocator.optimize.report import make_plan
from allocator.optimize.rounding import (
    complete_values,
    repair_centres,
    repair_served,
    round_centres,
    round_workers,
)
from allocator.optimize.solvers import SolveOptions, SolverBackend, get_backend
from allocator.optimize.worker_choice import priced_workers
from allocator.types import FloatArray

POLISH_MAX_VARS = 1_500_000  # auto polish up to about 17,000 neighborhoods
STAGE_TOL = 1e-9  # relative slack when fixing a stage optimum (LP); MIP: the gap
#: HiGHS options of the polish: without simplex scaling it took 10 s instead of 23 s on
#: national-2020 (72,619 instead of 96,391 iterations) and 6.8 s instead of 9.8 s on the
#: 2,020-size benchmark, same optimum; the relaxation is not affected (same iterations)
POLISH_HIGHS_OPTIONS: tuple[tuple[str, int | float | str], ...] = (("simplex_scale_strategy", 0),)


@dataclass
class Outcome:
    """A (possibly staged) solve: last solver result, full values, stage optima."""

    result: SolveResult
    values: FloatArray
    duals: FloatArray
    stages: list[float]
    decomposed: bool = False


def _relaxation(
    model: OptimizationModel,
    relax: LinearProgram,
    backend: SolverBackend,
    opts: SolveOptions,
    messages: list[str],
    say: Progress,
) -> Outcome:
    """The LP relaxation: whole, or province by province for very large fast-path models."""
    params = model.params
    decompose = params.decompose
    if decompose is None:
        decompose = relax.n_vars >= DECOMPOSE_FROM_VARS and params.method is Method.FAST
    if decompose and params.tier_mode is TierMode.WEIGHTED and backend.name == "highs":
        say(f"solving the LP relaxation by province ({relax.n_vars:,} variables)")
        try:
            dec = decomposed_relaxation(model, opts)
        except (ValueError, RuntimeError) as exc:
            messages.append(f"LP relaxation not decomposed ({exc}); solved whole")
        else:
            moved = (
                f", moved between provinces by {dec.rounds} round"
                f"{'' if dec.rounds == 1 else 's'} of a master program"
                if dec.rounds
                else ""
            )
            messages.append(
                f"LP relaxation solved province by province ({dec.provinces} provinces, "
                f"shares of the shared budgets and pools from a sample{moved}); the bound "
                "is the least of three certified ones (the provinces' duals, one price per "
                "shared row, every province re-solved with the shared rows priced)"
            )
            return Outcome(dec.result(), dec.values, dec.duals, [], decomposed=True)
    say(f"solving the LP relaxation ({backend.name}, {relax.n_vars:,} variables)")
    return _run(relax, model, backend, opts)


def optimize(demand: Demand, params: OptimizeParams, *, progress: Progress | None = None) -> Plan:
    """Optimize ``demand`` under ``params``.

    Args:
        demand: the aggregated demand.
        params: resolved parameters (a scenario file gives them through
            :func:`allocator.scenarios.to_params`).
        progress: called with a short message at each phase (for a CLI spinner).

    Returns:
        The plan. Never raises for solver trouble: an infeasible or failed solve is a
        status (with the solver's name and words in ``messages``) in the plan.
    """
    if not isinstance(params, OptimizeParams):
        raise TypeError("optimize() takes OptimizeParams (see allocator.scenarios.to_params)")
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    say("building model")
    lp_backend, mip_backend = get_backend(params.lp_solver), get_backend(params.solver)
    opts = SolveOptions(
        params.time_limit_s, params.relative_gap, params.threads, params.lp_algorithm
    )
    messages: list[str] = []
    clock = Clock()
    fix, phase1 = pre_stages(demand, params, lp_backend, opts, messages, say, clock)
    t_build = time.perf_counter()
    with clock.stage("build"):
        model = build_model(demand, params, fix)
    build_s = time.perf_counter() - t_build
    t1 = time.perf_counter()
    relax = model.program.relaxed()
    with clock.stage("relaxation"):
        lp_out = _relaxation(model, relax, lp_backend, opts, messages, say)
    if (
        not lp_out.result.has_solution
        and not phase1
        and model.sets.row_entitled.any()
        and lp_out.result.termination is Termination.INFEASIBLE
    ):
        with clock.stage("phase1"):
            funded = funded_entitlements(model, lp_backend, opts, messages, say)
            fix = replace(fix, entitled_lb=funded)
        with clock.stage("build"):
            model = build_model(demand, params, fix)
        relax = model.program.relaxed()
        with clock.stage("relaxation"):
            lp_out = _relaxation(model, relax, lp_backend, opts, messages, say)
    final, bound = lp_out, lp_out.result.bound if lp_out.decomposed else lp_out.result.objective
    lp_bound = bound
    if not lp_out.result.has_solution:
        messages.append(f"LP relaxation: {lp_out.result.termination}: {lp_out.result.message}")
    elif params.method is not Method.LP:
        final = _fast(model, relax, lp_out, lp_backend, opts, messages, say, clock)
        if params.method is Method.MIP:
            say(f"solving the MIP ({mip_backend.name})")
            with clock.stage("mip"):
                mip = _run(model.program, model, mip_backend, opts)
            if mip.result.has_solution:
                if np.isfinite(mip.result.bound):
                    bound = min(bound, mip.result.bound)
                if _better(mip, final, params.tier_mode):
                    final = mip
                else:  # e.g. stopped by the time limit with a worse incumbent
                    messages.append(
                        f"MIP ({mip.result.solver}) {mip.result.termination} with a worse plan "
                        "than the fast path; the fast-path plan is kept (gap against the "
                        "MIP bound)"
                    )
            else:
                messages.append(
                    f"MIP ({mip.result.solver}) {mip.result.termination}: {mip.result.message};"
                    " the fast-path plan is kept"
                )
    solve_s = time.perf_counter() - t1 + (t_build - t0)  # with the stages before
    say("writing the plan")
    with clock.stage("report"):
        plan = make_plan(
            model, final.result, final.values, lp_out.duals, bound, lp_bound,
            _stage_gap(lp_out.stages, final.stages), build_s, solve_s, messages,
        )  # fmt: skip
    plan.stage_seconds = dict(clock.seconds)
    return plan


def _fast(
    model: OptimizationModel,
    relax: LinearProgram,
    lp_out: Outcome,
    backend: SolverBackend,
    opts: SolveOptions,
    messages: list[str],
    say: Progress,
    clock: Clock,
) -> Outcome:
    """Round centres and workers, repair, and (polish) re-solve with them fixed."""
    vb = relax.var_blocks
    polish = model.params.polish
    if polish is None:
        polish = relax.n_vars <= POLISH_MAX_VARS
    with clock.stage("rounding"):
        x = lp_out.values[vb["x"]]
        centres = centres_of(relax, lp_out.values)
        if centres is not None:  # whole centres first: the workers follow what they serve
            centres = round_centres(model, centres, x)
            x = repair_centres(model, x, centres)
            relax = relax.with_bounds("centres", centres, centres)
        w = None  # by their worth at the LP's prices (salaries rise: only with the polish)
        if polish and model.params.worker_rounding == "priced":
            w = priced_workers(model, relax, lp_out.values, x, lp_out.duals, opts)
        if w is None:
            w = round_workers(model, x, lp_out.values[vb["w"]])
        repaired = complete_values(model, repair_served(model, x, w), w, centres)
        feasible = satisfies_hard_rows(model.program, repaired)
        rounded = Outcome(
            replace(lp_out.result, objective=float(model.program.obj @ repaired)),
            repaired,
            lp_out.duals,
            _stage_values(model, repaired),
        )
    if not feasible and not polish:
        # Paid workers rounded up broke a budget row, and the plan is not to be polished
        # (too large: at 60,000 neighborhoods the whole-model polish passed 16 GB; or
        # ``polish=False``): the LP's workers
        # rounded down, with the served rows cut to them, spend no more than the LP.
        with clock.stage("rounding"):
            w_down = np.minimum(np.floor(lp_out.values[vb["w"]] + 1e-6), w)
            down = complete_values(model, repair_served(model, x, w_down), w_down, centres)
            if satisfies_hard_rows(model.program, down):
                w, repaired, feasible = w_down, down, True
                rounded = Outcome(
                    replace(lp_out.result, objective=float(model.program.obj @ down)),
                    down,
                    lp_out.duals,
                    _stage_values(model, down),
                )
                messages.append(
                    "worker counts rounded down: the rounded-up salaries broke a budget "
                    "and the plan is not polished"
                )
    if not feasible:  # paid workers rounded up broke a budget row: the polish repairs x
        polish = True
    gap = (lp_out.result.objective - rounded.result.objective) / max(
        1e-9, abs(lp_out.result.objective)
    )
    if not polish or (feasible and gap <= model.params.relative_gap and not rounded.stages):
        return rounded  # (a rounded plan that breaks a hard row is never kept for its value)
    say("re-solving with the worker counts fixed" + (" and the centres" if centres is not None
                                                        else ""))  # fmt: skip
    # Cold, with presolve: fixing w lets presolve drop most rows; the relaxation's basis
    # (no presolve) was 5x slower on national-2020 (docs/notes/h13speed.md).
    opts = replace(opts, highs_options=POLISH_HIGHS_OPTIONS)
    if lp_out.decomposed:  # too large to polish whole (> 16 GB at 60,000 neighborhoods)
        keep = rounded.result.objective if feasible else None
        with clock.stage("polish"):
            values = polish_decomposed(model, relax, w, lp_out.values, keep, opts, messages)
        if values is None:
            return rounded
        objective = float(model.program.obj @ values)
        return Outcome(replace(lp_out.result, objective=objective), values, lp_out.duals,
                       _stage_values(model, values))  # fmt: skip
    with clock.stage("polish"):
        fixed = _run(relax.with_bounds("w", w, w), model, backend, opts)
        if not fixed.result.has_solution and not feasible:
            # the rounded-up salaries leave no room (e.g. for the entitlements): round down
            w = np.floor(lp_out.values[vb["w"]] + 1e-6)
            messages.append("worker counts rounded down: the rounded-up salaries broke a budget")
            fixed = _run(relax.with_bounds("w", w, w), model, backend, opts)
    if not fixed.result.has_solution:
        messages.append(f"polish {fixed.result.termination}: {fixed.result.message}")
        return rounded
    if feasible and fixed.result.objective < rounded.result.objective:
        # stopped early (a time limit): the rounded plan is feasible and better
        messages.append(
            f"polish stopped ({fixed.result.termination}) below the rounded plan: "
            "the rounded plan is kept"
        )
        return rounded
    return fixed


def _run(
    lp: LinearProgram,
    model: OptimizationModel,
    backend: SolverBackend,
    opts: SolveOptions,
    warm: object | None = None,
) -> Outcome:
    """Solve in the scenario's tier mode; values are completed from ``x`` and ``w``.

    ``warm``: the basis of an earlier solve of a program of the same shape (weighted mode).
    """
    if model.params.tier_mode is TierMode.WEIGHTED:
        res = backend.solve(lp, opts, warm)
        stages: list[float] = []
    else:
        res, stages = _lexicographic(lp, model, backend, opts)
    if not res.has_solution:
        return Outcome(res, res.values, res.duals, stages)
    vb = lp.var_blocks
    centres = centres_of(lp, res.values)
    if centres is not None and lp.integer[vb["centres"]].any():
        centres = np.round(centres)
    values = complete_values(model, res.values[vb["x"]], _clean_w(lp, res.values[vb["w"]]), centres)
    duals = res.duals[: model.program.n_rows] if res.duals.size else res.duals
    res = replace(res, objective=float(model.program.obj @ values))
    stages = _stage_values(model, values) if stages else []
    return Outcome(res, values, duals, stages)


def _lexicographic(
    lp: LinearProgram, model: OptimizationModel, backend: SolverBackend, opts: SolveOptions
) -> tuple[SolveResult, list[float]]:
    """Soft slack first, then tiers 1..4; each optimum is fixed by a ``stage_*`` row."""
    stages = [("soft", penalty_objective(lp, model.penalties))]
    stages += [(f"tier{t}", tier_objective(lp, model.sets, t)) for t in (1, 2, 3, 4)]
    eps = np.zeros(lp.n_vars)
    eps[lp.var_blocks["w"]] = -model.params.worker_epsilon
    eps += centre_tiebreak(lp, model.params)
    optima: list[float] = []
    cur, res = lp, SolveResult(backend.name, Termination.NOT_SOLVED)
    for i, (name, obj) in enumerate(stages):
        last = i == len(stages) - 1
        res = backend.solve(cur.with_objective(obj + eps if last else obj), opts)
        if not res.has_solution:
            return res, optima
        opt = float(obj @ res.values)
        optima.append(opt)
        slack = max(STAGE_TOL, opts.relative_gap if lp.is_mip else STAGE_TOL) * max(1.0, abs(opt))
        cur = cur.with_row(f"stage_{name}", obj, opt - slack, INF)
    return res, optima


def _better(a: Outcome, b: Outcome, mode: TierMode) -> bool:
    """Whether plan ``a`` is at least as good as ``b`` (stage by stage if lexicographic)."""
    if mode is TierMode.WEIGHTED or not a.stages or not b.stages:
        return a.result.objective >= b.result.objective - 1e-9 * abs(b.result.objective)
    return a.stages >= b.stages


def _stage_values(model: OptimizationModel, values: FloatArray) -> list[float]:
    """Stage objectives (soft slack, tier 1..4) of a plan, for the lexicographic gap."""
    if model.params.tier_mode is TierMode.WEIGHTED:
        return []
    lp = model.program
    objs = [penalty_objective(lp, model.penalties)]
    objs += [tier_objective(lp, model.sets, t) for t in (1, 2, 3, 4)]
    return [float(o @ values) for o in objs]


def _stage_gap(lp_stages: list[float], final_stages: list[float]) -> float | None:
    """Lexicographic gap: the largest relative shortfall of a tier stage against the LP's.

    (The soft-constraint stage is left out: its shortfall is the slack report.)
    """
    if not lp_stages or len(final_stages) != len(lp_stages):
        return None
    pairs = zip(lp_stages[1:], final_stages[1:], strict=True)
    gaps = [(a - b) / max(1.0, abs(a)) for a, b in pairs]
    return max(0.0, *gaps)


def centres_of(lp: LinearProgram, values: FloatArray) -> FloatArray | None:
    """The ``centres`` per county of a solution (None: the model has no such variables)."""
    if "centres" not in lp.var_blocks:
        return None
    out: FloatArray = values[lp.var_blocks["centres"]]
    return out


def _clean_w(lp: LinearProgram, w: FloatArray) -> FloatArray:
    """Integer solvers return 2.9999999: snap near-integers when ``w`` is integer."""
    if lp.integer[lp.var_blocks["w"]].any():
        return np.round(w)
    return w
