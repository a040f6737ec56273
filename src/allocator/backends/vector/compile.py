"""Compile expression trees into NumPy closures, once per ruleset and decision date.

Semantics are those of :mod:`allocator.expressions.scalar`: ``/`` is true division with
``x / 0 == 0.0``; integer arithmetic stays integer (``int64``), anything with a float is
``float64``; enums are small integer codes, and a string literal gets the code of the enum
it is compared with. Parameters are constants at the decision date, and every subtree
without a variable is folded with the scalar evaluator itself. A subtree that occurs more
than once in the ruleset (see :meth:`Compiler.share`) is computed once per frame.

Examples:
    >>> import numpy as np
    >>> from allocator.expressions.parser import parse
    >>> from allocator.domain.valuetypes import INT, enum_type
    >>> types = {("household", "income"): INT, ("household", "size"): INT,
    ...          ("household", "housing"): enum_type("housing")}
    >>> c = Compiler(lambda e, n: types[(e, n)], {"line": 100})
    >>> f = Frame(3, {"income": np.array([90, 500, 7]), "size": np.array([1, 5, 0]),
    ...               "housing": np.array([3, 0, 1], dtype=np.int8)})
    >>> c.compile(parse("income / size < params.line"), "household")(f).tolist()
    [True, False, True]
    >>> c.compile(parse("housing in {'homeless', 'tenant'}"), "household")(f).tolist()
    [True, False, True]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from allocator.api.parameters import ParamScalar
from allocator.domain.enums import ENUM_TYPES
from allocator.domain.valuetypes import ValueType
from allocator.expressions.nodes import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Name,
    Node,
    SetLiteral,
    Unary,
)
from allocator.expressions.scalar import evaluate

from .frame import Frame

#: A compiled expression: frame -> array (or a NumPy scalar for a constant).
Fn = Callable[[Frame], Any]
TypeOf = Callable[[str, str], ValueType]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


class Compiled:
    """A compiled expression; ``const`` is set when it does not depend on any variable."""

    __slots__ = ("const", "fn")

    def __init__(self, fn: Fn, const: Any = None) -> None:
        self.fn = fn
        self.const = const

    @property
    def is_const(self) -> bool:
        return self.const is not None

    def __call__(self, frame: Frame) -> Any:
        return self.fn(frame)

    def full(self, frame: Frame, dtype: Any = None) -> Any:
        """The value as an array of ``frame.n`` rows (constants are broadcast)."""
        value = self.fn(frame)
        if np.ndim(value) == 0:
            return np.full(frame.n, value, dtype=dtype or np.asarray(value).dtype)
        return value


def constant(value: Any) -> Compiled:
    return Compiled(lambda _frame: value, value)


def scalar(value: ParamScalar | str, enum: str | None) -> Any:
    """A Python value as a NumPy scalar (a string becomes the code of ``enum``).

    Examples:
        >>> scalar(3, None).dtype, scalar(0.5, None).dtype, int(scalar("tenant", "housing"))
        (dtype('int64'), dtype('float64'), 1)
    """
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    if enum is None:
        raise TypeError(f"string literal {value!r} outside an enum comparison")
    return np.int8(ENUM_TYPES[enum].index(value))


def _wide(value: Any) -> Any:
    """Integers narrower than 64 bits widened, so that arithmetic cannot overflow early."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iub" and value.itemsize < 8:
        return value.astype(np.int64)
    return value


def divide(a: Any, b: Any) -> Any:
    """True division with ``x / 0 == 0.0``, element-wise.

    Examples:
        >>> divide(np.array([1, 3, 4]), np.array([2, 0, 4])).tolist()
        [0.5, 0.0, 1.0]
    """
    a64 = np.asarray(a, dtype=np.float64)
    b64 = np.asarray(b, dtype=np.float64)
    out = np.zeros(np.broadcast_shapes(a64.shape, b64.shape), dtype=np.float64)
    np.divide(a64, b64, out=out, where=b64 != 0)
    return out


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: np.add(_wide(a), _wide(b)),
    "-": lambda a, b: np.subtract(_wide(a), _wide(b)),
    "*": lambda a, b: np.multiply(_wide(a), _wide(b)),
    "/": divide,
}


class Compiler:
    """Compiles expressions of either entity for one set of parameter values.

    Args:
        type_of: the type of variable ``name`` of ``entity`` (``RuleSet.type_of``).
        params: parameter values at the decision date, by dotted name.
    """

    def __init__(self, type_of: TypeOf, params: Mapping[str, ParamScalar]) -> None:
        self.type_of = type_of
        self.params = params
        self._seen: Counter[tuple[str, Node]] = Counter()
        self._keys: dict[tuple[str, Node], int] = {}

    def share(self, node: Node, entity: str) -> None:
        """Count the subtrees of ``node`` so that repeated ones are computed once per frame."""
        self._seen[(entity, node)] += 1
        for child in _children(node):
            self.share(child, entity)

    def enum_of(self, node: Node, entity: str) -> str | None:
        """The enum an expression's values belong to, if it is enum-typed and not a literal."""
        if isinstance(node, Name) and node.parts[0] != "params":
            owner = "household" if len(node.parts) == 2 else entity
            return self.type_of(owner, node.parts[-1]).enum
        if isinstance(node, Call) and node.func == "if":
            return self.enum_of(node.args[1], entity) or self.enum_of(node.args[2], entity)
        return None

    def compile(self, node: Node, entity: str, enum: str | None = None) -> Compiled:
        """The closure computing ``node`` for a frame of ``entity`` (``enum``: literal context)."""
        if not any(isinstance(n, Name) and n.parts[0] != "params" for n in _walk(node)):
            value = evaluate(node, lambda parts: self.params[".".join(parts[1:])])
            return constant(scalar(value, enum or self.enum_of(node, entity)))
        compiled = self._build(node, entity, enum)
        key = (entity, node)
        if self._seen[key] > 1 and not isinstance(node, Name):
            slot = self._keys.setdefault(key, len(self._keys))
            inner = compiled.fn

            def memo(frame: Frame) -> Any:
                found = frame.memo.get(slot)
                if found is None:
                    found = frame.memo[slot] = inner(frame)
                return found

            return Compiled(memo)
        return compiled

    def _build(self, node: Node, entity: str, enum: str | None) -> Compiled:
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Unary):
            operand = self.compile(node.operand, entity).fn
            if node.op == "not":
                return Compiled(lambda f: np.logical_not(operand(f)))
            return Compiled(lambda f: np.negative(_wide(operand(f))))
        if isinstance(node, Binary):
            op = _ARITHMETIC[node.op]
            left = self.compile(node.left, entity).fn
            right = self.compile(node.right, entity).fn
            return Compiled(lambda f: op(left(f), right(f)))
        if isinstance(node, BoolOp):
            return self._boolop(node, entity)
        if isinstance(node, Compare):
            return self._compare(node, entity)
        if isinstance(node, Call):
            return self._call(node, entity, enum)
        raise TypeError(f"cannot compile {node!r}")  # Literal / SetLiteral are constants

    def _name(self, node: Name) -> Compiled:
        parts = node.parts
        if len(parts) == 2:
            name = parts[1]
            return Compiled(lambda f: f.household(name))
        name = parts[0]
        return Compiled(lambda f: f.get(name))

    def _boolop(self, node: BoolOp, entity: str) -> Compiled:
        is_and = node.op == "and"
        parts = [self.compile(o, entity) for o in node.operands]
        if any(p.is_const and bool(p.const) != is_and for p in parts):
            return constant(np.bool_(not is_and))  # a false operand of 'and', true of 'or'
        fns = [p.fn for p in parts if not p.is_const]
        ufunc = np.logical_and if is_and else np.logical_or
        if len(fns) == 1:
            return Compiled(lambda f: np.asarray(fns[0](f), dtype=np.bool_))

        def run(f: Frame) -> Any:
            result = ufunc(fns[0](f), fns[1](f))
            for fn in fns[2:]:
                ufunc(result, fn(f), out=result)
            return result

        return Compiled(run)

    def _compare(self, node: Compare, entity: str) -> Compiled:
        enum = self.enum_of(node.left, entity) or self.enum_of(node.right, entity)
        left = self.compile(node.left, entity, enum).fn
        if isinstance(node.right, SetLiteral):
            negate = node.op == "not in"
            items = [scalar(item.value, enum) for item in node.right.values]
            if enum is not None:
                table = np.zeros(len(ENUM_TYPES[enum]), dtype=np.bool_)
                table[[int(i) for i in items]] = True
                if negate:
                    table = ~table
                return Compiled(lambda f: table[left(f)])
            values = np.array(items)
            return Compiled(lambda f: np.isin(left(f), values, invert=negate))
        op = _COMPARE[node.op]
        right = self.compile(node.right, entity, enum).fn
        return Compiled(lambda f: op(left(f), right(f)))

    def _call(self, node: Call, entity: str, enum: str | None) -> Compiled:
        if node.func == "if":
            branch_enum = enum or self.enum_of(node, entity)
            cond = self.compile(node.args[0], entity).fn
            a = self.compile(node.args[1], entity, branch_enum).fn
            b = self.compile(node.args[2], entity, branch_enum).fn
            return Compiled(lambda f: np.where(cond(f), a(f), b(f)))
        args = [self.compile(a, entity).fn for a in node.args]
        if node.func == "abs":
            return Compiled(lambda f: np.abs(_wide(args[0](f))))
        ufunc = np.minimum if node.func == "min" else np.maximum
        return Compiled(lambda f: ufunc(args[0](f), args[1](f)))


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Call):
        return node.args
    return ()


def _walk(node: Node) -> list[Node]:
    found = [node]
    for child in _children(node):
        found.extend(_walk(child))
    return found
