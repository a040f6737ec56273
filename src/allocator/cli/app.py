"""The ``allocator`` command: one typer app, each command group in its own module.

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


def _register() -> None:
    # Each module adds its commands to ``app`` on import (kept lazy-free and explicit).
    from allocator.cli import (  # noqa: F401
        commands_check,
        commands_classify,
        commands_import,
        commands_reconcile,
        commands_report,
        commands_rules,
        commands_run,
        commands_serve,
        commands_sweep,
        commands_synth,
        commands_verify,
    )


def main() -> None:
    """Entry point of the console script."""
    _register()
    app()
