"""Every error allocator raises on purpose, in one hierarchy.

::

    AllocatorError
    ├── RuleSetError             the rule files are wrong (holds every RuleProblem found)
    ├── ParameterNotCoveredError no value of a dated parameter covers the decision date
    ├── InputError               one household (or request) is wrong; names the field
    ├── DataError                a bulk data set is wrong; names the table and column
    └── ScenarioError            a scenario file is wrong; names the field

Author mistakes (``RuleSetError``) are kept apart from data mistakes (``InputError``,
``DataError``), as pandera separates ``SchemaDefinitionError`` from ``SchemaError``.
An infeasible optimization is not an error: it is a status in the plan.

Examples:
    >>> p = RuleProblem("services/food.yaml", "food_package", "unknown-variable",
    ...                 "unknown variable 'incme'", line=12)
    >>> str(p)
    "services/food.yaml:12: food_package: unknown variable 'incme' [unknown-variable]"
    >>> str(ParameterNotCoveredError("poverty_line.urban", "1990-01-01"))
    "parameter 'poverty_line.urban' has no value on 1990-01-01"
"""

from __future__ import annotations

from dataclasses import dataclass


class AllocatorError(Exception):
    """Base class of allocator's own errors."""


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file.

    Attributes:
        file: path of the file, relative to the ruleset directory.
        rule_id: id of the rule, variable, service or parameter at fault ("-" if none).
        code: a stable reason code (``unknown-variable``, ``type-mismatch``, ``cycle``,
            ``duplicate-id``, ``bad-date-range``, ``syntax``, ``schema``, ...).
        message: what is wrong, in words.
        line: 1-based line in the file, when known.
    """

    file: str
    rule_id: str
    code: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.rule_id}: {self.message} [{self.code}]"


class RuleSetError(AllocatorError):
    """The rule files could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the ruleset:\n{lines}")


class ParameterNotCoveredError(AllocatorError):
    """No value of a dated parameter covers the requested date."""

    def __init__(self, parameter: str, date: str) -> None:
        self.parameter = parameter
        self.date = date
        super().__init__(f"parameter '{parameter}' has no value on {date}")


class InputError(AllocatorError):
    """A household or request is invalid; ``field`` is the path of the (first) offending
    field, ``errors`` every ``(field, message)`` found (one, unless several were collected)."""

    def __init__(
        self, message: str, field: str = "", errors: list[tuple[str, str]] | None = None
    ) -> None:
        self.field = field
        self.errors = errors if errors is not None else [(field, message)]
        super().__init__(message)


class DataError(AllocatorError):
    """A bulk data set is invalid (missing table or column, wrong type)."""

    def __init__(self, message: str, table: str = "", column: str = "") -> None:
        self.table = table
        self.column = column
        super().__init__(message)


class ScenarioError(AllocatorError):
    """A scenario file is invalid; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)
