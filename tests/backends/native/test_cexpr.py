"""The C translation of expressions, node type by node type, against the scalar evaluator.

Each expression is compiled into a small C function over the same five households as the
NumPy compiler's tests (:mod:`tests.backends.vector.test_compile`), and run.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import pytest

from allocator.backends.native.build import load
from allocator.backends.native.cexpr import CExpr
from allocator.backends.native.engine import slot_arrays
from allocator.backends.native.kernel import DTYPES, PREAMBLE
from allocator.domain.valuetypes import BOOL, FLOAT, INT
from allocator.expressions.parser import parse
from tests.backends.vector.test_compile import (
    EXPRESSIONS,
    HOUSEHOLDS,
    PARAMS,
    TYPES,
    scalar_values,
)

NAMES = sorted(HOUSEHOLDS)
PARAM_TYPES = {"line": INT, "half": FLOAT, "flag": BOOL}


def run_c(text: str, columns: dict[str, Any] = HOUSEHOLDS) -> list[float]:
    """``text`` evaluated by C for every household, as doubles."""
    expr = CExpr(lambda e, n: TYPES[(e, n)], PARAM_TYPES, lambda e, n: f"(H_{n}[i])")
    body = expr.emit(parse(text), "household")
    lines = [PREAMBLE, "void f(int64_t n, void** in, const int64_t* PI, const double* PD,"]
    lines.append("       double* out) {")
    for k, name in enumerate(NAMES):
        ctype = DTYPES[columns[name].dtype.name]
        lines.append(f"  const {ctype}* H_{name} = (const {ctype}*)in[{k}];")
    lines += expr.slot_declarations()
    lines += [f"  for (int64_t i = 0; i < n; i++) out[i] = (double)({body});", "}"]
    function = load("\n".join(lines)).f
    function.restype = None
    ints, floats = slot_arrays(list(zip(expr.slots, expr.slot_kinds(), strict=True)), PARAMS)
    pointers = np.array([columns[name].ctypes.data for name in NAMES], dtype=np.uintp)
    out = np.zeros(5)
    function(
        ctypes.c_int64(5),
        *(ctypes.c_void_p(a.ctypes.data) for a in (pointers, ints, floats, out)),
    )
    return out.tolist()


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_matches_scalar_semantics(text: str) -> None:
    assert run_c(text) == [float(v) for v in scalar_values(text)]


def test_narrow_columns_widen_before_arithmetic() -> None:
    columns = dict(HOUSEHOLDS, income=np.array([30000, 2, 3, 4, 5], dtype=np.int16))
    assert run_c("income * income + 1", columns)[0] == 900000001.0


def test_constant_subtrees_become_slots_evaluated_in_python() -> None:
    expr = CExpr(lambda e, n: TYPES[(e, n)], PARAM_TYPES, lambda e, n: n)
    text = expr.emit(parse("income < params.line / 0 + abs(-2) and urban"), "household")
    assert "PD_0" in text
    assert [(str(k)) for k in expr.slot_kinds()] == ["float"]
    assert slot_arrays(list(zip(expr.slots, expr.slot_kinds(), strict=True)), PARAMS)[1][0] == 2.0
