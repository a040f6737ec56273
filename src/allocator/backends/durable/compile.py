"""Compile a ruleset, at one set of parameter values, into one durable-rules ruleset.

For a service with conditions c1..ck on entity e, it emits k+1 rules, exactly one of
which fires for each fact of entity e:

- ``<service>$ok``: c1 and ... and ck;
- ``<service>$<i>`` (i = 0..k-1): c1 ... c(i) hold and c(i+1) fails: the why-not.

So durable-rules itself decides eligibility and the first failing condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from allocator.api.parameters import ParamScalar
from allocator.api.ruleset import RuleSet
from allocator.backends.durable.host import RuleEngine
from allocator.backends.durable.translate import Translator, field_name
from allocator.backends.explained.explain import OK
from allocator.backends.scalar import Env
from allocator.expressions.nodes import names_in
from allocator.expressions.scalar import Compiled, compiled
from allocator.types import HOUSEHOLD, MEMBER

_MARK = {HOUSEHOLD: "h", MEMBER: "m"}


@dataclass
class _EntityPlan:
    """What a fact of one entity carries: the variables its rules read, and slots."""

    entity: str
    fields: dict[str, Compiled] = field(default_factory=dict)
    slots: list[tuple[str, Compiled]] = field(default_factory=list)
    services: list[str] = field(default_factory=list)


class CompiledRules:
    """The durable-rules form of a ruleset for one set of parameter values."""

    def __init__(self, ruleset: RuleSet, params: Mapping[str, ParamScalar]) -> None:
        self.plans = {e: _EntityPlan(e) for e in _MARK}
        definition: dict[str, Any] = {}
        translators = {e: Translator(e, params) for e in _MARK}
        for service in ruleset.services:
            plan = self.plans[service.entity]
            plan.services.append(service.id)
            tr = translators[service.entity]
            mark = {"e": _MARK[service.entity]}
            tests = [tr.condition(c.expr) for c in service.conditions]
            definition[f"{service.id}$ok"] = {"all": [{"m": {"$and": [mark, *tests]}}]}
            for i, cond in enumerate(service.conditions):
                failing = [mark, *tests[:i], tr.condition(cond.expr, negate=True)]
                definition[f"{service.id}${i}"] = {"all": [{"m": {"$and": failing}}]}
            for cond in service.conditions:
                for name in names_in(cond.expr):
                    if name.parts[0] != "params":
                        plan.fields[field_name(service.entity, name.parts)] = compiled(name)
        for entity, tr in translators.items():
            self.plans[entity].slots = [(name, compiled(node)) for name, node in tr.slots]
        self.engine = RuleEngine(ruleset.name, definition)

    def outcomes(self, env: Env, member: int | None = None) -> dict[str, int]:
        """Fire the fact of the household (or of one member): service id -> outcome."""
        entity = HOUSEHOLD if member is None else MEMBER
        plan = self.plans[entity]
        if not plan.services:
            return {}
        scope = env.scope(member)
        fact: dict[str, Any] = {"e": _MARK[entity], "k": -1 if member is None else member}
        for name, read in plan.fields.items():
            fact[name] = read(scope)
        for name, slot in plan.slots:
            fact[name] = slot(scope)
        result: dict[str, int] = {}
        for rule in self.engine.fire(fact):
            service_id, _, outcome = rule.rpartition("$")
            result[service_id] = OK if outcome == "ok" else int(outcome)
        return result
