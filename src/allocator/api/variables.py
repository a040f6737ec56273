"""Derived variables: formulas over one entity, or aggregations from members to households.

Examples:
    >>> from allocator.expressions.parser import parse
    >>> from allocator.domain.valuetypes import INT
    >>> v = DerivedVariable("household_size", "household", INT,
    ...                     aggregation=Aggregation("count"))
    >>> v.depends_on_members
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.domain.valuetypes import ValueType
from allocator.expressions.nodes import Node, names_in
from allocator.types import EntityName

AGGREGATIONS = ("any", "count", "sum", "min", "max")


@dataclass(frozen=True)
class Aggregation:
    """``function`` of member expression ``of`` over the members where ``where`` holds.

    ``any`` and ``count`` take no ``of``; ``min`` and ``max`` over no member give ``default``.
    """

    function: str
    of: Node | None = None
    where: Node | None = None
    default: float | int | None = None

    def expressions(self) -> list[Node]:
        return [e for e in (self.of, self.where) if e is not None]


@dataclass(frozen=True)
class DerivedVariable:
    """A variable computed from other variables: a ``formula`` or an ``aggregation``."""

    id: str
    entity: EntityName
    type: ValueType
    formula: Node | None = None
    aggregation: Aggregation | None = None
    description: str = ""
    source: str = ""
    file: str = ""
    unit: str = ""

    @property
    def depends_on_members(self) -> bool:
        return self.aggregation is not None

    def expressions(self) -> list[Node]:
        if self.formula is not None:
            return [self.formula]
        return self.aggregation.expressions() if self.aggregation else []

    def references(self) -> list[tuple[str, ...]]:
        """Dotted names this variable reads (variables and parameters)."""
        return [n.parts for e in self.expressions() for n in names_in(e)]
