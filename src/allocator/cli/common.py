"""Helpers shared by the commands: the consoles, error exits, option defaults.

Messages are printed literally (``pip install 'allocator[dask]'`` keeps its brackets):
:func:`fail` escapes rich markup in the text it is given.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.calendar import parse_day
from allocator.errors import AllocatorError, InputError, Reason
from allocator.loading import load_ruleset

#: Width of tables printed to a pipe or a file (a terminal or ``$COLUMNS`` gives its own):
#: rich's 80 columns cut the headers of the run and sweep tables.
PIPE_WIDTH = 120


def _width(stream: object) -> int | None:
    isatty = getattr(stream, "isatty", None)
    if os.environ.get("COLUMNS") or (isatty is not None and isatty()):
        return None
    return PIPE_WIDTH


console = Console(width=_width(sys.stdout))
errors = Console(stderr=True, width=_width(sys.stderr))

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

#: Optional packages and the extra that installs each (the rest are core dependencies).
EXTRAS = {"psycopg": "postgres", "distributed": "dask", "dask": "dask"}


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``error: message`` (literally, unwrapped) on stderr and exit with ``code``."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def extra_hint(module: str) -> str | None:
    """The install hint for a missing optional module, or ``None`` for any other module.

    Examples:
        >>> extra_hint("psycopg")
        "PostgreSQL needs the 'postgres' extra: pip install 'allocator[postgres]'"
        >>> extra_hint("numpy") is None
        True
    """
    extra = EXTRAS.get(module.split(".")[0])
    if extra is None:
        return None
    what = {"postgres": "PostgreSQL", "dask": "--engine dask"}[extra]
    return f"{what} needs the '{extra}' extra: pip install 'allocator[{extra}]'"


@contextmanager
def reported() -> Iterator[None]:
    """Turn allocator's own errors, a missing extra, an unwritable path and a database that
    cannot be used into a message and the exit code of their reason (:data:`EXIT_CODES`),
    never a traceback."""
    try:
        yield
    except AllocatorError as exc:
        fail(str(exc), EXIT_CODES.get(exc.reason, EXIT_BAD_INPUT))
    except ModuleNotFoundError as exc:
        hint = extra_hint(exc.name or "")
        if hint is None:
            raise
        fail(hint)
    except (FileExistsError, NotADirectoryError, PermissionError) as exc:
        where = exc.filename or ""
        fail(f"{where}: {exc.strerror or exc}" if where else str(exc))
    except Exception as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        fail(problem)


def database_problem(exc: BaseException) -> str | None:
    """What went wrong with the database, when ``exc`` is SQLAlchemy's error (an
    unreachable server, a refused login, a missing privilege), in one line; else None.

    The driver's own first line is kept (it names the server, never the password);
    SQLAlchemy hides the statement's parameters.

    Examples:
        >>> database_problem(ValueError("x")) is None
        True
    """
    errors = sys.modules.get("sqlalchemy.exc")  # not imported: not its error
    if errors is None or not isinstance(exc, errors.SQLAlchemyError):
        return None
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"the database cannot be used: {lines[0] if lines else type(cause).__name__}"


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


def json_text(path: Path, what: str) -> str:
    """The text of the JSON file ``path``; a binary, unreadable or malformed file exits 2
    with a message naming the file (and the line, column and text of a syntax error)."""
    import json

    from allocator.locations import json_problem, read_text

    try:
        text = read_text(path, what)
    except ValueError as exc:
        fail(str(exc))
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        fail(json_problem(path, text, exc))
    return text


def positive_threads(value: int, flag: str = "--threads") -> int:
    """``value`` when it is at least 1; otherwise exit 2 naming ``flag``."""
    if value < 1:
        fail(f"{flag} must be at least 1 (got {value})")
    return value
