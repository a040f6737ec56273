"""Derived variables of one household and its members, with plain Python values.

This is the scalar counterpart of the array engine: the durable backend uses it to fill the
facts it asserts, and to show the values behind an explanation.

Examples:
    >>> from datetime import date
    >>> from allocator.loading import load_ruleset
    >>> from allocator.api.ruleset import default_rules_dir
    >>> rs = load_ruleset(default_rules_dir())
    >>> hh = {"income": 3_000_000, "assets": 0, "housing": "tenant", "case_agency": "none",
    ...       "continuous_pension": False, "urban": True, "custodian": "relief_committee",
    ...       "target_2020": True, "informal_settlement": False, "mazandaran_56": False}
    >>> m = {"age": 40, "sex": "female", "relation": "head", "insured": False,
    ...      "disability_type": "none", "disability_severity": "none",
    ...      "hard_to_treat_disease": False, "in_school": False, "employed": False,
    ...      "drug_addiction": False, "street_child": False, "waste_picker": False,
    ...      "woman_at_risk": False, "imprisoned": "none"}
    >>> params = rs.parameters.at(date(2025, 6, 1))
    >>> env = compute(rs, hh, [m, dict(m, age=8, relation="child")], params)
    >>> env.household["household_size"], env.household["per_capita_income"]
    (2, 1500000.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from allocator.api.parameters import ParamScalar
from allocator.api.ruleset import RuleSet
from allocator.api.variables import Aggregation
from allocator.expressions.nodes import Node
from allocator.expressions.scalar import Lookup, Scope, compiled
from allocator.types import ScalarValue


@dataclass
class Env:
    """Every variable of a household and of each of its members, plus the parameters."""

    household: dict[str, ScalarValue]
    members: list[dict[str, ScalarValue]]
    params: Mapping[str, ParamScalar]

    def scope(self, member: int | None = None) -> Scope:
        """What compiled expressions of the household (``member=None``) or a member read."""
        own = self.household if member is None else self.members[member]
        return (own, self.household, self.params)

    def lookup(self, member: int | None = None) -> Lookup:
        """Name look-up by dotted parts, for expressions of the household or a member."""
        own = self.household if member is None else self.members[member]

        def find(parts: tuple[str, ...]) -> ScalarValue:
            if parts[0] == "params":
                return self.params[".".join(parts[1:])]
            if len(parts) == 2:
                return self.household[parts[1]]
            return own[parts[0]]

        return find

    def value(self, node: Node, member: int | None = None) -> ScalarValue:
        value: ScalarValue = compiled(node)(self.scope(member))
        return value


def _aggregate(agg: Aggregation, env: Env, scopes: list[Scope]) -> ScalarValue:
    where = compiled(agg.where) if agg.where is not None else None
    chosen = [s for s in scopes if where is None or where(s)]
    if agg.function == "any":
        return bool(chosen)
    if agg.function == "count":
        return len(chosen)
    assert agg.of is not None  # guaranteed by the loader
    of = compiled(agg.of)
    values: list[ScalarValue] = [of(s) for s in chosen]
    if agg.function == "sum":
        total: ScalarValue = 0
        for v in values:
            total = total + v  # type: ignore[operator]
        return total
    if not values:
        return agg.default if agg.default is not None else 0
    return min(values) if agg.function == "min" else max(values)


def compute(
    ruleset: RuleSet,
    household: Mapping[str, ScalarValue],
    members: list[Mapping[str, ScalarValue]],
    params: Mapping[str, ParamScalar],
) -> Env:
    """Evaluate every derived variable, in the ruleset's order."""
    env = Env(dict(household), [dict(m) for m in members], params)
    own = (env.household, env.household, params)
    scopes: list[Scope] = [(m, env.household, params) for m in env.members]
    for variable in ruleset.variables:
        if variable.entity == "household":
            if variable.aggregation is not None:
                env.household[variable.id] = _aggregate(variable.aggregation, env, scopes)
            else:
                assert variable.formula is not None
                env.household[variable.id] = compiled(variable.formula)(own)
        else:
            assert variable.formula is not None
            formula = compiled(variable.formula)
            name = variable.id
            for member, scope in zip(env.members, scopes, strict=True):
                member[name] = formula(scope)
    return env
