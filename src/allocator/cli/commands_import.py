"""``allocator import``: an agency's CSV or Excel files, through a mapping, to a data set.

The data set (the layout ``allocator synth`` writes, plus ``case_files.parquet`` and the
rejects) is written atomically into ``--out``; a bad mapping, a missing file or column, or an
existing output without ``--force`` ends with exit code 2 and nothing written. Rows that
cannot be read are not errors: they are listed in ``rejects.csv`` (file, row, column, value,
reason) and counted in the summary.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from allocator.cli.common import console, errors, parse_date, reported
from allocator.cli.root import app


@app.command("import")
def import_command(
    mapping: Annotated[
        Path,
        typer.Option("--mapping", help="Mapping file (YAML): the agency's columns and values."),
    ],
    households: Annotated[
        Path, typer.Option("--households", help="Households file (.csv or .xlsx).")
    ],
    members: Annotated[Path, typer.Option("--members", help="Members file (.csv or .xlsx).")],
    out: Annotated[Path, typer.Option("--out", help="Data set directory (published atomically).")],
    day: Annotated[
        str | None,
        typer.Option("--date", help="Date on which ages are counted from dates of birth."),
    ] = None,
    neighborhoods: Annotated[
        Path | None,
        typer.Option(
            help="Neighborhoods to check against: a data set directory or a "
            "neighborhoods.parquet (default: the national geography)."
        ),
    ] = None,
    row_group: Annotated[
        int, typer.Option("--row-group", help="Households per Parquet row group.")
    ] = 1_000_000,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
) -> None:
    """Import households and members from an agency's files into a data set."""
    decision_day = parse_date(day)
    from allocator.importing import import_dataset  # loads pyarrow

    if row_group < 1:
        from allocator.cli.common import fail

        fail("--row-group must be at least 1")
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
    )
    with (
        reported(),
        Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as bar,
    ):
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"import {stage}", total=total, count="")
            if total is None:  # Excel rows, or the writing stage
                count = f"{done:,} rows" if done else ""
            else:
                count = f"{done / 1e6:,.0f}/{total / 1e6:,.0f} MB"
            bar.update(tasks[stage], completed=min(done, total or done), count=count)

        result = import_dataset(
            mapping,
            households,
            members,
            out,
            decision_day,
            neighborhoods=neighborhoods,
            force=force,
            row_group_households=row_group,
            command=sys.argv,
            progress=progress,
        )
    counts = result.counts
    table = Table(title=f"allocator import → {out}")
    table.add_column("item")
    table.add_column("value", justify="right")
    for label, key in (
        ("households read", "households_read"),
        ("member rows read", "member_rows_read"),
        ("households written", "households"),
        ("members written", "members"),
        ("households rejected", "households_rejected"),
        ("reject rows (rejects.csv)", "reject_rows"),
    ):
        table.add_row(label, f"{counts[key]:,}")
    table.add_row("seconds", f"{result.seconds:.2f}")
    console.print(table)
    if counts["reject_rows"]:
        console.print(
            f"{counts['reject_rows']:,} reject row(s): see {out / 'rejects.csv'}", highlight=False
        )
