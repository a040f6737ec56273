"""The static types of values: booleans, integers, floats and named enums.

The rule language (:mod:`allocator.expressions`) checks expressions against them and the input
variables (:mod:`allocator.domain.inputs`) are declared with them, so they live here, below both.

Examples:
    >>> BOOL.describe(), enum_type("housing").describe()
    ('bool', 'enum housing')
    >>> INT.is_numeric and FLOAT.is_numeric and not BOOL.is_numeric
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["bool", "int", "float", "enum"]


@dataclass(frozen=True)
class ValueType:
    """The type of an expression or variable."""

    kind: Kind
    enum: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("int", "float")

    def describe(self) -> str:
        return f"enum {self.enum}" if self.kind == "enum" else self.kind


BOOL = ValueType("bool")
INT = ValueType("int")
FLOAT = ValueType("float")


def enum_type(name: str) -> ValueType:
    """The type of values of the enum called ``name`` (see ``domain.enums.ENUM_TYPES``)."""
    return ValueType("enum", name)


def numeric_result(left: ValueType, right: ValueType) -> ValueType:
    """The type of ``left + right`` (or ``-``, ``*``, ``min``, ``max``): int only if both are.

    Examples:
        >>> numeric_result(INT, INT).kind, numeric_result(INT, FLOAT).kind
        ('int', 'float')
    """
    return INT if left.kind == "int" and right.kind == "int" else FLOAT
