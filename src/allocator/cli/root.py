"""The typer app every command module adds its commands to (:mod:`allocator.cli.app` runs it).

Every command turns allocator's own errors into a readable message and the exit code of
their reason instead of a traceback. ``allocator --quiet COMMAND`` prints no progress.
"""

from __future__ import annotations

from typing import Annotated

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
