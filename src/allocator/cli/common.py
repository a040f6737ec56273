"""Helpers shared by the commands: the console, error exits, option defaults."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

import typer
from rich.console import Console

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.calendar import parse_day
from allocator.errors import AllocatorError, InputError, Reason
from allocator.loading import load_ruleset

console = Console()
errors = Console(stderr=True)

#: Exit codes: 1 = the work found a problem (failed tests, invalid rules), 2 = bad input.
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

#: The exit code of each reason an error gives (see :mod:`allocator.errors`).
EXIT_CODES: Mapping[Reason, int] = MappingProxyType(
    {
        Reason.RULESET: EXIT_BAD_INPUT,
        Reason.PARAMETER_NOT_COVERED: EXIT_BAD_INPUT,
        Reason.INPUT: EXIT_BAD_INPUT,
        Reason.DATA: EXIT_BAD_INPUT,
        Reason.CORRUPT_PART: EXIT_BAD_INPUT,
        Reason.SCENARIO: EXIT_BAD_INPUT,
        Reason.EXPRESSION_SYNTAX: EXIT_BAD_INPUT,
        Reason.EXPRESSION_TYPE: EXIT_BAD_INPUT,
        Reason.OUTPUT_EXISTS: EXIT_BAD_INPUT,
        Reason.KERNEL_BUILD: EXIT_BAD_INPUT,
        Reason.RULES_ENGINE: EXIT_FAILED,
    }
)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn allocator's own errors into a message and the exit code of their reason
    (:data:`EXIT_CODES`), never a traceback."""
    try:
        yield
    except AllocatorError as exc:
        fail(str(exc), EXIT_CODES.get(exc.reason, EXIT_BAD_INPUT))


def parse_date(text: str | None, calendar: str | None = None) -> date:
    """``--date``: Jalali or Gregorian by :func:`allocator.calendar.parse_day` (default today)."""
    if text is None:
        return date.today()
    try:
        return parse_day(text, calendar, what="--date")
    except InputError as exc:
        fail(str(exc))


def ruleset_from(rules: Path | None) -> RuleSet:
    return load_ruleset(rules if rules is not None else default_rules_dir())
