"""``allocator synth``: write a synthetic data set (neighborhoods, households, members).

``--preset`` is one of :data:`PRESET_NAMES`; a bad preset or row group size, or an existing
output directory without ``--force``, ends with exit code 2 and a one-line message. The data
set is written atomically (see :mod:`allocator.outputs`): complete, with its manifest, or
not at all.

Examples:
    >>> PRESET_NAMES
    ('national', 'program-2020', 'mazandaran', 'tiny')
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from allocator.cli.root import app
from allocator.errors import AllocatorError
from allocator.outputs import atomic_output
from allocator.reference.neighborhoods import DEFAULT_SEED

PRESET_NAMES = ("national", "program-2020", "mazandaran", "tiny")


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


@app.command("synth")
def synth(
    preset: Annotated[str, typer.Option(help=f"Data set: {', '.join(PRESET_NAMES)}.")],
    out: Annotated[Path, typer.Option(help="Output directory (created if missing).")],
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = DEFAULT_SEED,
    row_group: Annotated[
        int, typer.Option("--row-group", help="Households per Parquet row group.")
    ] = 1_000_000,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing output directory.")
    ] = False,
) -> None:
    """Generate a synthetic data set and write it as Parquet files."""
    if preset not in PRESET_NAMES:
        raise _fail(f"unknown preset {preset!r}; choose one of: {', '.join(PRESET_NAMES)}")
    if out.exists() and not out.is_dir():
        raise _fail(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise _fail(f"{out} already exists; use --force to replace it")

    from allocator.data.writer import MAX_ROW_GROUP_HOUSEHOLDS, write_dataset  # loads pyarrow

    if not 1 <= row_group <= MAX_ROW_GROUP_HOUSEHOLDS:
        raise _fail(f"--row-group must be 1 to {MAX_ROW_GROUP_HOUSEHOLDS:,} households")

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"synth {preset}", total=None, count="")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, count=f"{done:,}/{total:,} households")

        try:
            with atomic_output(
                out, kind="dataset", force=True, data_seed=seed, command=sys.argv
            ) as tmp:
                info = write_dataset(
                    preset,
                    seed,
                    tmp,
                    row_group_households=row_group,
                    progress=progress,
                )
        except AllocatorError as exc:
            raise _fail(str(exc)) from None

    table = Table(title=f"allocator synth --preset {preset} --seed {seed}")
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("neighborhoods", f"{info.neighborhoods:,}")
    table.add_row("households", f"{info.households:,}")
    table.add_row("people", f"{info.members:,}")
    table.add_row("row groups", f"{info.row_groups:,}")
    table.add_row("files", "\n".join(str(out / Path(p).name) for p in info.files))
    table.add_row("seconds", f"{info.seconds:.2f}")
    Console().print(table)
