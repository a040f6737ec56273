"""The explained decision about one household, as frozen dataclasses.

Plain dataclasses keep a decision cheap to build (a few hundred traces per household);
:meth:`Decision.to_dict` gives the JSON form and ``pydantic.TypeAdapter(Decision)`` its
JSON Schema.

Household-level summary of a member-level service, the same in both engines:

- eligible if at least one member is; ``units`` is the number of eligible members
  (1 for a household-level service);
- the need score is the highest score of an eligible member, the tier that score's tier;
- when no member is eligible, the "why not" is the failed condition of the member that got
  furthest through the conditions (the latest first failure), ties to the first member.

``failed_condition`` is that first failed condition (what bulk why-not counts use);
``failed_conditions`` lists every condition that failed, for the household or for that
member (``why_not_member``), each explained in the entity's condition traces.

What a condition *says* (its expression, its sentences in English and Persian, its source)
is the same for every member and every household: the JSON gives it once per service
(``ServiceDecision.conditions``), and each trace gives what was *found* (status, values,
facts, and the reasons written for this household). The in-memory trace keeps the texts
too, for :meth:`ConditionTrace.describe` and the terminal's rendering.

Examples:
    >>> t = ConditionTrace(id="poor", expression="income < 10", status="failed",
    ...                    left=12, op="<", right=10)
    >>> t.describe()
    'income < 10: 12 < 10 is false'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import Field, TypeAdapter

from allocator.types import ScalarValue

_T = TypeVar("_T")

Status = Literal["passed", "failed", "not_reached"]
#: A condition's text, kept on its trace in memory and written once per service in JSON.
Said = Annotated[str, Field(exclude=True)]


class Shared(list[_T], Generic[_T]):
    """A list that is never changed once built, so that its JSON can be written once.

    The explaining engines give entities alike the same list of traces, and every decision
    the same texts of a service's conditions; :func:`allocator.decisions.serialize.decision_json`
    keeps the JSON of such a list in :attr:`json` the first time it writes it.

    Examples:
        >>> traces = Shared([1, 2])
        >>> traces == [1, 2], getattr(traces, "json", None)
        (True, None)
    """

    __slots__ = ("json",)
    json: bytes


@dataclass(slots=True, kw_only=True)
class Fact:
    """A value behind a failed condition: what was found, the limit it missed, the unit.

    ``op`` is the relation the value had to the threshold that made the condition fail
    (``>=`` for "income is at least the line"); ``None`` for a plain fact (a yes/no
    variable). ``assumption`` says the threshold is a parameter marked as an assumption.
    """

    name: str
    label: str
    value: ScalarValue
    op: str | None = None
    threshold: ScalarValue | list[ScalarValue] | None = None
    threshold_name: str = ""
    threshold_label: str = ""
    unit: str = ""
    assumption: bool = False
    sources: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class ConditionText:
    """What a service's condition says, whoever it is evaluated for."""

    id: str
    expression: str
    explain: str = ""
    explain_fa: str = ""
    source: str = ""


@dataclass(slots=True, kw_only=True)
class ConditionTrace:
    """One condition of a rule as evaluated: the values it compared and the outcome.

    A failed condition also carries the facts behind it and the sentences that explain it
    (``reason`` in English, ``reason_fa`` in Persian). Its texts (``expression``,
    ``explain``, ``explain_fa``, ``source``) are not serialized: the service's
    ``conditions`` carry them once.
    """

    id: str
    expression: Said
    explain: Said = ""
    explain_fa: Said = ""
    status: Status
    left: ScalarValue | None = None
    op: str | None = None
    right: ScalarValue | list[ScalarValue] | None = None
    values: dict[str, ScalarValue] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    source: Said = ""
    reason: str = ""
    reason_fa: str = ""

    def describe(self) -> str:
        outcome = {"passed": "true", "failed": "false", "not_reached": "not reached"}[self.status]
        if self.op is not None:
            return f"{self.expression}: {self.left!r} {self.op} {self.right!r} is {outcome}"
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.expression}: {outcome}" + (f" ({shown})" if shown else "")


@dataclass(slots=True, kw_only=True)
class TermTrace:
    """One priority term: whether it applied and the points it added."""

    id: str
    explain: str = ""
    expression: str
    applied: bool
    points: float


@dataclass(slots=True, kw_only=True)
class PriorityTrace:
    """How the need score was composed and which tier it falls in."""

    base: float
    terms: list[TermTrace]
    score: float
    tier: int
    thresholds: list[float]


@dataclass(slots=True, kw_only=True)
class EntityDecision:
    """The decision for the household itself or for one member (``member`` is its index)."""

    member: int | None = None
    eligible: bool
    failed_condition: str | None = None
    conditions: list[ConditionTrace]
    priority: PriorityTrace | None = None


@dataclass(slots=True, kw_only=True)
class ServiceDecision:
    """A service's decision for the household, with every entity's explanation."""

    service_id: str
    name: str
    name_fa: str = ""
    entity: Literal["household", "member"]
    eligible: bool
    units: int
    need_score: float | None = None
    tier: int | None = None
    agency: str | None = None
    failed_condition: str | None = None
    failed_conditions: list[str] = field(default_factory=list)
    why_not_member: int | None = None
    opens_case_file: bool
    provenance: str
    conditions: list[ConditionText] = field(default_factory=list)
    details: list[EntityDecision]


class SharedService(ServiceDecision):
    """A refusal that households alike share (the same traces, the same why-not): never
    changed once built, so that its JSON is written once (:class:`Shared`)."""

    __slots__ = ("json",)
    json: bytes


@dataclass(slots=True, kw_only=True)
class Decision:
    """Every service's decision for one household on one date, under one ruleset."""

    household_id: int
    neighborhood_id: int
    date: str
    date_jalali: str = ""
    fiscal_year: int | None = None
    ruleset: dict[str, str]
    services: list[ServiceDecision]
    case_file: bool
    case_file_agency: str | None = None
    case_file_services: list[str] = field(default_factory=list)
    variables: dict[str, ScalarValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the content of ``allocator check --json``).

        Serialized by pydantic-core (about ten times faster than ``dataclasses.asdict``).
        """
        data: dict[str, Any] = _adapter().dump_python(self, mode="json")
        return data

    def service(self, service_id: str) -> ServiceDecision:
        for decision in self.services:
            if decision.service_id == service_id:
                return decision
        raise KeyError(service_id)


@cache
def _adapter() -> TypeAdapter[Decision]:
    return TypeAdapter(Decision)
