"""``allocator report``: one self-contained HTML page of charts for a run or a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import console, reported
from allocator.cli.root import app


@app.command("report")
def report(
    directory: Annotated[Path, typer.Argument(help="A run or sweep directory.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
) -> None:
    """Write an HTML report (charts inline, no network needed) of a run or a sweep."""
    from allocator.reports import write_report

    with reported():
        path = write_report(directory, out)
    console.print(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KiB)", highlight=False)
