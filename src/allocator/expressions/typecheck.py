"""Static type checking of expressions, so that a broken rule fails at load time.

Examples:
    >>> from allocator.expressions.parser import parse
    >>> from allocator.domain.valuetypes import INT, enum_type
    >>> types = {("age",): INT, ("housing",): enum_type("housing")}
    >>> enums = {"housing": ("owner", "tenant", "informal", "homeless")}
    >>> check(parse("age >= 18 and housing == 'homeless'"), types.__getitem__, enums).kind
    'bool'
    >>> check(parse("housing == 'homless'"), types.__getitem__, enums)
    Traceback (most recent call last):
    ...
    allocator.expressions.typecheck.TypeProblem: 'homless' is not a value of housing (...)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from allocator.domain.valuetypes import BOOL, FLOAT, INT, ValueType, numeric_result
from allocator.errors import AllocatorError, Reason
from allocator.expressions.nodes import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Literal,
    Name,
    Node,
    SetLiteral,
    Unary,
    unparse,
)

#: The type of a bare string literal, until a comparison gives it an enum.
STRING = ValueType("enum", None)

Resolver = Callable[[tuple[str, ...]], ValueType]


class TypeProblem(AllocatorError, ValueError):
    """An expression is ill-typed or names something unknown; ``code`` is the rule problem's
    code (``type-mismatch``, ``unknown-variable``, ...)."""

    reason = Reason.EXPRESSION_TYPE

    def __init__(self, message: str, code: str = "type-mismatch") -> None:
        self.code = code
        super().__init__(message)


def _literal_type(value: object) -> ValueType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    return STRING


def _check_enum_literal(node: Node, enum: str, enums: Mapping[str, tuple[str, ...]]) -> None:
    if isinstance(node, Literal) and isinstance(node.value, str):
        allowed = enums[enum]
        if node.value not in allowed:
            raise TypeProblem(
                f"{node.value!r} is not a value of {enum} (expected one of: {', '.join(allowed)})"
            )


def _unify(a: ValueType, b: ValueType, what: str) -> ValueType:
    """The common type of two operands that must agree (``==``, ``if`` branches)."""
    if a.is_numeric and b.is_numeric:
        return numeric_result(a, b)
    if a.kind == b.kind == "enum" and (a.enum is None or b.enum is None or a.enum == b.enum):
        return a if a.enum is not None else b
    if a == b:
        return a
    raise TypeProblem(f"{what} mixes {a.describe()} and {b.describe()}")


class _Checker:
    def __init__(self, resolve: Resolver, enums: Mapping[str, tuple[str, ...]]) -> None:
        self.resolve = resolve
        self.enums = enums

    def expect(self, node: Node, kind: str) -> ValueType:
        found = self.check(node)
        ok = found.is_numeric if kind == "number" else found.kind == kind
        if not ok:
            raise TypeProblem(f"'{unparse(node)}' is {found.describe()}, expected {kind}")
        return found

    def check(self, node: Node) -> ValueType:
        if isinstance(node, Literal):
            return _literal_type(node.value)
        if isinstance(node, SetLiteral):
            raise TypeProblem("a set {...} can only stand on the right of 'in' / 'not in'")
        if isinstance(node, Name):
            return self.resolve(node.parts)
        if isinstance(node, Unary):
            return self.expect(node.operand, "bool" if node.op == "not" else "number")
        if isinstance(node, Binary):
            left = self.expect(node.left, "number")
            right = self.expect(node.right, "number")
            return FLOAT if node.op == "/" else numeric_result(left, right)
        if isinstance(node, BoolOp):
            for operand in node.operands:
                self.expect(operand, "bool")
            return BOOL
        if isinstance(node, Compare):
            return self.compare(node)
        return self.call(node)

    def compare(self, node: Compare) -> ValueType:
        left = self.check(node.left)
        if node.op in ("in", "not in"):
            if not isinstance(node.right, SetLiteral):
                raise TypeProblem(
                    f"'{node.op}' needs a set literal on its right, like {{'a', 'b'}}"
                )
            for item in node.right.values:
                self.pair(node.left, left, item, _literal_type(item.value), node.op)
            return BOOL
        right = self.check(node.right)
        if node.op in ("<", "<=", ">", ">=") and not (left.is_numeric and right.is_numeric):
            raise TypeProblem(
                f"'{unparse(node)}' orders {left.describe()} and {right.describe()}; "
                "only numbers can be ordered"
            )
        self.pair(node.left, left, node.right, right, node.op)
        return BOOL

    def pair(self, a: Node, ta: ValueType, b: Node, tb: ValueType, op: str) -> None:
        common = _unify(ta, tb, f"'{op}'")
        if common.kind == "enum":
            if common.enum is None:
                raise TypeProblem(f"'{op}' compares two string literals")
            _check_enum_literal(a, common.enum, self.enums)
            _check_enum_literal(b, common.enum, self.enums)

    def call(self, node: Call) -> ValueType:
        if node.func == "if":
            self.expect(node.args[0], "bool")
            a, b = self.check(node.args[1]), self.check(node.args[2])
            common = _unify(a, b, "if()")
            if common.kind == "enum" and common.enum is not None:
                _check_enum_literal(node.args[1], common.enum, self.enums)
                _check_enum_literal(node.args[2], common.enum, self.enums)
            return common
        types = [self.expect(arg, "number") for arg in node.args]
        return types[0] if len(types) == 1 else numeric_result(types[0], types[1])


def check(node: Node, resolve: Resolver, enums: Mapping[str, tuple[str, ...]]) -> ValueType:
    """The type of ``node``; raises :class:`TypeProblem` if it has none."""
    return _Checker(resolve, enums).check(node)
