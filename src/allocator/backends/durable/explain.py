"""Build the explanation of one entity's decision on a service.

The outcome (eligible, or the index of the first failing condition) comes from
durable-rules; an :class:`Explainer` adds the values behind each condition and how the need
score was composed, read from the same environment the fact was built from. Everything it
needs from the rule trees is prepared once per service.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.api.services import Condition, Service
from allocator.backends.durable.compile import OK
from allocator.backends.scalar import Env
from allocator.decisions.model import ConditionTrace, PriorityTrace, Status, TermTrace
from allocator.expressions.nodes import Compare, SetLiteral, names_in
from allocator.expressions.scalar import Compiled, compiled
from allocator.types import ScalarValue


@dataclass(frozen=True)
class _ConditionPlan:
    condition: Condition
    op: str | None
    left: Compiled | None
    right: Compiled | None
    choices: list[ScalarValue] | None
    names: list[tuple[str, Compiled]]

    @classmethod
    def of(cls, condition: Condition) -> _ConditionPlan:
        node = condition.expr
        if not isinstance(node, Compare):
            # the values of the names it reads explain it (a comparison shows its sides)
            unique = {n.dotted: n for n in names_in(node)}
            names = [(dotted, compiled(n)) for dotted, n in unique.items()]
            return cls(condition, None, None, None, None, names)
        if isinstance(node.right, SetLiteral):
            choices = [item.value for item in node.right.values]
            return cls(condition, node.op, compiled(node.left), None, choices, [])
        return cls(condition, node.op, compiled(node.left), compiled(node.right), None, [])


class Explainer:
    """Explains the conditions and the priority of one service."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.plans = [_ConditionPlan.of(c) for c in service.conditions]
        self.terms = [(t, compiled(t.when), compiled(t.points)) for t in service.priority.terms]

    def conditions(self, env: Env, member: int | None, outcome: int) -> list[ConditionTrace]:
        """Every condition with the values it compared and its status under ``outcome``."""
        scope = env.scope(member)
        traces = []
        for i, plan in enumerate(self.plans):
            status: Status = (
                "passed"
                if outcome == OK or i < outcome
                else "failed"
                if i == outcome
                else "not_reached"
            )
            cond = plan.condition
            if status == "not_reached":  # durable-rules did not look at it: no values
                traces.append(
                    ConditionTrace(
                        id=cond.id,
                        expression=cond.text,
                        explain=cond.explain,
                        status=status,
                        op=plan.op,
                    )
                )
                continue
            traces.append(
                ConditionTrace(
                    id=cond.id,
                    expression=cond.text,
                    explain=cond.explain,
                    status=status,
                    left=plan.left(scope) if plan.left else None,
                    op=plan.op,
                    right=plan.right(scope) if plan.right else plan.choices,
                    values={dotted: read(scope) for dotted, read in plan.names},
                )
            )
        return traces

    def priority(self, env: Env, member: int | None) -> PriorityTrace:
        """The need score as base plus the points of each term that applies, and its tier."""
        scope = env.scope(member)
        priority = self.service.priority
        score = priority.base
        terms = []
        for term, when, points_fn in self.terms:
            applied = bool(when(scope))
            points = float(points_fn(scope))
            if applied:
                score = score + points
            terms.append(
                TermTrace(
                    id=term.id,
                    explain=term.explain,
                    expression=term.text,
                    applied=applied,
                    points=points,
                )
            )
        return PriorityTrace(
            base=priority.base,
            terms=terms,
            score=score,
            tier=priority.tier_of(score),
            thresholds=list(priority.tier_thresholds),
        )
