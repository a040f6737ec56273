"""Translate a boolean expression into a durable-rules condition on one fact.

durable-rules compares a fact's field with a constant (``$lt``, ``$gte``, ``$neq``, ...)
and combines such tests with ``$and`` / ``$or``; it cannot compare two fields of one
fact. So the translation:

- folds constants (literals and parameters at the decision date) into the condition;
- tests a variable against a constant directly (``{"$lt": {"v_age": 18}}``), flipping the
  comparison when the constant stands on the left;
- pushes ``not`` down to the tests (De Morgan; safe as the language has no NaN);
- gives any other operand (an arithmetic expression) a *slot*: a fact field that the
  scalar evaluator fills before the fact is asserted; a comparison of two non-constant
  sides becomes a boolean slot.

Examples:
    >>> from allocator.expressions.parser import parse
    >>> t = Translator("household", {"p": 10})
    >>> t.condition(parse("not (income < params.p or housing == 'homeless')"))
    {'$and': [{'$gte': {'v_income': 10}}, {'$neq': {'v_housing': 'homeless'}}]}
    >>> t.condition(parse("income / size < 3"))
    {'$lt': {'s0': 3}}
    >>> t.slots
    [('s0', Binary(op='/', left=Name(parts=('income',)), right=Name(parts=('size',))))]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allocator.api.parameters import ParamScalar
from allocator.expressions.nodes import BoolOp, Compare, Literal, Name, Node, SetLiteral, Unary
from allocator.expressions.nodes import names_in as _names
from allocator.expressions.scalar import evaluate
from allocator.types import ScalarValue

_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_DURABLE = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def field_name(entity: str, parts: tuple[str, ...]) -> str:
    """The fact field of a variable: ``v_x`` for the fact's own entity, ``h_x`` for
    ``household.x`` on a member fact (never ``id``/``sid``, which durable-rules owns)."""
    if len(parts) == 2 and parts[0] == "household" and entity == "member":
        return f"h_{parts[1]}"
    return f"v_{parts[0]}"


def _test(field: str, op: str, value: ScalarValue) -> dict[str, Any]:
    if op == "==":
        return {field: value}
    return {_DURABLE[op]: {field: value}}


class Translator:
    """Translates the conditions of one entity; ``slots`` collects the computed fields."""

    def __init__(self, entity: str, params: Mapping[str, ParamScalar]) -> None:
        self.entity = entity
        self.params = params
        self.slots: list[tuple[str, Node]] = []
        self._slot_of: dict[Node, str] = {}

    def constant(self, node: Node) -> tuple[bool, ScalarValue]:
        """Whether ``node`` reads no variable, and then its value at the decision date."""
        if isinstance(node, SetLiteral):
            return False, False
        if any(n.parts[0] != "params" for n in _names(node)):
            return False, False
        return True, evaluate(node, lambda parts: self.params[".".join(parts[1:])])

    def slot(self, node: Node) -> str:
        if node not in self._slot_of:
            name = f"s{len(self.slots)}"
            self._slot_of[node] = name
            self.slots.append((name, node))
        return self._slot_of[node]

    def field(self, node: Node) -> str:
        if isinstance(node, Name) and node.parts[0] != "params":
            return field_name(self.entity, node.parts)
        return self.slot(node)

    def condition(self, node: Node, negate: bool = False) -> dict[str, Any]:
        """The durable-rules condition that holds exactly when ``node`` (or ``not node``) does."""
        if isinstance(node, BoolOp):
            parts = [self.condition(o, negate) for o in node.operands]
            op = node.op if not negate else ("or" if node.op == "and" else "and")
            return {f"${op}": parts}
        if isinstance(node, Unary) and node.op == "not":
            return self.condition(node.operand, not negate)
        if isinstance(node, Name) and node.parts[0] != "params":
            return {self.field(node): not negate}
        if isinstance(node, Compare):
            return self.compare(node, negate)
        return {self.slot(node): not negate}  # if(...), a constant, a boolean parameter

    def compare(self, node: Compare, negate: bool) -> dict[str, Any]:
        if isinstance(node.right, SetLiteral):
            member = (node.op == "in") != negate
            field = self.field(node.left)
            values = [item.value for item in node.right.values]
            if member:
                return {"$or": [_test(field, "==", v) for v in values]}
            return {"$and": [_test(field, "!=", v) for v in values]}
        left_const, left = self.constant(node.left)
        right_const, right = self.constant(node.right)
        op = _NEGATE[node.op] if negate else node.op
        if right_const and not left_const:
            return _test(self.field(node.left), op, right)
        if left_const and not right_const:
            return _test(self.field(node.right), _FLIP[op], left)
        return {self.slot(node): not negate}


def is_literal_true(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is True
