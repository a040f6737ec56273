"""Services of the catalogue with their eligibility conditions, priority and delivery.

A service's eligibility is the conjunction of its conditions, in order; the first one that
fails is the "why not". Its priority is a base score plus the points of every term whose
``when`` holds, cut into tiers 1 (most urgent) to 4 by thresholds.

Examples:
    >>> p = Priority(base=10, terms=(), tier_thresholds=(60, 40, 20))
    >>> [p.tier_of(s) for s in (75, 60, 59.5, 20, 0)]
    [1, 1, 2, 3, 4]
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.expressions.nodes import Node
from allocator.types import EntityName

TIERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Provenance:
    """Which program and clause of the seed documents a rule implements."""

    program: str
    seed: str
    clause: str

    def describe(self) -> str:
        return f"{self.program} (seed {self.seed}): {self.clause}"


@dataclass(frozen=True)
class Source:
    """Where a condition or a parameter comes from: a title, an article or clause, a link.

    Examples:
        >>> Source("Seed 000", "food packages", "https://example.org/000").describe()
        'Seed 000, food packages <https://example.org/000>'
    """

    title: str
    clause: str = ""
    url: str = ""

    def describe(self) -> str:
        text = ", ".join(p for p in (self.title, self.clause) if p)
        return f"{text} <{self.url}>" if self.url else text


@dataclass(frozen=True)
class Condition:
    """One eligibility condition: an expression that must hold, and what it means in
    English (``explain``) and Persian (``explain_fa``), with its source if any."""

    id: str
    expr: Node
    text: str
    explain: str = ""
    explain_fa: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class PriorityTerm:
    """Points added to the need score when ``when`` holds."""

    id: str
    when: Node
    points: Node
    text: str
    explain: str = ""


@dataclass(frozen=True)
class Priority:
    """Need score = ``base`` + sum of applicable terms; tier by descending thresholds."""

    base: float
    terms: tuple[PriorityTerm, ...]
    tier_thresholds: tuple[float, float, float]

    def tier_of(self, score: float) -> int:
        for tier, threshold in zip(TIERS, self.tier_thresholds, strict=False):
            if score >= threshold:
                return tier
        return TIERS[-1]


@dataclass(frozen=True)
class Service:
    """A catalogue entry and its rules."""

    id: str
    name: str
    name_fa: str
    entity: EntityName
    agency: Node
    unit_cost: int
    opens_case_file: bool
    provenance: Provenance
    conditions: tuple[Condition, ...]
    priority: Priority
    description: str = ""
    file: str = ""
    #: Set when every eligible unit is entitled to the service (a right, not a ration):
    #: the optimizer serves entitled demand in full or reports the funding gap.
    entitlement: Provenance | None = None

    def condition_ids(self) -> list[str]:
        return [c.id for c in self.conditions]
