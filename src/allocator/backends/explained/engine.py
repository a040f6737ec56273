"""Explained single decisions, shared by the engines that explain, and the Python engine.

:class:`ExplainedBackend` decides one household on one day and explains every service: the
derived variables (:mod:`allocator.backends.scalar`), each entity's outcome, the trace of
every condition, the facts and sentences of the why-not, and the priority. An engine only
says how the outcome of each entity is found (:meth:`ExplainedBackend.outcomes`).

:class:`PythonBackend` finds it by evaluating the typed rule model itself: every condition
is compiled once into a Python closure (:func:`allocator.expressions.scalar.compiled`), and
the first that fails is the outcome. It writes exactly the decisions and explanations of
the durable-rules backend, which asserts a fact into durable-rules for the same outcome,
without that fact: deciding and explaining a synthetic household takes about a quarter less
CPU time (2.0 ms against 2.6 ms, ``benchmarks/service.py`` measures the rates).

Examples:
    >>> from datetime import date
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.domain import Neighborhood, parse_household
    >>> from allocator.loading import load_ruleset
    >>> backend = PythonBackend(load_ruleset(default_rules_dir()))
    >>> nb = Neighborhood(neighborhood_id=1, name="n", province="Tehran", county="Tehran-01",
    ...                   setting="urban", custodian="imam_order", programs=("neighborhoods_2020",))
    >>> hh = parse_household({"household_id": 1, "neighborhood_id": 1, "income": 2_000_000,
    ...     "assets": 0,
    ...     "members": [{"age": 40, "sex": "female", "relation": "head"}]})
    >>> d = backend.decide(hh, nb, date(2025, 6, 1))
    >>> d.service("food_package").eligible, d.service("food_package").agency
    (True, 'imam_order')
    >>> d.service("shelter").failed_condition
    'homeless'
"""

from __future__ import annotations

from datetime import date

from allocator.api.parameters import ParamScalar
from allocator.api.ruleset import RuleSet
from allocator.api.services import Service
from allocator.backends.base import BackendName
from allocator.backends.explained.explain import OK, Explainer
from allocator.backends.scalar import Env, compute
from allocator.calendar import fiscal_year, to_jalali
from allocator.decisions.model import (
    ConditionTrace,
    Decision,
    EntityDecision,
    ServiceDecision,
    Shared,
    SharedService,
)
from allocator.domain.household import Household
from allocator.domain.inputs import household_inputs, member_inputs
from allocator.domain.neighborhood import Neighborhood
from allocator.errors import InputError

#: The outcome of each service of an entity (service id -> OK or the failed condition's
#: index), or ``None`` when the explainer's own evaluation decides it.
Outcomes = dict[str, int] | None
#: An entity's traces of a service: the member (``None``: the household), the outcome.
_Found = tuple[int | None, int, Shared[ConditionTrace]]


class ExplainedBackend:
    """Decides and explains eligibility of single households; an engine says how each
    entity's outcome is found (:meth:`outcomes`)."""

    name: BackendName

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._explainers = {s.id: Explainer(s, ruleset) for s in ruleset.services}
        self._provenance = {s.id: s.provenance.describe() for s in ruleset.services}
        self._order = {
            s.id: {c: i for i, c in enumerate(s.condition_ids())} for s in ruleset.services
        }
        self._params: dict[date, dict[str, ParamScalar]] = {}

    def parameters(self, day: date) -> dict[str, ParamScalar]:
        """The parameter values in force on ``day`` (cached by day)."""
        found = self._params.get(day)
        if found is None:
            found = self._params[day] = dict(self.ruleset.parameters.at(day))
        return found

    def outcomes(self, env: Env, params: dict[str, ParamScalar], member: int | None) -> Outcomes:
        """The outcome of each service of the household (``member=None``) or a member;
        ``None``: the explainer's evaluation of the conditions decides."""
        return None

    def decide(self, household: Household, neighborhood: Neighborhood, day: date) -> Decision:
        """The explained decision of every service for ``household`` on ``day``."""
        if household.neighborhood_id != neighborhood.neighborhood_id:
            raise InputError(
                "neighborhood_id: does not match the neighborhood given", field="neighborhood_id"
            )
        params = self.parameters(day)
        env = compute(
            self.ruleset,
            household_inputs(household, neighborhood),
            [member_inputs(m) for m in household.members],
            params,
        )
        whole: list[tuple[int | None, Outcomes]] = [(None, self.outcomes(env, params, None))]
        members: list[tuple[int | None, Outcomes]] = [
            (i, self.outcomes(env, params, i)) for i in range(len(household.members))
        ]
        services = [
            self._service(service, env, whole if service.entity == "household" else members)
            for service in self.ruleset.services
        ]
        case_services = [s.service_id for s in services if s.eligible and s.opens_case_file]
        case_agency = next((s.agency for s in services if s.service_id in case_services), None)
        return Decision(
            household_id=household.household_id,
            neighborhood_id=household.neighborhood_id,
            date=day.isoformat(),
            date_jalali=to_jalali(day),
            fiscal_year=fiscal_year(day),
            ruleset=self.ruleset.identity(),
            services=services,
            case_file=bool(case_services),
            case_file_agency=case_agency,
            case_file_services=case_services,
            variables={
                v.id: env.household[v.id] for v in self.ruleset.variables if v.entity == "household"
            },
        )

    def _service(
        self, service: Service, env: Env, entities: list[tuple[int | None, Outcomes]]
    ) -> ServiceDecision:
        """The service's decision: each entity's traces, then the summary."""
        explainer = self._explainers[service.id]
        found = [
            (member, *explainer.conditions(env, member, None if ask is None else ask[service.id]))
            for member, ask in entities
        ]
        if found and explainer.remembered and all(outcome != OK for _, outcome, _ in found):
            return self._refusal(service, env, found)
        return self._summary(service, env, [self._entity(service, env, *f) for f in found])

    def _entity(
        self,
        service: Service,
        env: Env,
        member: int | None,
        outcome: int,
        traces: list[ConditionTrace],
    ) -> EntityDecision:
        eligible = outcome == OK
        return EntityDecision(
            member=member,
            eligible=eligible,
            failed_condition=None if eligible else service.conditions[outcome].id,
            conditions=traces,
            priority=self._explainers[service.id].priority(env, member) if eligible else None,
        )

    def _refusal(self, service: Service, env: Env, found: list[_Found]) -> ServiceDecision:
        """A service no entity is eligible for. Such a decision follows from the entities'
        (shared) traces and the explained traces of its why-not (the entity that got
        furthest, the first of those): households alike get the same one, remembered."""
        explainer = self._explainers[service.id]
        furthest = max(outcome for _, outcome, _ in found)
        member, _, traces = next(f for f in found if f[1] == furthest)
        explained = explainer.explain(traces, env, member)  # remembered: the summary's too
        # The remembered decision keeps these lists alive, so no other list has their ids.
        key = (tuple([id(f[2]) for f in found]), id(explained))
        kept = explainer.refusals.get(key)
        if kept is not None:
            return kept[1]
        details = [self._entity(service, env, *f) for f in found]
        decided = self._summary(service, env, details, SharedService, explained)
        explainer.refusals.put(key, ((found, explained), decided))
        return decided

    def _summary(
        self,
        service: Service,
        env: Env,
        details: list[EntityDecision],
        kind: type[ServiceDecision] = ServiceDecision,
        explained: Shared[ConditionTrace] | None = None,
    ) -> ServiceDecision:
        """The service's decision from its entities' (``explained``: the why-not's traces
        explained, when the caller has them)."""
        eligible = [d for d in details if d.eligible]
        best = max(
            (d.priority for d in eligible if d.priority), key=lambda p: p.score, default=None
        )
        failed = None
        why_not = None  # the entity whose failed conditions explain the why-not
        if not eligible:
            ids = self._order[service.id]
            failed = max(
                (d.failed_condition for d in details if d.failed_condition),
                key=ids.__getitem__,
                default=None,
            )
            at = next((i for i, d in enumerate(details) if d.failed_condition == failed), None)
            if at is not None:
                why_not = details[at]  # built for this decision (its traces may be shared)
                why_not.conditions = (
                    explained
                    if explained is not None
                    else self._explainers[service.id].explain(
                        why_not.conditions, env, why_not.member
                    )
                )
        return kind(
            service_id=service.id,
            name=service.name,
            name_fa=service.name_fa,
            entity="household" if service.entity == "household" else "member",
            eligible=bool(eligible),
            units=len(eligible),
            need_score=best.score if best else None,
            tier=best.tier if best else None,
            agency=str(env.value(service.agency)) if eligible else None,
            failed_condition=failed,
            failed_conditions=[c.id for c in why_not.conditions if c.status == "failed"]
            if why_not
            else [],
            why_not_member=why_not.member if why_not else None,
            opens_case_file=service.opens_case_file,
            provenance=self._provenance[service.id],
            conditions=self._explainers[service.id].texts,
            details=details,
        )


class PythonBackend(ExplainedBackend):
    """Decides and explains single households by evaluating the rule model in Python."""

    name = BackendName.PYTHON
