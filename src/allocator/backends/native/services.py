"""The C code of the services: conditions, score, tier, agency, outputs and counts.

Part of the kernel :mod:`.kernel` assembles: for household ``i`` (members ``m0:m1``),
household-level services are decided in place; member-level services share one loop over
the members, then each is summarized per household (eligible if a member is, units the
eligible members, the best eligible member's score, else the furthest any member got).
An eligible household is appended to its service's block of ``elig_t`` records; the first
eligible service that opens a case file names the case agency, and households are counted
in the why-not and demand tables when the caller gives them.

Examples:
    >>> from allocator.api.ruleset import default_rules_dir
    >>> from allocator.loading import load_ruleset
    >>> from allocator.backends.native.cexpr import CExpr
    >>> rules = load_ruleset(default_rules_dir())
    >>> expr = CExpr(rules.type_of, rules.parameters.types(), lambda e, n: n)
    >>> code = ServiceCode(rules, expr)
    >>> code.outputs()[0]
    '  const int64_t NS = 19;'
"""

from __future__ import annotations

from allocator.api.ruleset import RuleSet
from allocator.api.services import TIERS, Service
from allocator.domain.enums import ENUM_TYPES
from allocator.expressions.nodes import names_in

from .cexpr import CTYPES, CExpr, literal


def why_not_width(ruleset: RuleSet) -> int:
    """Columns of the why-not count table: ``k + 1`` per service of ``k`` conditions.

    Examples:
        >>> from allocator.api.ruleset import default_rules_dir
        >>> from allocator.loading import load_ruleset
        >>> rules = load_ruleset(default_rules_dir())
        >>> why_not_width(rules) == sum(len(s.conditions) + 1 for s in rules.services)
        True
    """
    return sum(len(s.conditions) + 1 for s in ruleset.services)


class ServiceCode:
    """C statements of the services of ``ruleset``, expressions emitted by ``expr``."""

    def __init__(self, ruleset: RuleSet, expr: CExpr) -> None:
        self.ruleset = ruleset
        self.expr = expr

    def why_not(self) -> list[str]:
        """Count the household in ``why``: row ``nbid - nb_lo``, one column per (service,
        failed + 1), services side by side (see :func:`why_not_width`)."""
        lines = [
            f"    if (why) {{ int32_t* w = why + (nbid[i] - nb_lo) * {why_not_width(self.ruleset)};"
        ]
        start = 0
        for s, service in enumerate(self.ruleset.services):
            lines.append(f"      w[{start + 1} + F{s}[i * NS]]++;")
            start += len(service.conditions) + 1
        return [*lines, "    }"]

    def outputs(self) -> list[str]:
        """Per service: ``failed`` column ``s`` of the household-major ``failed`` table (one
        byte per service side by side: one output stream instead of one per service), and
        block ``out[s]`` of eligible households, room for ``cap[s]``; more are counted, not
        stored."""
        n = len(self.ruleset.services)
        lines = [f"  const int64_t NS = {n};"]
        for s in range(n):
            lines.append(
                f"  int8_t* restrict F{s} = failed + {s};"
                f" elig_t* restrict E{s} = out[{s}];"
                f" const int64_t K{s} = cap[{s}]; int64_t c{s} = 0;"
            )
        return lines

    def _conditions(self, service: Service, entity: str) -> list[str]:
        """Statements leaving in ``p`` how many leading conditions hold."""
        lines = ["int p = 0;", "do {"]
        for k, condition in enumerate(service.conditions):
            lines.append(f"  if (!({self.expr.emit(condition.expr, entity)})) break;")
            lines.append(f"  p = {k + 1};")
        return [*lines, "} while (0);"]

    def _score(self, service: Service, entity: str) -> list[str]:
        lines = [f"double sc = {literal(service.priority.base, 'float')};"]
        for term in service.priority.terms:
            when = self.expr.emit(term.when, entity)
            points = self.expr.emit(term.points, entity)
            if not any(n.parts[0] != "params" for n in names_in(term.points)):
                lines.append(f"sc += (double)({when}) * (double)({points});")
            else:
                kind = CTYPES[self.expr.kind(term.points, entity).kind]
                lines.append(f"sc += (double)(({when}) ? ({kind})({points}) : ({kind})0);")
        return lines

    def _store(self, s: int, service: Service, best: str, units: str) -> list[str]:
        """Append the eligible household ``i`` to service ``s``'s block."""
        thresholds = service.priority.tier_thresholds
        agency = self.expr.emit(service.agency, "household", "agency")
        lines = [f"const int ag = (int)({agency});", f"int t = {len(thresholds) + 1};"]
        lines += [f"t -= {best} >= {literal(th, 'float')};" for th in thresholds]
        lines += [
            f"if (c{s} < K{s}) {{ elig_t* e = E{s} + c{s}; e->row = i;",
            f"  e->units = (int16_t)({units}); e->score = {best}; e->tier = (int8_t)t;",
            "  e->agency = (int8_t)ag; }",
            f"c{s}++;",
        ]
        if service.opens_case_file:
            lines.append("if (!cf) { cf = 1; ca = ag; }")
        cells = len(TIERS) * len(ENUM_TYPES["agency"])
        n = len(self.ruleset.services)
        lines += [
            f"if (dem) {{ int32_t* d = dem + (((nbid[i] - nb_lo) * {n} + {s}) * {cells}",
            f"    + (t - 1) * {len(ENUM_TYPES['agency'])} + ag) * 3;",
            f"  d[0] += (int32_t)({units}); d[1] += 1; d[2] += (int32_t)(m1 - m0); }}",
        ]
        return lines

    def household(self, s: int, service: Service) -> list[str]:
        k = len(service.conditions)
        body = [
            *self._conditions(service, "household"),
            f"if (p == {k}) {{",
            *self._score(service, "household"),
            *self._store(s, service, "sc", "1"),
            f"F{s}[i * NS] = -1; }} else F{s}[i * NS] = (int8_t)p;",
        ]
        return [f"    {{ /* {service.id} */", *("      " + line for line in body), "    }"]

    def member_loop(self, services: list[tuple[int, Service]]) -> list[str]:
        """One loop over the household's members for every member-level service.

        Per service ``s``: ``fu{s}`` the furthest any member got through the conditions,
        ``un{s}`` the eligible members, ``be{s}`` the best eligible member's score.
        """
        if not services:
            return []
        lines = []
        for s, service in services:
            k = len(service.conditions)
            lines.append(
                f"    int fu{s} = m1 > m0 ? 0 : {k}; int un{s} = 0; double be{s} = -INFINITY;"
            )
        lines.append("    for (int64_t j = m0; j < m1; j++) {")
        for s, service in services:
            k = len(service.conditions)
            body = [
                *self._conditions(service, "member"),
                f"if (p > fu{s}) fu{s} = p;",
                f"if (p == {k}) {{",
                *self._score(service, "member"),
                f"un{s}++; if (sc > be{s}) be{s} = sc; }}",
            ]
            lines += [f"      {{ /* {service.id} */", *("        " + b for b in body), "      }"]
        return [*lines, "    }"]

    def member_result(self, s: int, service: Service) -> list[str]:
        k = len(service.conditions)
        body = [
            f"if (un{s} > 0) {{",
            *self._store(s, service, f"be{s}", f"un{s}"),
            "}",
            f"F{s}[i * NS] = (int8_t)(fu{s} == {k} ? -1 : fu{s});",
        ]
        return [f"    {{ /* {service.id} */", *("      " + line for line in body), "    }"]
