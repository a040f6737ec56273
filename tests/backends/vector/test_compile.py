"""The expression compiler, node type by node type, against the scalar evaluator."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from allocator.backends.vector.compile import Compiler
from allocator.backends.vector.frame import Frame
from allocator.domain.valuetypes import BOOL, FLOAT, INT, ValueType, enum_type
from allocator.expressions.parser import parse
from allocator.expressions.scalar import evaluate

TYPES: dict[tuple[str, str], ValueType] = {
    ("household", "income"): INT,
    ("household", "size"): INT,
    ("household", "share"): FLOAT,
    ("household", "urban"): BOOL,
    ("household", "housing"): enum_type("housing"),
    ("household", "custodian"): enum_type("agency"),
    ("household", "case_agency"): enum_type("agency"),
    ("member", "age"): INT,
    ("member", "sex"): enum_type("sex"),
}
PARAMS = {"line": 100, "half": 0.5, "flag": True}
HOUSING = ("owner", "tenant", "informal", "homeless")
AGENCY = ("none", "relief_committee", "welfare_organization", "imam_order", "red_crescent", "other")

HOUSEHOLDS: dict[str, Any] = {
    "income": np.array([0, 90, 500, 7, -3], dtype=np.int64),
    "size": np.array([0, 1, 5, 0, 2], dtype=np.int64),
    "share": np.array([0.0, 1.5, -2.25, 0.1, 3.0]),
    "urban": np.array([True, False, True, False, True]),
    "housing": np.array([3, 0, 1, 2, 3], dtype=np.int8),
    "custodian": np.array([1, 2, 3, 4, 1], dtype=np.int8),
    "case_agency": np.array([0, 5, 2, 0, 3], dtype=np.int8),
}
ENUMS = {"housing": HOUSING, "custodian": AGENCY, "case_agency": AGENCY}


def compiler() -> Compiler:
    return Compiler(lambda e, n: TYPES[(e, n)], PARAMS)


def frame() -> Frame:
    return Frame(5, dict(HOUSEHOLDS))


def scalar_values(text: str) -> list[Any]:
    """What the reference evaluator says, household by household (enums as names)."""
    found = []
    for i in range(5):

        def lookup(parts: tuple[str, ...], i: int = i) -> Any:
            if parts[0] == "params":
                return PARAMS[".".join(parts[1:])]
            value = HOUSEHOLDS[parts[0]][i].item()
            return ENUMS[parts[0]][value] if parts[0] in ENUMS else value

        found.append(evaluate(parse(text), lookup))
    return found


#: Expressions of every node type, checked against the scalar evaluator by both kernels.
EXPRESSIONS = [
    "income + size * 2 - 1",
    "income / size",
    "share / 0",
    "-income",
    "not urban",
    "urban and income > 10",
    "urban or size == 0 or share < 0",
    "income >= params.line",
    "income < params.half * params.line",
    "income != 7 and income <= 90",
    "if(urban, income, share)",
    "min(income, size)",
    "max(share, income / 3)",
    "abs(income - 100)",
    "abs(share)",
    "income in {0, 7, 500}",
    "income not in {0, 7}",
    "housing == 'homeless'",
    "'tenant' != housing",
    "housing in {'owner', 'homeless'}",
    "housing not in {'owner', 'homeless'}",
    "custodian == case_agency",
    "if(case_agency in {'none', 'other'}, custodian, case_agency) == 'imam_order'",
    "if(urban, 'welfare_organization', custodian) == 'relief_committee'",
    "params.flag and urban",
    "income + 0 * params.line",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_matches_scalar_semantics(text: str) -> None:
    got = compiler().compile(parse(text), "household").full(frame())
    expected = scalar_values(text)
    assert got.tolist() == expected
    assert [type(v) for v in got.tolist()] == [type(v) for v in expected] or text.startswith(
        ("if(", "min(", "max(")
    )


def test_division_by_zero_is_zero_and_float() -> None:
    got = compiler().compile(parse("income / size"), "household").full(frame())
    assert got.dtype == np.float64
    assert got.tolist() == [0.0, 90.0, 100.0, 0.0, -1.5]


def test_int_arithmetic_stays_int64_even_from_narrow_columns() -> None:
    members = Frame(2, {"age": np.array([120, 30000], dtype=np.int16)})
    got = compiler().compile(parse("age * age + 1"), "member").full(members)
    assert got.dtype == np.int64
    assert got.tolist() == [14401, 900000001]


def test_constant_subtrees_are_folded_with_the_scalar_evaluator() -> None:
    compiled = compiler().compile(parse("params.line / 0 + abs(-2)"), "household")
    assert compiled.is_const
    assert compiled.const == 2.0


def test_enum_result_gets_codes() -> None:
    got = (
        compiler()
        .compile(parse("if(case_agency in {'none', 'other'}, custodian, case_agency)"), "household")
        .full(frame())
    )
    assert got.tolist() == [1, 2, 2, 4, 3]


def test_string_literal_result_in_enum_context() -> None:
    compiled = compiler().compile(parse("'welfare_organization'"), "household", "agency")
    assert compiled.full(frame()).tolist() == [2] * 5


def test_household_names_are_broadcast_to_members() -> None:
    households = frame()
    members = Frame(3, {"age": np.array([1, 2, 3])}, up=households, up_index=np.array([0, 0, 4]))
    got = compiler().compile(parse("household.urban and age > 1"), "member").full(members)
    assert got.tolist() == [False, True, True]


def test_repeated_subtrees_are_computed_once_per_frame() -> None:
    c = compiler()
    tree = parse("income / size > 1")
    c.share(tree, "household")
    c.share(tree, "household")
    first = c.compile(tree, "household")
    f = frame()
    assert first(f) is first(f)
    assert first(frame()) is not first(f)
