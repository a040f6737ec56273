"""``allocator classify``: classify every household of a data directory, in bulk.

Writes decisions, rejects, demand, the service catalogue, why-not counts and a summary into
``--out`` (see :mod:`allocator.pipeline.run`); a bad data set ends with exit code 2 and a
message naming the table and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from allocator.cli.app import app
from allocator.cli.common import console, errors, fail, parse_date, reported, ruleset_from

BACKENDS = ("vector", "durable")


@app.command("classify")
def classify(
    data_dir: Annotated[
        Path, typer.Argument(help="Data directory (neighborhoods, households, members as Parquet).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Output directory (created if missing).")],
    backend: Annotated[
        str,
        typer.Option(help="Engine: vector (bulk) or durable (slow, explained; for parity checks)."),
    ] = "vector",
    day: Annotated[
        str | None, typer.Option("--date", help="Decision date YYYY-MM-DD (default: today).")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(help="Ruleset directory (default: the national one).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace outputs of a previous run.")
    ] = False,
    no_decisions: Annotated[
        bool,
        typer.Option(
            "--no-decisions", help="Write only the aggregates, not one row per household."
        ),
    ] = False,
) -> None:
    """Classify households row group by row group; print a summary table."""
    if backend not in BACKENDS:
        fail(f"--backend: unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    decision_day = parse_date(day)
    from allocator.pipeline import classify_dataset, engine_for  # loads pyarrow

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
    )
    with reported():
        ruleset = ruleset_from(rules)
        engine = engine_for(backend, ruleset, data_dir)
        with Progress(*columns, console=errors, transient=True) as bar:
            task = bar.add_task(f"classify ({backend})", total=None, count="")

            def progress(groups_done: int, groups: int, households: int) -> None:
                bar.update(
                    task, completed=groups_done, total=groups, count=f"{households:,} households"
                )

            summary = classify_dataset(
                data_dir,
                out,
                ruleset,
                decision_day,
                engine,
                force=force,
                progress=progress,
                decisions=not no_decisions,
            )
    console.print(summary_table(summary))
    console.print(
        f"{summary['households_read']:,} read = {summary['households_classified']:,} classified"
        f" + {summary['households_rejected']:,} rejected · {summary['seconds']:.1f} s "
        f"({summary['households_per_second'] or 0:,} households/s) · outputs in {out}",
        highlight=False,
    )


def summary_table(summary: dict[str, Any]) -> Table:
    """Eligible households and units per service, by tier.

    Examples:
        >>> s = {"date": "2025-06-01", "backend": "vector", "services": {"shelter": {
        ...     "eligible_households": 3, "units": 3}}, "eligible": [{"service_id": "shelter",
        ...     "tier": 1, "households": 3}]}
        >>> summary_table(s).row_count
        1
    """
    table = Table(title=f"Eligibility on {summary['date']} ({summary['backend']} backend)")
    table.add_column("service")
    table.add_column("households", justify="right")
    table.add_column("units", justify="right")
    for tier in range(1, 5):
        table.add_column(f"tier {tier}", justify="right")
    per_tier: dict[tuple[str, int], int] = {}
    for row in summary["eligible"]:
        key = (row["service_id"], row["tier"])
        per_tier[key] = per_tier.get(key, 0) + row["households"]
    for service_id, totals in summary["services"].items():
        table.add_row(
            service_id,
            f"{totals['eligible_households']:,}",
            f"{totals['units']:,}",
            *(f"{per_tier.get((service_id, t), 0):,}" for t in range(1, 5)),
        )
    return table
