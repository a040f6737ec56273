"""Show an explained decision as rich tables, for a caseworker at a terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from allocator.decisions.model import ConditionTrace, Decision, EntityDecision, ServiceDecision


def _who(detail: EntityDecision) -> str:
    return "household" if detail.member is None else f"member {detail.member + 1}"


def _condition_line(trace: ConditionTrace) -> str:
    text = trace.explain or trace.id
    return f"{text} — {trace.describe()}"


def _why(service: ServiceDecision) -> str:
    """One short paragraph: why eligible (score composition) or why not."""
    if service.eligible:
        parts = []
        for detail in service.details:
            if detail.eligible and detail.priority is not None:
                applied = [
                    f"{t.explain or t.id} +{t.points:g}" for t in detail.priority.terms if t.applied
                ]
                comp = f"base {detail.priority.base:g}" + "".join(f", {a}" for a in applied)
                parts.append(f"{_who(detail)}: {comp} = {detail.priority.score:g}")
        return "; ".join(parts)
    lines = []
    for detail in service.details:
        failed = next((c for c in detail.conditions if c.status == "failed"), None)
        if failed is not None and failed.id == service.failed_condition:
            lines.append(f"{_who(detail)}: {_condition_line(failed)}")
            break
    return "why not: " + ("; ".join(lines) or str(service.failed_condition))


def decision_table(decision: Decision) -> RenderableType:
    """A summary table (one row per service), then why or why not for each service."""
    title = (
        f"Household {decision.household_id} · neighborhood {decision.neighborhood_id} · "
        f"{decision.date}\nrules {decision.ruleset['ruleset']} {decision.ruleset['version']} "
        f"({decision.ruleset['hash'][:12]})"
    )
    table = Table(title=title)
    table.add_column("Service")
    table.add_column("Decision")
    table.add_column("Tier", justify="center")
    table.add_column("Score", justify="right")
    table.add_column("Agency")
    ordered = sorted(
        decision.services, key=lambda s: (not s.eligible, s.tier or 9, -(s.need_score or 0))
    )
    for s in ordered:
        verdict = Text("eligible", style="bold green") if s.eligible else Text("no", style="red")
        if s.eligible and s.entity == "member":
            verdict.append(f" ×{s.units}")
        table.add_row(
            f"{s.name} {s.name_fa}".strip(),
            verdict,
            str(s.tier or ""),
            f"{s.need_score:g}" if s.need_score is not None else "",
            s.agency or "",
        )
    lines = Text()
    for s in ordered:
        mark = ("✔ ", "green") if s.eligible else ("✘ ", "red")
        lines.append(mark[0], style=mark[1])
        lines.append(s.service_id, style="bold")
        lines.append(f": {_why(s)}\n")
    case = (
        f"Social-work case file: yes, with {decision.case_file_agency} "
        f"(opened by {', '.join(decision.case_file_services)})"
        if decision.case_file
        else "Social-work case file: not needed"
    )
    return Group(table, Text(case, style="bold"), Text("\nWhy", style="bold underline"), lines)
