"""Translate expression trees into C expressions with the array engine's semantics.

The rules are those of :mod:`allocator.backends.vector.compile`, which the two engines are
tested against: integers are ``int64_t`` (wrapping, the kernel is built with ``-fwrapv``),
anything with a float is ``double``, ``x / 0`` is ``0.0``, booleans and enum codes are
``int``. A subtree without variables is a *slot*: its value is computed once per decision
date by the scalar evaluator and read from ``PI_k`` (booleans, integers, enum codes) or
``PD_k`` (floats), so the C source does not depend on parameter values.

Names become C identifiers the kernel declares: ``H_x[i]`` and ``M_x[j]`` for household and
member inputs, ``h_x`` for household derived variables; member derived variables are
inlined (see :class:`CExpr`).

Examples:
    >>> from allocator.expressions.parser import parse
    >>> from allocator.domain.valuetypes import INT, enum_type
    >>> types = {("household", "income"): INT, ("household", "housing"): enum_type("housing")}
    >>> c = CExpr(lambda e, n: types[(e, n)], {"line": INT}, lambda e, n: f"H_{n}[i]")
    >>> c.emit(parse("income / 2 < params.line"), "household")
    '((double)(div_((double)(H_income[i]), (double)(INT64_C(2)))) < (double)(PI_0))'
    >>> c.emit(parse("housing in {'homeless', 'tenant'}"), "household")
    '(((UINT64_C(10) >> (H_housing[i])) & 1) != 0)'
    >>> c.slots
    [Name(parts=('params', 'line'))]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from allocator.domain.enums import ENUM_TYPES
from allocator.domain.valuetypes import BOOL, FLOAT, INT, ValueType, enum_type
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
    names_in,
)

TypeOf = Callable[[str, str], ValueType]
#: C text reading variable ``name`` of ``entity`` for the entity being decided.
Reader = Callable[[str, str], str]

CTYPES = {"bool": "int", "int": "int64_t", "float": "double", "enum": "int"}


def literal(value: bool | int | float, kind: str) -> str:
    """A C literal of ``value`` as type ``kind`` (floats exact, as hexadecimal).

    Examples:
        >>> literal(True, "bool"), literal(3, "int"), literal(0.1, "float")
        ('1', 'INT64_C(3)', '0x1.999999999999ap-4')
    """
    if kind == "float":
        return float(value).hex()
    if kind == "int":
        return f"INT64_C({int(value)})"
    return str(int(value))


class CExpr:
    """Emits C expressions for one ruleset (see the module docstring).

    Args:
        type_of: the type of variable ``name`` of ``entity`` (``RuleSet.type_of``).
        param_types: the type of each parameter, by dotted name.
        read: C text of a (non-parameter) variable, given the entity it belongs to.
    """

    def __init__(self, type_of: TypeOf, param_types: Mapping[str, ValueType], read: Reader):
        self.type_of = type_of
        self.param_types = param_types
        self.read = read
        #: Constant subtrees, in slot order; :meth:`slot_kinds` tells which array holds each.
        self.slots: list[Node] = []
        self._kinds: list[str] = []
        self._slot_of: dict[tuple[Node, ValueType], int] = {}

    def slot_kinds(self) -> list[str]:
        return list(self._kinds)

    # -- types -------------------------------------------------------------------------
    def kind(self, node: Node, entity: str) -> ValueType:
        """The value type of ``node`` (as the array engine's dtypes have it)."""
        if isinstance(node, Literal):
            v = node.value
            if isinstance(v, bool):
                return BOOL
            if isinstance(v, int):
                return INT
            return FLOAT if isinstance(v, float) else enum_type("?")
        if isinstance(node, Name):
            if node.parts[0] == "params":
                return self.param_types[".".join(node.parts[1:])]
            if len(node.parts) == 2:
                return self.type_of("household", node.parts[1])
            return self.type_of(entity, node.parts[0])
        if isinstance(node, Unary):
            return BOOL if node.op == "not" else self._numeric(self.kind(node.operand, entity))
        if isinstance(node, Binary):
            if node.op == "/":
                return FLOAT
            return self._join(self.kind(node.left, entity), self.kind(node.right, entity))
        if isinstance(node, Compare | BoolOp | SetLiteral):
            return BOOL
        assert isinstance(node, Call)
        if node.func == "abs":
            return self._numeric(self.kind(node.args[0], entity))
        a, b = node.args[-2:]
        ka, kb = self.kind(a, entity), self.kind(b, entity)
        if node.func == "if" and not (ka.is_numeric and kb.is_numeric):
            return ka if ka.kind != "enum" or ka.enum != "?" else kb
        return self._join(ka, kb)

    @staticmethod
    def _numeric(t: ValueType) -> ValueType:
        return INT if t.kind in ("bool", "int") else t

    @staticmethod
    def _join(a: ValueType, b: ValueType) -> ValueType:
        return FLOAT if "float" in (a.kind, b.kind) else INT

    def enum_of(self, node: Node, entity: str) -> str | None:
        """The enum of an enum-typed expression that is not a literal."""
        if isinstance(node, Name) and node.parts[0] != "params":
            return self.kind(node, entity).enum
        if isinstance(node, Call) and node.func == "if":
            return self.enum_of(node.args[1], entity) or self.enum_of(node.args[2], entity)
        return None

    # -- emission ----------------------------------------------------------------------
    def emit(self, node: Node, entity: str, enum: str | None = None) -> str:
        """C text of ``node`` evaluated for one entity of ``entity`` (``enum``: literals)."""
        if isinstance(node, Literal):
            if isinstance(node.value, str):
                assert enum is not None, f"string literal {node.value!r} outside an enum"
                return str(ENUM_TYPES[enum].index(node.value))
            return literal(node.value, self.kind(node, entity).kind)
        if not any(n.parts[0] != "params" for n in names_in(node)):
            return self._slot(node, entity, enum)
        if isinstance(node, Name):
            if len(node.parts) == 2:
                return self.read("household", node.parts[1])
            return self.read(entity, node.parts[0])
        if isinstance(node, Unary):
            inner = self.emit(node.operand, entity)
            return f"(!({inner}))" if node.op == "not" else f"(-({inner}))"
        if isinstance(node, Binary):
            return self._binary(node, entity)
        if isinstance(node, BoolOp):
            glue = " & " if node.op == "and" else " | "  # 0/1 operands: no branches
            return "(" + glue.join(f"({self.emit(o, entity)})" for o in node.operands) + ")"
        if isinstance(node, Compare):
            return self._compare(node, entity)
        assert isinstance(node, Call)
        return self._call(node, entity, enum)

    def _slot(self, node: Node, entity: str, enum: str | None) -> str:
        t = self.kind(node, entity)
        if t.kind == "enum":
            t = enum_type(enum or self.enum_of(node, entity) or "?")
        key = (node, t)
        index = self._slot_of.get(key)
        if index is None:
            index = self._slot_of[key] = len(self.slots)
            self.slots.append(node)
            self._kinds.append(t.enum if t.kind == "enum" and t.enum else t.kind)
        array = "PD" if t.kind == "float" else "PI"
        return f"{array}_{index}"

    def slot_declarations(self) -> list[str]:
        """C declarations copying the slots into locals (``PI_k``, ``PD_k``): a local cannot
        be aliased by the kernel's stores, so the compiler keeps it in a register."""
        lines = []
        for k, kind in enumerate(self._kinds):
            if kind == "float":
                lines.append(f"  const double PD_{k} = PD[{k}];")
            else:
                lines.append(f"  const int64_t PI_{k} = PI[{k}];")
        return lines

    def _as(self, node: Node, entity: str, kind: str) -> str:
        return f"({CTYPES[kind]})({self.emit(node, entity)})"

    def _binary(self, node: Binary, entity: str) -> str:
        if node.op == "/":
            left = self._as(node.left, entity, "float")
            return f"div_({left}, {self._as(node.right, entity, 'float')})"
        kind = self.kind(node, entity).kind
        left, right = self._as(node.left, entity, kind), self._as(node.right, entity, kind)
        return f"({left} {node.op} {right})"

    def _compare(self, node: Compare, entity: str) -> str:
        enum = self.enum_of(node.left, entity) or self.enum_of(node.right, entity)
        left = self.emit(node.left, entity, enum)
        if isinstance(node.right, SetLiteral):
            negate = "==" if node.op == "not in" else "!="
            items = [item.value for item in node.right.values]
            if enum is not None:
                assert len(ENUM_TYPES[enum]) <= 64, f"enum {enum} too large for a bit mask"
                mask = sum(1 << ENUM_TYPES[enum].index(str(v)) for v in items)
                return f"(((UINT64_C({mask}) >> ({left})) & 1) {negate} 0)"
            kind = self.kind(node.left, entity).kind
            values = [
                literal(v, "float" if isinstance(v, float) else kind)
                for v in items
                if not isinstance(v, str)  # the type checker allows no strings here
            ]
            hits = " || ".join(f"(({left}) == {v})" for v in values) or "0"
            return f"({hits})" if node.op == "in" else f"(!({hits}))"
        right = self.emit(node.right, entity, enum)
        kinds = {self.kind(node.left, entity).kind, self.kind(node.right, entity).kind}
        if "float" in kinds:
            left, right = f"(double)({left})", f"(double)({right})"
        elif "int" in kinds:
            left, right = f"(int64_t)({left})", f"(int64_t)({right})"
        return f"({left} {node.op} {right})"

    def _call(self, node: Call, entity: str, enum: str | None) -> str:
        kind = self.kind(node, entity).kind
        if node.func == "if":
            branch_enum = enum or self.enum_of(node, entity)
            cond = self.emit(node.args[0], entity)
            a = self.emit(node.args[1], entity, branch_enum)
            b = self.emit(node.args[2], entity, branch_enum)
            ctype = CTYPES[kind]
            return f"(({cond}) ? ({ctype})({a}) : ({ctype})({b}))"
        if node.func == "abs":
            return (
                f"{'fabs' if kind == 'float' else 'iabs_'}({self._as(node.args[0], entity, kind)})"
            )
        suffix = "d" if kind == "float" else "i"
        a, b = (self._as(arg, entity, kind) for arg in node.args)
        return f"{node.func}_{suffix}({a}, {b})"
