"""Every error allocator raises on purpose, in one hierarchy, each with a reason code.

::

    AllocatorError                               reason
    ├── RuleSetError             the rule files are wrong (holds every RuleProblem found)
    │                                            invalid-ruleset
    ├── ParameterNotCoveredError no value of a dated parameter covers the decision date
    │                                            date-not-covered
    ├── InputError               one household (or request) is wrong; names the field
    │                                            invalid-input
    ├── DataError                a bulk data set is wrong; names the table and column
    │                                            invalid-data, corrupt-part
    ├── ScenarioError            a scenario file is wrong; names the field
    │                                            invalid-scenario
    ├── ExpressionSyntaxError    a rule expression does not parse (also a ValueError)
    │                                            expression-syntax
    ├── TypeProblem              a rule expression is ill-typed (also a ValueError)
    │                                            expression-type
    ├── OutputExistsError        a result directory exists and --force was not given
    │                                            output-exists
    ├── KernelBuildError         the C kernel cannot be built
    │                                            kernel-build
    └── DurableError             durable-rules refused a ruleset or a fact (also a
                                 RuntimeError)   rules-engine

The last five live beside the code that raises them (``expressions``, ``outputs``,
``backends``). Every error carries ``reason``, a :class:`Reason` a caller can branch on: the
CLI maps it to its exit code (``allocator.cli.common.EXIT_CODES``) and the service to its
HTTP status (``allocator.service.problems.STATUS``), one table each. To add an error, add a
:class:`Reason` and a row to each table (a test checks that none is missing).

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
    >>> str(DataError("no table").reason), str(DataError("x", reason=Reason.CORRUPT_PART).reason)
    ('invalid-data', 'corrupt-part')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why an operation was refused: a stable code, the same in the CLI and the service."""

    RULESET = "invalid-ruleset"
    PARAMETER_NOT_COVERED = "date-not-covered"
    INPUT = "invalid-input"
    DATA = "invalid-data"
    CORRUPT_PART = "corrupt-part"
    SCENARIO = "invalid-scenario"
    EXPRESSION_SYNTAX = "expression-syntax"
    EXPRESSION_TYPE = "expression-type"
    OUTPUT_EXISTS = "output-exists"
    KERNEL_BUILD = "kernel-build"
    RULES_ENGINE = "rules-engine"


class AllocatorError(Exception):
    """Base class of allocator's own errors.

    Attributes:
        reason: the :class:`Reason` code; each class has its own, which ``reason=`` refines.
    """

    reason: Reason = Reason.INPUT

    def __init__(self, *args: object, reason: Reason | None = None) -> None:
        super().__init__(*args)
        if reason is not None:
            self.reason = reason


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

    reason = Reason.RULESET

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the ruleset:\n{lines}")


class ParameterNotCoveredError(AllocatorError):
    """No value of a dated parameter covers the requested date."""

    reason = Reason.PARAMETER_NOT_COVERED

    def __init__(self, parameter: str, date: str) -> None:
        self.parameter = parameter
        self.date = date
        super().__init__(f"parameter '{parameter}' has no value on {date}")


class InputError(AllocatorError):
    """A household or request is invalid; ``field`` is the path of the (first) offending
    field, ``errors`` every ``(field, message)`` found (one, unless several were collected)."""

    reason = Reason.INPUT

    def __init__(
        self,
        message: str,
        field: str = "",
        errors: list[tuple[str, str]] | None = None,
        *,
        reason: Reason | None = None,
    ) -> None:
        self.field = field
        self.errors = errors if errors is not None else [(field, message)]
        super().__init__(message, reason=reason)


class DataError(AllocatorError):
    """A bulk data set is invalid (missing table or column, wrong type, a corrupt part file)."""

    reason = Reason.DATA

    def __init__(
        self, message: str, table: str = "", column: str = "", *, reason: Reason | None = None
    ) -> None:
        self.table = table
        self.column = column
        super().__init__(message, reason=reason)


class ScenarioError(AllocatorError):
    """A scenario file is invalid; ``field`` names the offending field."""

    reason = Reason.SCENARIO

    def __init__(self, message: str, field: str = "", *, reason: Reason | None = None) -> None:
        self.field = field
        super().__init__(message, reason=reason)
