"""The ``allocator`` command: one typer app, each command group in its own module.

Every command turns allocator's own errors into a readable message and exit code 2
(bad input) instead of a traceback. ``allocator --quiet COMMAND`` prints no progress.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

app = typer.Typer(
    name="allocator",
    help="Declarative eligibility rules and a needs-prioritization optimizer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _options(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or log lines.")
    ] = False,
) -> None:
    from allocator.cli.progress import QUIET

    QUIET["on"] = quiet


def _flags_without_type() -> None:
    """Show flags as flags in ``--help``: typer's help prints ``--json <bool>`` for every
    boolean flag (``--help`` included) as if it took a value; a flag has no value to show."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "flags_without_type", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.count:
            return None
        result: str | None = shown(self, ctx)
        return result

    display_type_rich.flags_without_type = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _register() -> None:
    _flags_without_type()
    # Each module adds its commands to ``app`` on import (kept lazy-free and explicit).
    from allocator.cli import (  # noqa: F401
        commands_check,
        commands_classify,
        commands_compare,
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
