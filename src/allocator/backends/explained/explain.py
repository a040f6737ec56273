"""Build the explanation of one entity's decision on a service.

The outcome (eligible, or the index of the first failing condition) comes from the engine
(durable-rules, or this evaluation itself for the Python engine); an :class:`Explainer`
evaluates every condition on the same environment, so that the why-not lists *every*
failed condition, not only the first, and checks that its first failure is the engine's.
Each failed condition of the entity that explains a refusal gets the facts behind it
(:mod:`allocator.backends.explained.facts`), its source, and sentences in English and
Persian (:mod:`allocator.decisions.wording`). The priority explains how the need score
was composed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from allocator.api.ruleset import RuleSet
from allocator.api.services import Condition, Service
from allocator.backends.explained.facts import FactFinder
from allocator.backends.explained.memory import Memory
from allocator.backends.scalar import Env
from allocator.decisions.model import (
    ConditionText,
    ConditionTrace,
    Fact,
    PriorityTrace,
    ServiceDecision,
    Shared,
    TermTrace,
)
from allocator.decisions.wording import reason, reason_fa
from allocator.errors import AllocatorError
from allocator.expressions.nodes import Compare, SetLiteral, names_in
from allocator.expressions.scalar import Compiled, compiled
from allocator.types import ScalarValue

OK = -1  # outcome of an eligible entity; otherwise the index of the failed condition


@dataclass(frozen=True)
class _ConditionPlan:
    condition: Condition
    holds: Compiled
    op: str | None
    left: Compiled | None
    right: Compiled | None
    choices: list[ScalarValue] | None
    names: list[tuple[str, Compiled]]
    source: str = ""

    @classmethod
    def of(cls, condition: Condition) -> _ConditionPlan:
        plan = cls._of(condition)
        source = condition.source.describe() if condition.source else ""
        return replace(plan, source=source)

    @classmethod
    def _of(cls, condition: Condition) -> _ConditionPlan:
        node = condition.expr
        holds = compiled(node)
        if not isinstance(node, Compare):
            # the values of the names it reads explain it (a comparison shows its sides)
            unique = {n.dotted: n for n in names_in(node)}
            names = [(dotted, compiled(n)) for dotted, n in unique.items()]
            return cls(condition, holds, None, None, None, None, names)
        if isinstance(node.right, SetLiteral):
            choices = [item.value for item in node.right.values]
            return cls(condition, holds, node.op, compiled(node.left), None, choices, [])
        return cls(condition, holds, node.op, compiled(node.left), compiled(node.right), None, [])


def _explained(
    trace: ConditionTrace, facts: list[Fact], said: str = "", said_fa: str = ""
) -> ConditionTrace:
    """A copy of ``trace`` with its facts and sentences (written out: the generic
    ``dataclasses.replace`` looks the fields up on every call, a fifth of a decision)."""
    return ConditionTrace(
        id=trace.id,
        expression=trace.expression,
        explain=trace.explain,
        explain_fa=trace.explain_fa,
        status=trace.status,
        left=trace.left,
        op=trace.op,
        right=trace.right,
        values=trace.values,
        facts=facts,
        source=trace.source,
        reason=said,
        reason_fa=said_fa,
    )


class Explainer:
    """Explains the conditions and the priority of one service."""

    #: Most failed conditions whose facts and sentences are remembered (then forgotten
    #: at once and remembered anew): about 1.5 KB each. ``0`` remembers nothing.
    remembered = 4096

    def __init__(self, service: Service, ruleset: RuleSet) -> None:
        self.service = service
        self.plans = [_ConditionPlan.of(c) for c in service.conditions]
        #: What each condition says, given once per service in the decision's JSON.
        self.texts = Shared(
            ConditionText(
                id=p.condition.id,
                expression=p.condition.text,
                explain=p.condition.explain,
                explain_fa=p.condition.explain_fa,
                source=p.source,
            )
            for p in self.plans
        )
        self.terms = [(t, compiled(t.when), compiled(t.points)) for t in service.priority.terms]
        self.facts = FactFinder(ruleset)
        entity = "household" if service.entity == "household" else "member"
        #: What the facts of each condition depend on (besides the parameters).
        self._reads = [self.facts.reads(p.condition.expr, entity) for p in self.plans]
        #: Facts and sentences of failed conditions by the values they depend on.
        self._said: Memory[tuple[object, ...], tuple[object, list[Fact], str, str]] = Memory(
            self.remembered
        )
        #: Every name the conditions read (parameters too), as the compiled code reads it:
        #: an entity's traces follow from their values alone.
        unique = {n.dotted: n for p in self.plans for n in names_in(p.condition.expr)}
        self._readers = [compiled(n) for n in unique.values()]
        #: Outcome and traces of entities by those values (shared: never changed).
        self._traced: Memory[tuple[object, ...], tuple[int, Shared[ConditionTrace]]] = Memory(
            self.remembered
        )
        #: Explained traces by the traces explained and their failures' keys in ``_said``
        #: (with the traces and the parameters they were explained with).
        self._explained: Memory[
            tuple[object, ...], tuple[list[ConditionTrace], object, Shared[ConditionTrace]]
        ] = Memory(self.remembered)
        #: The decisions of refusals by the traces of their entities and their why-not's
        #: explained traces (kept by :class:`~allocator.backends.explained.engine
        #: .ExplainedBackend`, with those lists).
        self.refusals: Memory[tuple[object, ...], tuple[object, ServiceDecision]] = Memory(
            self.remembered
        )

    def conditions(
        self, env: Env, member: int | None, outcome: int | None = None
    ) -> tuple[int, Shared[ConditionTrace]]:
        """The outcome, and every condition with the values it compared, passed or failed.
        ``outcome`` is the engine's when it decided one (checked against ours).

        Entities that read the same values (and types) get the same traces: they are
        remembered (up to :attr:`remembered`) and the list returned is shared, so it must
        not be changed (:meth:`explain` gives new traces).
        """
        scope = env.scope(member)
        key: tuple[object, ...] = ()
        if self.remembered:
            values = tuple([read(scope) for read in self._readers])
            key = (values, tuple([v.__class__ for v in values]))
            found = self._traced.get(key)
            if found is not None:
                self._check(outcome, found[0])
                return found
        traces: Shared[ConditionTrace] = Shared()
        first_failed = OK
        for i, plan in enumerate(self.plans):
            cond = plan.condition
            failed = not plan.holds(scope)
            if failed and first_failed == OK:
                first_failed = i
            trace = ConditionTrace(
                id=cond.id,
                expression=cond.text,
                explain=cond.explain,
                explain_fa=cond.explain_fa,
                status="failed" if failed else "passed",
                left=plan.left(scope) if plan.left else None,
                op=plan.op,
                right=plan.right(scope) if plan.right else plan.choices,
                values={dotted: read(scope) for dotted, read in plan.names},
                source=plan.source,
            )
            traces.append(trace)
        self._check(outcome, first_failed)
        if self.remembered:
            self._traced.put(key, (first_failed, traces))
        return first_failed, traces

    def _check(self, outcome: int | None, first_failed: int) -> None:
        if outcome is not None and first_failed != outcome:
            raise AllocatorError(
                f"service {self.service.id}: the rules engine decided outcome {outcome}, the "
                f"scalar evaluator {first_failed} (a bug: please report it with the input)"
            )

    def explain(
        self, traces: list[ConditionTrace], env: Env, member: int | None
    ) -> Shared[ConditionTrace]:
        """``traces`` with each failed condition given its facts and sentences (new
        traces: those given may be shared with other entities).

        Done for the entity whose failures explain a refusal (the household, or the member
        that got furthest): the member-level services of a large household would otherwise
        write dozens of sentences nobody is shown, and the single decision's latency matters.
        Entities with the same (shared) traces and the same values behind their failures
        get the same explained list (remembered, so it must not be changed either).
        """
        entity = "household" if member is None else "member"
        own = env.household if member is None else env.members[member]
        # The facts and sentences follow from the values the condition reads (through
        # derived variables too) and the parameters: households alike share them.
        keys: list[tuple[int, str, tuple[object, ...], tuple[type, ...]]] = []
        for i, trace in enumerate(traces):
            if trace.status == "failed":
                values = tuple(
                    [(env.household if e == "household" else own)[n] for e, n in self._reads[i]]
                )
                keys.append((i, entity, values, tuple([v.__class__ for v in values])))
        whole = (id(traces), tuple(keys))
        found = self._explained.get(whole)
        if found is not None and found[0] is traces and found[1] is env.params:
            return found[2]
        explained: Shared[ConditionTrace] = Shared(traces)
        for key in keys:
            i = key[0]
            plan, trace = self.plans[i], traces[i]
            said = self._said.get(key)
            if said is None or said[0] is not env.params:
                new = _explained(trace, self.facts.of(plan.condition.expr, env, member, entity))
                new.reason, new.reason_fa = reason(new), reason_fa(new)
                if self.remembered:
                    self._said.put(key, (env.params, new.facts, new.reason, new.reason_fa))
            else:
                new = _explained(trace, list(said[1]), said[2], said[3])
            explained[i] = new
        if self.remembered and isinstance(traces, Shared):
            # the traces are kept with it, so that no other list can take their id
            self._explained.put(whole, (traces, env.params, explained))
        return explained

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
