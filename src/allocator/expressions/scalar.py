"""Evaluate an expression for one entity, with plain Python values.

Semantics shared with the array compiler (:mod:`allocator.backends.vector.compile`):
``/`` is true division and ``x / 0`` is ``0.0`` (no infinities, no NaN), ``and``/``or``
are boolean, enums are compared by name.

Examples:
    >>> from allocator.expressions.parser import parse
    >>> env = {"income": 900, "size": 3, "urban": True}.__getitem__
    >>> evaluate(parse("income / size < if(urban, 400, 200)"), lambda p: env(p[0]))
    True
    >>> evaluate(parse("income / 0"), lambda p: env(p[0]))
    0.0
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

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
)
from allocator.types import ScalarValue

Lookup = Callable[[tuple[str, ...]], ScalarValue]


def divide(a: float, b: float) -> float:
    """True division with ``x / 0 == 0.0``, the rule language's convention."""
    return a / b if b != 0 else 0.0


def _compare(op: str, a: ScalarValue, b: ScalarValue) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


#: What a compiled expression reads: (own entity's variables, its household's variables,
#: parameters). For a household expression the first two are the same mapping.
Scope = tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]
Compiled = Callable[[Scope], Any]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": divide,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _name(parts: tuple[str, ...]) -> Compiled:
    if parts[0] == "params":
        key = ".".join(parts[1:])
        return lambda s: s[2][key]
    if len(parts) == 2:
        key = parts[1]
        return lambda s: s[1][key]
    key = parts[0]
    return lambda s: s[0][key]


def _compile(node: Node) -> Compiled:
    if isinstance(node, Literal):
        value = node.value
        return lambda s: value
    if isinstance(node, Name):
        return _name(node.parts)
    if isinstance(node, Unary):
        inner = compiled(node.operand)
        if node.op == "not":
            return lambda s: not inner(s)
        return lambda s: -inner(s)
    if isinstance(node, Binary | Compare) and not isinstance(node.right, SetLiteral):
        fn, left, right = _OPS[node.op], compiled(node.left), compiled(node.right)
        return lambda s: fn(left(s), right(s))
    if isinstance(node, Compare):
        assert isinstance(node.right, SetLiteral)
        items = frozenset(v.value for v in node.right.values)
        left = compiled(node.left)
        if node.op == "in":
            return lambda s: left(s) in items
        return lambda s: left(s) not in items
    if isinstance(node, BoolOp):
        parts_ = [compiled(o) for o in node.operands]
        if node.op == "and":
            return lambda s: all([bool(p(s)) for p in parts_])
        return lambda s: any([bool(p(s)) for p in parts_])
    if isinstance(node, Call):
        args = [compiled(a) for a in node.args]
        if node.func == "if":
            c, a, b = args
            return lambda s: a(s) if c(s) else b(s)
        if node.func in ("min", "max"):
            pick = min if node.func == "min" else max
            a, b = args
            return lambda s: pick(a(s), b(s))
        return lambda s: abs(args[0](s))
    raise TypeError(f"cannot evaluate {node!r}")


_CACHE: dict[int, tuple[Node, Compiled]] = {}


def compiled(node: Node) -> Compiled:
    """``node`` as a Python closure over a :data:`Scope`, built once per tree object.

    The cache is keyed by identity (a structural hash of a tree costs a walk of it) and
    keeps the node alive, so that an id is never reused while cached.

    Examples:
        >>> from allocator.expressions.parser import parse
        >>> member, household = {"age": 7}, {"urban": True}
        >>> compiled(parse("age < 18 and household.urban"))((member, household, {}))
        True
    """
    hit = _CACHE.get(id(node))
    if hit is None:
        hit = _CACHE[id(node)] = (node, _compile(node))
    return hit[1]


def evaluate(node: Node, lookup: Lookup) -> ScalarValue:
    """The value of ``node``, reading names through ``lookup`` (walks the tree)."""
    value: ScalarValue = interpret(node, lookup)
    return value


def interpret(node: Node, lookup: Lookup) -> Any:
    """The value of ``node`` by walking the tree (the reference for :func:`compiled`)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return lookup(node.parts)
    if isinstance(node, Unary):
        value: Any = interpret(node.operand, lookup)
        return (not value) if node.op == "not" else -value
    if isinstance(node, Binary):
        a: Any = interpret(node.left, lookup)
        b: Any = interpret(node.right, lookup)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        return divide(a, b)
    if isinstance(node, BoolOp):
        values = [bool(interpret(o, lookup)) for o in node.operands]
        return all(values) if node.op == "and" else any(values)
    if isinstance(node, Compare):
        left = interpret(node.left, lookup)
        if isinstance(node.right, SetLiteral):
            found = any(left == item.value for item in node.right.values)
            return found if node.op == "in" else not found
        return _compare(node.op, left, interpret(node.right, lookup))
    if isinstance(node, Call):
        args: list[Any] = [interpret(a, lookup) for a in node.args]
        if node.func == "if":
            return args[1] if args[0] else args[2]
        if node.func == "min":
            return min(args[0], args[1])
        if node.func == "max":
            return max(args[0], args[1])
        return abs(args[0])
    raise TypeError(f"cannot evaluate {node!r}")  # SetLiteral outside 'in'
