"""The facts behind a failed condition: which values missed which limits, in which unit.

A condition such as ``working_age`` is a derived variable whose formula compares ``age``
with two parameters. The finder walks the condition (and the formulas of the derived
variables it reads, a few levels deep) and keeps the parts that made it fail: for an
``and`` that must hold, the operands that did not; under ``not``, the ones that did. Each
comparison that made it fail becomes a :class:`~allocator.decisions.model.Fact` (value,
the relation it had to the limit, limit, unit, whether the limit is an assumption and its
sources); a yes/no variable that cannot be opened further becomes a plain fact.

Examples:
    >>> from datetime import date
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.backends.scalar import compute
    >>> from allocator.expressions.parser import parse
    >>> from allocator.loading import load_ruleset
    >>> rs = load_ruleset(default_rules_dir())
    >>> params = rs.parameters.at(date(2025, 6, 1))
    >>> hh = {"income": 0, "assets": 0, "housing": "tenant", "case_agency": "none",
    ...       "continuous_pension": False, "urban": True, "custodian": "imam_order",
    ...       "target_2020": True, "informal_settlement": False, "mazandaran_56": False}
    >>> m = {"age": 70, "sex": "male", "relation": "head", "insured": False,
    ...      "disability_type": "none", "disability_severity": "none",
    ...      "hard_to_treat_disease": False, "in_school": False, "employed": False,
    ...      "drug_addiction": False, "street_child": False, "waste_picker": False,
    ...      "woman_at_risk": False, "imprisoned": "none"}
    >>> env = compute(rs, hh, [m], params)
    >>> [(f.name, f.value, f.op, f.threshold, f.unit)
    ...  for f in FactFinder(rs).of(parse("working_age"), env, 0, "member")]
    [('age', 70, '>', 60, 'years')]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar, cast

from allocator.api.parameters import Parameter
from allocator.api.ruleset import RuleSet
from allocator.backends.scalar import Env
from allocator.decisions.model import Fact
from allocator.domain.inputs import INPUT_UNITS
from allocator.expressions.nodes import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Name,
    Node,
    SetLiteral,
    Unary,
    names_in,
    unparse,
)
from allocator.expressions.scalar import compiled

_NEGATE = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "in": "not in",
    "not in": "in",
}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_DEPTH = 4


T = TypeVar("T")


def _variable_names(node: Node) -> list[Name]:
    return [n for n in names_in(node) if n.parts[0] != "params"]


def _has_if(node: Node, finder: FactFinder, entity: str, depth: int = 0) -> bool:
    """Whether ``node`` (or a derived formula it reads) has an ``if`` (whose branch matters)."""
    if depth > _DEPTH:
        return False
    if isinstance(node, Call):
        return node.func == "if" or any(_has_if(a, finder, entity, depth + 1) for a in node.args)
    if isinstance(node, Name) and node.parts[0] != "params":
        target = finder._target(node, entity)
        variable = finder.ruleset.variable_by_id.get(target)
        formula = variable.formula if variable is not None else None
        return formula is not None and _has_if(formula, finder, target[0], depth + 1)
    if isinstance(node, Binary | Compare):
        return _has_if(node.left, finder, entity, depth + 1) or _has_if(
            node.right, finder, entity, depth + 1
        )
    if isinstance(node, BoolOp):
        return any(_has_if(o, finder, entity, depth + 1) for o in node.operands)
    if isinstance(node, Unary):
        return _has_if(node.operand, finder, entity, depth + 1)
    return False


class FactFinder:
    """Finds the facts behind failed conditions of one ruleset."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._params_of = cache(self._params_reached)
        self._cache: dict[tuple[str, int, str], tuple[Node, object]] = {}

    # ---- names
    def _target(self, name: Name, entity: str) -> tuple[str, str]:
        """The (entity, variable) a non-parameter name refers to from ``entity``."""
        if len(name.parts) == 2 and name.parts[0] == "household":
            return "household", name.parts[1]
        return entity, name.parts[0]

    def _parameter(self, name: Name) -> Parameter | None:
        if name.parts[0] != "params":
            return None
        return self.ruleset.parameters.parameters.get(".".join(name.parts[1:]))

    def _memo(self, kind: str, node: Node, entity: str, make: Callable[[], T]) -> T:
        """``make()`` once per tree object, entity and kind (keyed by identity, as
        :func:`~allocator.expressions.scalar.compiled` is: hashing a tree walks it)."""
        key = (kind, id(node), entity)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = (node, make())
        return cast(T, hit[1])

    def text(self, node: Node) -> str:
        return self._memo("text", node, "", lambda: unparse(node))

    def has_variables(self, node: Node) -> bool:
        return self._memo("vars", node, "", lambda: bool(_variable_names(node)))

    def label(self, node: Node, entity: str) -> str:
        return self._memo("label", node, entity, lambda: self._label(node, entity))

    def unit(self, node: Node, entity: str) -> str:
        return self._memo("unit", node, entity, lambda: self._unit(node, entity))

    def params_in(self, node: Node, entity: str) -> frozenset[str]:
        """Parameters ``node`` reads, directly or through derived variables."""
        return self._memo("params", node, entity, lambda: self._params_in(node, entity))

    def _label(self, node: Node, entity: str) -> str:
        """Words for a value: a variable's or parameter's description, else its text."""
        if not isinstance(node, Name):
            return unparse(node)
        parameter = self._parameter(node)
        if parameter is not None:
            text = parameter.description or parameter.name
        else:
            variable = self.ruleset.variable_by_id.get(self._target(node, entity))
            text = variable.description if variable and variable.description else ""
            text = text or node.parts[-1].replace("_", " ")
        return text[:1].lower() + text[1:]

    def _unit(self, node: Node, entity: str) -> str:
        if not isinstance(node, Name):
            return ""
        parameter = self._parameter(node)
        if parameter is not None:
            return parameter.unit
        target = self._target(node, entity)
        variable = self.ruleset.variable_by_id.get(target)
        return variable.unit if variable else INPUT_UNITS.get(target[1], "")

    def _params_reached(self, entity: str, name: str) -> frozenset[str]:
        variable = self.ruleset.variable_by_id.get((entity, name))
        if variable is None:
            return frozenset()
        inner = "member" if variable.aggregation else entity
        found: set[str] = set()
        for expr in variable.expressions():
            found |= self.params_in(expr, inner)
        return frozenset(found)

    def _params_in(self, node: Node, entity: str) -> frozenset[str]:
        found: set[str] = set()
        for name in names_in(node):
            if name.parts[0] == "params":
                found.add(".".join(name.parts[1:]))
            else:
                found |= self._params_of(*self._target(name, entity))
        return frozenset(found)

    def params_used(
        self, node: Node, env: Env, member: int | None, entity: str, depth: int = 0
    ) -> set[str]:
        """Parameters ``node`` reads on this household: like :meth:`params_in`, but only
        the branch an ``if`` takes (an urban household is not told of the rural line)."""
        if not self._memo("if", node, entity, lambda: _has_if(node, self, entity)):
            return set(self.params_in(node, entity))
        if isinstance(node, Call) and node.func == "if" and depth < _DEPTH:
            scope = env.scope(member if entity == "member" else None)
            cond, yes, no = node.args
            branch = yes if compiled(cond)(scope) else no
            used = self.params_used(cond, env, member, entity, depth + 1)
            return used | self.params_used(branch, env, member, entity, depth + 1)
        if isinstance(node, Name) and node.parts[0] != "params" and depth < _DEPTH:
            target = self._target(node, entity)
            variable = self.ruleset.variable_by_id.get(target)
            if variable is not None and variable.formula is not None:
                return self.params_used(variable.formula, env, member, target[0], depth + 1)
        children: tuple[Node, ...] = ()
        if isinstance(node, Binary | Compare):
            children = (node.left, node.right)
        elif isinstance(node, Call):
            children = node.args
        elif isinstance(node, BoolOp):
            children = node.operands
        elif isinstance(node, Unary):
            children = (node.operand,)
        else:
            return set(self.params_in(node, entity))
        found: set[str] = set()
        for child in children:
            found |= self.params_used(child, env, member, entity, depth + 1)
        return found

    def reads(self, node: Node, entity: str) -> tuple[tuple[str, str], ...]:
        """Every ``(entity, variable)`` the facts of ``node`` can depend on: the names it
        reads and, through the formulas of the derived variables among them, theirs
        (parameters aside). With the parameters, their values decide :meth:`of`."""
        return self._memo("reads", node, entity, lambda: tuple(sorted(self._reads(node, entity))))

    def _reads(
        self, node: Node, entity: str, found: set[tuple[str, str]] | None = None
    ) -> set[tuple[str, str]]:
        found = set() if found is None else found
        for name in _variable_names(node):
            target = self._target(name, entity)
            if target in found:
                continue
            found.add(target)
            variable = self.ruleset.variable_by_id.get(target)
            if variable is not None and variable.formula is not None:
                self._reads(variable.formula, target[0], found)
        return found

    # ---- the walk
    def of(self, node: Node, env: Env, member: int | None, entity: str) -> list[Fact]:
        """The facts that made ``node`` (a condition that failed) false."""
        return self._walk(node, True, env, member, entity, 0)

    def _walk(
        self, node: Node, want: bool, env: Env, member: int | None, entity: str, depth: int
    ) -> list[Fact]:
        scope = env.scope(member if entity == "member" else None)
        if bool(compiled(node)(scope)) == want:
            return []  # this part is as the condition needs it
        if isinstance(node, Unary) and node.op == "not":
            return self._walk(node.operand, not want, env, member, entity, depth)
        if isinstance(node, BoolOp):
            return [
                fact
                for operand in node.operands
                for fact in self._walk(operand, want, env, member, entity, depth)
            ]
        if isinstance(node, Compare):
            return [self._comparison(node, want, env, member, entity)]
        if isinstance(node, Name) and node.parts[0] != "params":
            target = self._target(node, entity)
            variable = self.ruleset.variable_by_id.get(target)
            if variable is not None and variable.formula is not None and depth < _DEPTH:
                inner = self._walk(variable.formula, want, env, member, target[0], depth + 1)
                if inner:
                    return inner
        value = compiled(node)(scope)
        return [Fact(name=self.text(node), label=self.label(node, entity), value=value, op=None)]

    def _comparison(
        self, node: Compare, want: bool, env: Env, member: int | None, entity: str
    ) -> Fact:
        scope = env.scope(member if entity == "member" else None)
        op = _NEGATE[node.op] if want else node.op  # the relation that made it fail
        value_side, limit_side = node.left, node.right
        if not self.has_variables(node.left) and self.has_variables(node.right):
            value_side, limit_side, op = node.right, node.left, _FLIP[op]
        if isinstance(limit_side, SetLiteral):
            threshold: object = [item.value for item in limit_side.values]
        else:
            threshold = compiled(limit_side)(scope)
        params = sorted(self.params_used(limit_side, env, member, entity))
        found = [p for p in (self.ruleset.parameters.parameters.get(n) for n in params) if p]
        limit_label = self.label(limit_side, entity) if isinstance(limit_side, Name) else ""
        return Fact(
            name=self.text(value_side),
            label=self.label(value_side, entity),
            value=compiled(value_side)(scope),
            op=op,
            threshold=threshold,  # type: ignore[arg-type]
            threshold_name=self.text(limit_side),
            threshold_label=limit_label,
            unit=self.unit(value_side, entity) or self.unit(limit_side, entity),
            assumption=any(p.assumption for p in found),
            sources=[
                p.source.describe() if p.source else f"{p.name}: {p.reference}" for p in found
            ],
        )
