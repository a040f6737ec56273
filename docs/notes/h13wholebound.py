"""A whole-worker bound of national-2020 at the LP relaxation's prices (analysis, not shipped).

Run from the repository: ``python docs/notes/h13wholebound.py [MIP seconds]``
(``docs/notes/h13gap.md``, section "A whole-worker bound at the LP's prices").

1. Runs ``allocator run scenarios/national-2020.yaml`` with the fast path's rounding
   step intercepted, to keep the relaxation, its values and its row duals ``y``.
2. Lagrangian relaxation at ``y``: every row but the staff cells' ``caseload`` rows and
   the value cells' ``value_def`` rows moves into the objective (their ``y``-weighted
   sides are a constant, weak duality); what is left is solved with the workers ``w``
   whole, as a MIP. Its proven bound plus the constant bounds every plan with whole
   workers (for any ``y``; the LP's duals are one choice, not the best one).
3. The same subproblem with ``w`` continuous gives the LP's own optimum back (a check).

Value cells join the (county, agency) staff cells of a county (580 cells in 145 groups),
so the subproblem does not split cell by cell: it is solved whole, under a time limit.
"""

from __future__ import annotations

import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import allocator.optimize.solve as solve
from allocator.optimize.lp import _row_terms
from allocator.optimize.solvers import SolveOptions, get_backend

CAPTURE = Path("/tmp/h13wholebound-lp.pkl")
LOCAL = ("caseload", "value_def")


def capture() -> None:
    """Run national-2020, keeping the relaxation the fast path rounds."""
    original = solve._fast

    def keep(model, relax, lp_out, *args, **kwargs):  # type: ignore[no-untyped-def]
        data = {"relax": relax, "duals": lp_out.duals, "objective": lp_out.result.objective}
        CAPTURE.write_bytes(pickle.dumps(data, protocol=5))
        return original(model, relax, lp_out, *args, **kwargs)

    solve._fast = keep  # type: ignore[assignment]
    from allocator.cli.app import main

    sys.argv = ["allocator", "run", "scenarios/national-2020.yaml", "--out",
                "/tmp/h13wholebound-run", "--force"]  # fmt: skip
    try:
        main()
    except SystemExit:
        pass


def bound(seconds: float) -> None:
    d = pickle.loads(CAPTURE.read_bytes())
    lp, y = d["relax"], d["duals"]
    local = np.zeros(lp.n_rows, dtype=bool)
    for name in LOCAL:
        local[lp.row_blocks[name]] = True
    priced = ~local[lp.rows]
    reduced = lp.obj - np.bincount(
        lp.cols[priced], weights=lp.vals[priced] * y[lp.rows[priced]], minlength=lp.n_vars
    )
    constant = _row_terms(y[~local], lp.row_lb[~local], lp.row_ub[~local])
    renumber = np.full(lp.n_rows, -1)
    renumber[local] = np.arange(local.sum())
    kept = local[lp.rows]
    sub = replace(lp, obj=reduced, rows=renumber[lp.rows[kept]], cols=lp.cols[kept],
                  vals=lp.vals[kept], row_lb=lp.row_lb[local], row_ub=lp.row_ub[local],
                  row_blocks={})  # fmt: skip
    backend = get_backend("highs")
    relaxed = backend.solve(sub, SolveOptions(time_limit_s=600))
    print(f"LP optimum {d['objective']:,.2f}; Lagrangian, w continuous "
          f"{constant + relaxed.objective:,.2f}")  # fmt: skip
    integer = np.zeros(sub.n_vars, dtype=bool)
    integer[lp.var_blocks["w"]] = True
    start = time.perf_counter()
    mip = backend.solve(replace(sub, integer=integer),
                        SolveOptions(time_limit_s=seconds, relative_gap=1e-6))  # fmt: skip
    print(f"subproblem MIP: {mip.termination} after {time.perf_counter() - start:.0f} s")
    low, high = constant + mip.objective, constant + mip.bound
    print(f"whole-worker Lagrangian at the LP's prices: between {low:,.2f} and {high:,.2f} "
          f"(certified upper bound {high:,.2f})")  # fmt: skip


if __name__ == "__main__":
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    if not CAPTURE.exists():
        capture()
    bound(limit)
