"""The typer app every command module adds its commands to (:mod:`allocator.cli.app` runs it).

Every command turns allocator's own errors into a readable message and exit code 2
(bad input) instead of a traceback.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="allocator",
    help="Declarative eligibility rules and a needs-prioritization optimizer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
