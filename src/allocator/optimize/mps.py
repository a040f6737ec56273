"""Export a :class:`~allocator.optimize.lp.LinearProgram` as free-format MPS.

The exact model the optimizer solved, readable by any solver (HiGHS, SCIP, CBC, Gurobi).
Columns are named ``<block>_<i>`` and rows ``<block>_<i>`` after the blocks of
``docs/model.md``; the sense is ``OBJSENSE MAX``; integer columns sit between ``MARKER``
lines; two-sided rows are ``L`` rows with a ``RANGES`` entry.

Examples:
    >>> import io
    >>> from allocator.optimize.lp import ProgramBuilder
    >>> b = ProgramBuilder()
    >>> _ = b.add_vars("x", lb=np.zeros(2), ub=np.array([3.0, 5.0]), obj=np.array([1.0, 2.0]))
    >>> _ = b.add_rows("cap", 1, np.array([0, 0]), np.array([0, 1]), np.ones(2),
    ...                ub=np.array([4.0]))
    >>> out = io.StringIO()
    >>> write_mps(b.build(), out, "demo")
    >>> print(out.getvalue().splitlines()[5])
     L  cap_0
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np

from allocator.optimize.lp import LinearProgram


def _names(blocks: dict[str, slice], n: int) -> list[str]:
    out = [""] * n
    for name, sl in blocks.items():
        for i in range(sl.start, sl.stop):
            out[i] = f"{name}_{i - sl.start}"
    return out


def write_mps(lp: LinearProgram, out: TextIO, name: str = "allocation") -> None:
    """Write ``lp`` (maximisation) in free MPS to ``out``."""
    cols, rows = _names(lp.var_blocks, lp.n_vars), _names(lp.row_blocks, lp.n_rows)
    lo, hi = lp.row_lb, lp.row_ub
    w = out.write
    w(f"NAME {name}\nOBJSENSE\n    MAX\nROWS\n N  obj\n")
    kind = np.where(
        lo == hi, "E", np.where(np.isfinite(hi), "L", np.where(np.isfinite(lo), "G", "N"))
    )
    for r in range(lp.n_rows):
        w(f" {kind[r]}  {rows[r]}\n")
    w("COLUMNS\n")
    order = np.lexsort((lp.rows, lp.cols))
    c_of, r_of, v_of = lp.cols[order], lp.rows[order], lp.vals[order]
    starts = np.searchsorted(c_of, np.arange(lp.n_vars + 1))
    in_int = False
    for j in range(lp.n_vars):
        if bool(lp.integer[j]) != in_int:
            in_int = bool(lp.integer[j])
            w(f"    M{j} 'MARKER' '{'INTORG' if in_int else 'INTEND'}'\n")
        if lp.obj[j] != 0:
            w(f"    {cols[j]} obj {float(lp.obj[j])!r}\n")
        for k in range(starts[j], starts[j + 1]):
            w(f"    {cols[j]} {rows[r_of[k]]} {float(v_of[k])!r}\n")
        if lp.obj[j] == 0 and starts[j] == starts[j + 1]:
            w(f"    {cols[j]} obj 0.0\n")
    if in_int:
        w(f"    M{lp.n_vars} 'MARKER' 'INTEND'\n")
    w("RHS\n")
    for r in range(lp.n_rows):
        rhs = hi[r] if kind[r] in ("L", "E") else lo[r] if kind[r] == "G" else 0.0
        if rhs != 0:
            w(f"    rhs {rows[r]} {float(rhs)!r}\n")
    ranged = np.flatnonzero((kind == "L") & np.isfinite(lo))
    if ranged.size:
        w("RANGES\n")
        for i in ranged.tolist():
            w(f"    rng {rows[i]} {float(hi[i] - lo[i])!r}\n")
    w("BOUNDS\n")
    for j in range(lp.n_vars):
        lb, ub = float(lp.lb[j]), float(lp.ub[j])
        if lb == ub:
            w(f" FX bnd {cols[j]} {lb!r}\n")
            continue
        if lb == -np.inf:
            w(f" MI bnd {cols[j]}\n")
        elif lb != 0:
            w(f" LO bnd {cols[j]} {lb!r}\n")
        if ub != np.inf:
            w(f" UP bnd {cols[j]} {ub!r}\n")
        elif lp.integer[j]:
            w(f" PL bnd {cols[j]}\n")
    w("ENDATA\n")


def export_mps(lp: LinearProgram, path: Path, name: str = "allocation") -> Path:
    """Write ``lp`` to ``path`` (free MPS); returns the path."""
    with path.open("w", encoding="ascii") as fh:
        write_mps(lp, fh, name)
    return path
