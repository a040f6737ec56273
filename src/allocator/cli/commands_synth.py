"""``allocator synth``: write a synthetic data set (neighborhoods, households, members).

``--preset`` is one of :data:`PRESET_NAMES`; a bad preset or row group size, or an existing
output directory without ``--force``, ends with exit code 2 and a one-line message. The data
set is written atomically (see :mod:`allocator.outputs`): complete, with its manifest, or
not at all.

Examples:
    >>> PRESET_NAMES
    ('tiny', 'mazandaran', 'program-2020', 'national')
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from allocator.cli.common import console, fail, reported
from allocator.cli.progress import Activity
from allocator.cli.root import app
from allocator.data.presets import DATA_PRESETS
from allocator.formatting import duration, integer
from allocator.outputs import atomic_output
from allocator.outputs.atomic import check_target
from allocator.reference.neighborhoods import DEFAULT_SEED

PRESET_NAMES = DATA_PRESETS


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
        fail(f"unknown preset {preset!r}; choose one of: {', '.join(PRESET_NAMES)}")
    if out.exists() and not out.is_dir():
        fail(f"{out} exists and is not a directory")
    if out.is_dir() and not any(out.iterdir()):
        force = True  # an empty directory made for the output is not a result to keep
    with reported():
        check_target(out, force)

    from allocator.data.writer import MAX_ROW_GROUP_HOUSEHOLDS, write_dataset  # loads pyarrow

    if not 1 <= row_group <= MAX_ROW_GROUP_HOUSEHOLDS:
        fail(f"--row-group must be 1 to {MAX_ROW_GROUP_HOUSEHOLDS:,} households")

    with (
        reported(),
        Activity().counting(f"synth {preset}", "households") as update,
        atomic_output(out, kind="dataset", force=force, data_seed=seed, command=sys.argv) as tmp,
    ):
        info = write_dataset(
            preset,
            seed,
            tmp,
            row_group_households=row_group,
            progress=lambda done, total: update(done, total, None),
        )

    table = Table(title=f"allocator synth --preset {preset} --seed {seed}")
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("neighborhoods", integer(info.neighborhoods))
    table.add_row("households", integer(info.households))
    table.add_row("people", integer(info.members))
    table.add_row("row groups", integer(info.row_groups))
    table.add_row("files", "\n".join(str(out / Path(p).name) for p in info.files))
    table.add_row("took", duration(info.seconds))
    console.print(table)
