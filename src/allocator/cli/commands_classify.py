"""``allocator classify``: classify every household of a data directory, in bulk.

Writes a result directory (per-partition decisions, rejects, demand and why-not counts, then
the reduced demand, why-not, service catalogue and summary; see :mod:`allocator.pipeline.run`)
atomically into ``--out``; ``--resume`` continues an interrupted run, ``--engine dask`` runs
the partitions on a Dask cluster. A bad data set ends with exit code 2 and a message naming
the table and column; an existing result without ``--force`` too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from allocator.backends.base import BackendName
from allocator.cli.common import (
    console,
    fail,
    parse_date,
    positive_threads,
    reported,
    ruleset_from,
)
from allocator.cli.progress import Activity
from allocator.cli.root import app
from allocator.formatting import duration, integer

BACKENDS = tuple(str(name) for name in BackendName)
ENGINES = ("local", "dask")


@app.command("classify")
def classify(
    data_dir: Annotated[
        Path, typer.Argument(help="Data directory (neighborhoods, households, members as Parquet).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Result directory (published atomically).")],
    backend: Annotated[
        str,
        typer.Option(help="Rules engine: vector (bulk) or durable (slow, explained; for parity)."),
    ] = BackendName.VECTOR.value,
    day: Annotated[
        str | None, typer.Option("--date", help="Decision date YYYY-MM-DD (default: today).")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(help="Ruleset directory (default: the national one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing result.")] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue an interrupted run from its work directory."),
    ] = False,
    decisions: Annotated[
        str,
        typer.Option(
            help="Per-household output: compact (eligible pairs), wide (a row per household, "
            "with each service's failed condition) or none."
        ),
    ] = "compact",
    engine: Annotated[
        str, typer.Option(help="Who runs the partitions: local (threads) or dask.")
    ] = "local",
    threads: Annotated[int, typer.Option(help="Partitions in flight (local engine).")] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (default: start a local cluster)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes of the local Dask cluster.")] = 2,
) -> None:
    """Classify households partition by partition (one per row group); print a summary."""
    _check_choices(backend, engine)
    decision_day = parse_date(day)
    positive_threads(threads)
    positive_threads(workers, "--workers")
    from allocator.pipeline import RunOptions, classify_dataset, runner_for  # loads pyarrow

    activity = Activity()
    with reported():
        ruleset = ruleset_from(rules)
        options = RunOptions(backend=backend, decisions=decisions)
        label = f"classify ({backend}, {engine})"
        with activity.counting(label, "partitions", extra="households") as progress:
            summary = classify_dataset(
                data_dir,
                out,
                ruleset,
                decision_day,
                options=options,
                force=force,
                resume=resume,
                runner=runner_for(engine, threads, scheduler, workers),
                progress=progress,
            )
    _print_summary(summary, out)


def _check_choices(backend: str, engine: str) -> None:
    """Exit with a message on an unknown backend or engine, or dask without its extra."""
    if backend not in BACKENDS:
        fail(f"--backend: unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    if engine not in ENGINES:
        fail(f"--engine: unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            fail("--engine dask needs the 'dask' extra: pip install 'allocator[dask]'")


def _print_summary(summary: dict[str, Any], out: Path) -> None:
    """The eligibility table and the counts, timing and place of the outputs."""
    if summary.get("already_complete"):
        console.print(
            f"{out} is already complete: nothing to resume (pass --force to classify again)",
            highlight=False,
            soft_wrap=True,
        )
    console.print(summary_table(summary))
    console.print(
        f"{integer(summary['households_read'])} households read = "
        f"{integer(summary['households_classified'])} classified + "
        f"{integer(summary['households_rejected'])} rejected · took "
        f"{duration(summary['seconds'])} ({integer(summary['households_per_second'] or 0)} "
        f"households/s) · outputs in {out}",
        highlight=False,
        soft_wrap=True,
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
    day = summary["date"]
    if summary.get("date_jalali"):  # both calendars and the fiscal year (issue 14)
        day = f"{summary['date_jalali']} ({day}), fiscal year {summary['fiscal_year']}"
    table = Table(title=f"Eligibility on {day} ({summary['backend']} backend)")
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
            integer(totals["eligible_households"]),
            integer(totals["units"]),
            *(integer(per_tier.get((service_id, t), 0)) for t in range(1, 5)),
        )
    return table
