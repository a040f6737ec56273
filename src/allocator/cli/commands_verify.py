"""``allocator verify DIR``: is a result directory whole, as its manifest describes it?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import EXIT_FAILED, console, errors
from allocator.cli.root import app
from allocator.outputs import verify_dir


@app.command("verify")
def verify(
    directory: Annotated[Path, typer.Argument(help="A result directory of synth/classify/run.")],
) -> None:
    """Check files, sizes, checksums and row counts against manifest.json (exit 0 or 1)."""
    problems = verify_dir(directory)
    if problems:
        for problem in problems:
            errors.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED)
    console.print(f"[green]✓[/] {directory} matches its manifest")
