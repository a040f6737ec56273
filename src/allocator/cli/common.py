"""Helpers shared by the commands: the console, error exits, option defaults."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.calendar import parse_day
from allocator.errors import AllocatorError, InputError, RuleSetError
from allocator.loading import load_ruleset

console = Console()
errors = Console(stderr=True)

#: Exit codes: 1 = the work found a problem (failed tests, invalid rules), 2 = bad input.
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn allocator's own errors into a message and exit code 2, never a traceback."""
    try:
        yield
    except RuleSetError as exc:
        fail(str(exc))
    except AllocatorError as exc:
        fail(str(exc))


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
