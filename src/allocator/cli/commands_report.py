"""``allocator report``: one self-contained HTML page of charts for a run or a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import console, reported
from allocator.cli.root import app
from allocator.formatting import integer


@app.command("report")
def report(
    directory: Annotated[Path, typer.Argument(help="A run or sweep directory.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write an HTML report (charts inline, no network needed) of a run or a sweep."""
    from allocator.reports import write_report

    with reported():
        path = write_report(directory, out, force=force)
    size = integer(path.stat().st_size / 1024)
    console.print(f"wrote {path} ({size} KiB)", highlight=False)
