"""Build services: conditions, priority terms and tiers, delivering agency."""

from __future__ import annotations

from collections.abc import Mapping

from allocator.api.services import Condition, Priority, PriorityTerm, Provenance, Service
from allocator.domain.enums import CUSTODIANS
from allocator.domain.valuetypes import ValueType
from allocator.expressions.nodes import Literal, Node
from allocator.loading.context import Context, TypeTable
from allocator.loading.files import Problems
from allocator.loading.parameters import source_of
from allocator.loading.schema import RawService, ServicesFile

AGENCY = "enum agency"


def build_services(
    files: list[tuple[str, ServicesFile]],
    delivery: Node | None,
    types: TypeTable,
    param_types: Mapping[str, ValueType],
    problems: Problems,
) -> list[Service]:
    """Every service that checks out; problems recorded for the others."""
    services: list[Service] = []
    seen: set[str] = set()
    for rel, content in files:
        for raw in content.services:
            if raw.id in seen:
                problems.add(
                    rel, raw.id, "duplicate-id", f"service '{raw.id}' is defined twice", raw.line
                )
                continue
            seen.add(raw.id)
            service = _build_one(rel, raw, delivery, types, param_types, problems)
            if service is not None:
                services.append(service)
    return services


def _agency(
    rel: str, raw: RawService, delivery: Node | None, households: Context, problems: Problems
) -> Node | None:
    if raw.agency == "default":
        return delivery
    if raw.agency in {a.value for a in CUSTODIANS}:
        return Literal(raw.agency)
    compiled = households.compile(raw.agency, AGENCY, (rel, raw.id, raw.line), problems)
    return compiled[0] if compiled else None


def _build_one(
    rel: str,
    raw: RawService,
    delivery: Node | None,
    types: TypeTable,
    param_types: Mapping[str, ValueType],
    problems: Problems,
) -> Service | None:
    ctx = Context(raw.entity, types, param_types)
    before = len(problems.items)
    conditions: list[Condition] = []
    ids: set[str] = set()
    for cond in raw.eligibility:
        if cond.id in ids:
            problems.add(
                rel,
                f"{raw.id}.{cond.id}",
                "duplicate-id",
                f"condition '{cond.id}' appears twice in service '{raw.id}'",
                cond.line,
            )
        ids.add(cond.id)
        compiled = ctx.compile(cond.when, "bool", (rel, f"{raw.id}.{cond.id}", cond.line), problems)
        if compiled:
            conditions.append(
                Condition(
                    cond.id,
                    compiled[0],
                    cond.when,
                    cond.explain,
                    cond.explain_fa,
                    source_of(cond.source),
                )
            )
    terms: list[PriorityTerm] = []
    for term in raw.priority.terms:
        where = (rel, f"{raw.id}.{term.id}", term.line)
        when = ctx.compile(term.when, "bool", where, problems)
        points = ctx.compile(term.points, "number", where, problems)
        if when and points:
            terms.append(PriorityTerm(term.id, when[0], points[0], term.when, term.explain))
    tiers = raw.priority.tiers
    if sorted(tiers) != [1, 2, 3] or not tiers[1] >= tiers[2] >= tiers[3]:
        problems.add(
            rel,
            raw.id,
            "schema",
            "priority.tiers needs thresholds for tiers 1, 2, 3 with 1 >= 2 >= 3",
            raw.priority.line,
        )
    agency = _agency(rel, raw, delivery, Context("household", types, param_types), problems)
    if len(problems.items) > before or agency is None:
        return None
    return Service(
        id=raw.id,
        name=raw.name,
        name_fa=raw.name_fa,
        entity=raw.entity,
        agency=agency,
        unit_cost=raw.unit_cost,
        opens_case_file=raw.opens_case_file,
        provenance=Provenance(raw.provenance.program, raw.provenance.seed, raw.provenance.clause),
        entitlement=None
        if raw.entitlement is None
        else Provenance(raw.entitlement.program, raw.entitlement.seed, raw.entitlement.clause),
        conditions=tuple(conditions),
        priority=Priority(raw.priority.base, tuple(terms), (tiers[1], tiers[2], tiers[3])),
        description=raw.description,
        file=rel,
    )
