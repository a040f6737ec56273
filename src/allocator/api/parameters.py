"""Dated parameters: values that hold between two dates, looked up at the decision date.

Examples:
    >>> from datetime import date
    >>> p = Parameter("caseload", "Case files per social worker", "files",
    ...               "seed 001", (ParameterValue(date(2021, 3, 21), None, 150),))
    >>> ps = ParameterSet({p.name: p})
    >>> ps.at(date(2024, 1, 1))["caseload"]
    150
    >>> ps.at(date(2020, 1, 1))
    Traceback (most recent call last):
    ...
    allocator.errors.ParameterNotCoveredError: parameter 'caseload' has no value on 2020-01-01 ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from allocator.api.services import Source
from allocator.calendar import both
from allocator.domain.valuetypes import BOOL, FLOAT, INT, ValueType
from allocator.errors import ParameterNotCoveredError

ParamScalar = bool | int | float


@dataclass(frozen=True)
class ParameterValue:
    """One value, valid from ``start`` to ``end`` inclusive (``end=None``: open-ended)."""

    start: date
    end: date | None
    value: ParamScalar

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def type_of_values(values: Sequence[ParameterValue]) -> ValueType:
    """A parameter's type over all its dated values: bool, int, else float.

    Examples:
        >>> type_of_values([ParameterValue(date(2020, 1, 1), None, 3)]).kind
        'int'
        >>> type_of_values([ParameterValue(date(2020, 1, 1), None, 3),
        ...                 ParameterValue(date(2021, 1, 1), None, 0.5)]).kind
        'float'
    """
    kinds = {type(v.value) for v in values}
    if kinds == {bool}:
        return BOOL
    if kinds == {int}:
        return INT
    return FLOAT


@dataclass(frozen=True)
class Parameter:
    """A named parameter with its dated values, in date order, never overlapping.

    ``assumption`` marks a value the sources do not give (explanations say so).
    """

    name: str
    description: str
    unit: str
    reference: str
    values: tuple[ParameterValue, ...]
    file: str = ""
    assumption: bool = False
    source: Source | None = None

    def at(self, day: date) -> ParamScalar:
        """The value in force on ``day``; raises :class:`ParameterNotCoveredError` if none."""
        for value in self.values:
            if value.covers(day):
                return value.value
        raise ParameterNotCoveredError(self.name, both(day))

    @property
    def type(self) -> ValueType:
        """The parameter's type over all its dated values (see :func:`type_of_values`)."""
        return type_of_values(self.values)

    def last_day(self) -> date | None:
        """The last day any value covers (``None`` if the last value is open-ended)."""
        return self.values[-1].end if self.values else None


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of a ruleset, by name."""

    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]

    def at(self, day: date) -> dict[str, ParamScalar]:
        """Every parameter's value on ``day`` (fails on the first one not covered)."""
        return {name: p.at(day) for name, p in self.parameters.items()}

    def types(self) -> dict[str, ValueType]:
        """The type of each parameter over all its dated values, by name."""
        return {name: p.type for name, p in self.parameters.items()}

    def expiring(self, today: date, within_days: int = 365) -> list[tuple[Parameter, date]]:
        """Parameters whose last value ends within ``within_days`` of ``today`` (or before).

        Examples:
            >>> v = ParameterValue(date(2020, 1, 1), date(2026, 3, 20), 1)
            >>> ps = ParameterSet({"x": Parameter("x", "", "", "", (v,))})
            >>> [(q.name, d.isoformat()) for q, d in ps.expiring(date(2026, 1, 1))]
            [('x', '2026-03-20')]
        """
        horizon = today + timedelta(days=within_days)
        found = []
        for parameter in self.parameters.values():
            end = parameter.last_day()
            if end is not None and end <= horizon:
                found.append((parameter, end))
        return found
