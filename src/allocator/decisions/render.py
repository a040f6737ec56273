"""Show an explained decision as rich tables, for a caseworker at a terminal.

The why-not of a service lists every failed condition as a sentence with its values,
limits and units (:mod:`allocator.decisions.wording`), in English or, with ``lang="fa"``,
in Persian (Persian digits, money in toman with separators), and the source of each.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from allocator.calendar import persian_digits
from allocator.decisions.model import ConditionTrace, Decision, EntityDecision, ServiceDecision
from allocator.domain.names import agency_name, agency_name_fa


def _who(detail: EntityDecision, lang: str = "en") -> str:
    if lang == "fa":
        return (
            "خانوار" if detail.member is None else f"عضو {persian_digits(str(detail.member + 1))}"
        )
    return "household" if detail.member is None else f"member {detail.member + 1}"


def why_not_lines(service: ServiceDecision, lang: str = "en") -> list[str]:
    """Every failed condition of the entity that explains the why-not, one sentence each,
    followed by its sources and those of the limits it missed."""
    detail = next(
        (d for d in service.details if not d.eligible and d.member == service.why_not_member),
        None,
    )
    if detail is None:
        return [str(service.failed_condition or "")]
    lines = []
    for trace in detail.conditions:
        if trace.status != "failed":
            continue
        text = trace.reason_fa if lang == "fa" else trace.reason
        lines.append(f"{_who(detail, lang)}: {text or _condition_line(trace)}")
        sources = ([trace.source] if trace.source else []) + [
            s for fact in trace.facts for s in fact.sources
        ]
        label = "منبع" if lang == "fa" else "source"
        lines += [f"    {label}: {s}" for s in dict.fromkeys(sources)]
    return lines


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
    return "why not:\n  " + "\n  ".join(why_not_lines(service))


def _agency(agency: str | None, lang: str) -> str:
    """The agency's name in ``lang`` (its id if unknown)."""
    if not agency:
        return ""
    return agency_name_fa(agency) if lang == "fa" else agency_name(agency, persian=False)


def decision_table(decision: Decision, lang: str = "en") -> RenderableType:
    """A summary table (one row per service), then why or why not for each service
    (the why-not in Persian with ``lang="fa"``)."""
    jalali = f" ({decision.date_jalali}, fiscal year {decision.fiscal_year})"
    title = (
        f"Household {decision.household_id} · neighborhood {decision.neighborhood_id} · "
        f"{decision.date}{jalali if decision.date_jalali else ''}\n"
        f"rules {decision.ruleset['ruleset']} {decision.ruleset['version']} "
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
            _agency(s.agency, lang),
        )
    lines = Text()
    for s in ordered:
        mark = ("✔ ", "green") if s.eligible else ("✘ ", "red")
        lines.append(mark[0], style=mark[1])
        if lang == "fa" and not s.eligible:
            lines.append(s.name_fa or s.name, style="bold")
            fa = "\n  ".join(why_not_lines(s, "fa"))
            lines.append(f": چرا نه:\n  {fa}\n")
        else:
            lines.append(s.name, style="bold")
            lines.append(f": {_why(s)}\n")
    names = {s.service_id: s.name for s in decision.services}
    case = (
        f"Social-work case file: yes, with {_agency(decision.case_file_agency, lang)} "
        f"(opened by {', '.join(names.get(i, i) for i in decision.case_file_services)})"
        if decision.case_file
        else "Social-work case file: not needed"
    )
    return Group(table, Text(case, style="bold"), Text("\nWhy", style="bold underline"), lines)
