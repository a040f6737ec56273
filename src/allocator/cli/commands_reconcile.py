"""``allocator reconcile``: several agencies' data sets merged by national ID into one.

The merged data set, its case files, the conflicts (``conflicts.csv``) and the households
known to nobody's case files are written atomically into ``--out``; the merge rules are in
:mod:`allocator.importing.reconcile`. Sources rank in the order given: the first one's value
wins a conflict.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import console, reported
from allocator.cli.root import app


@app.command("reconcile")
def reconcile_command(
    data_dirs: Annotated[list[Path], typer.Argument(help="Data sets to merge, best-ranked first.")],
    out: Annotated[Path, typer.Option("--out", help="Merged data set (published atomically).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
) -> None:
    """Merge agencies' data sets: each person and household once, conflicts reported."""
    from allocator.importing.reconcile_write import reconcile_datasets  # loads pyarrow

    with reported():
        summary = reconcile_datasets(data_dirs, out, force=force, command=sys.argv)
    console.print(
        f"{summary['households']:,} households, {summary['members']:,} people; "
        f"{summary['households_merged_from_several']:,} registered more than once; "
        f"{summary['conflicts']:,} conflicts; {summary['uncovered_households']:,} known to "
        f"nobody's case files · {out / 'summary.md'}",
        highlight=False,
    )
