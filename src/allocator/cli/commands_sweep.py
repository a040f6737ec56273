"""``allocator sweep``: one scenario solved many times with its resources scaled.

The demand is classified and aggregated once; every variant is then solved in this
process (``--engine local``) or on Dask (``--engine dask``: a local cluster of
``--dask-workers`` processes, or the scheduler at ``--scheduler``). The sweep directory is
written atomically; a failed variant is a row with its reason, and the exit code is 1 when
any variant failed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from allocator.cli.common import EXIT_FAILED, console, fail, reported
from allocator.cli.progress import Activity, Stages
from allocator.cli.root import app
from allocator.formatting import billions, duration, integer

if TYPE_CHECKING:
    from allocator.sweeps import SweepResult, VariantResult

ENGINES = ("local", "dask")


@app.command("sweep")
def sweep(
    scenario_file: Annotated[Path, typer.Argument(help="A scenario YAML (see scenarios/).")],
    out: Annotated[Path, typer.Option("--out", help="Sweep directory to write.")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="NAME=START:STOP:COUNT; NAME is budget, workers, slots (factors), floor "
            "(tier-1 floor fraction) or alpha (fairness of the value curves). Repeat for a grid.",
        ),
    ],
    engine: Annotated[str, typer.Option(help="Where to solve: local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")
    ] = None,
    dask_workers: Annotated[
        int, typer.Option("--dask-workers", help="Worker processes of the local cluster.")
    ] = 2,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing sweep.")] = False,
) -> None:
    """Solve a scenario under every combination of the --vary levels."""
    from allocator.outputs import atomic_output
    from allocator.outputs.atomic import check_target
    from allocator.runs import prepare
    from allocator.scenarios import load_scenario
    from allocator.sweeps import DaskEngine, LocalEngine, grid, parse_vary, run_sweep
    from allocator.sweeps.engines import SweepEngine
    from allocator.sweeps.run import write_sweep

    if engine not in ENGINES:
        fail(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
    if dask_workers < 1:
        fail("--dask-workers must be at least 1")
    if engine == "dask" and importlib.util.find_spec("distributed") is None:
        fail("--engine dask needs the 'dask' extra: pip install 'allocator[dask]'")
    with reported():
        check_target(out, force)
        specs = [parse_vary(v) for v in vary]
        n = len(grid(specs))
        scenario = load_scenario(scenario_file)
        runner: SweepEngine = (
            LocalEngine() if engine == "local" else DaskEngine(scheduler, dask_workers)
        )
        activity = Activity()
        with Stages(activity) as stages:

            def step(text: str) -> None:
                stages.close()
                activity.log(text)

            prepared = prepare(scenario, Path.cwd(), step, stages)
            step(f"solving {n} variants ({runner.name})")
        finished = 0
        with activity.counting(f"sweep ({runner.name})", "variants") as update:

            def done(_: VariantResult) -> None:
                nonlocal finished
                finished += 1
                update(finished, n, None)

            try:
                result = run_sweep(prepared, scenario, specs, engine=runner, done=done)
            except OSError as exc:  # no Dask scheduler at --scheduler, or it went away
                fail(f"dask: {exc}")
    activity.log(f"writing {out}")
    with (
        reported(),
        atomic_output(
            out,
            kind="sweep",
            force=force,
            command=sys.argv,
            ruleset_hash=prepared.identity.get("hash"),
            data_seed=prepared.data_seed,
            manifest_extra={"variants": n, "failed": result.failed},
        ) as tmp,
    ):
        write_sweep(result, tmp)
    console.print(_table(result))
    if result.failed:
        raise typer.Exit(EXIT_FAILED)


def _table(result: SweepResult) -> Table:
    from allocator.sweeps import sweep_table

    names = [s.name for s in result.specs]
    table = Table(title=f"Sweep of {result.scenario.name} · took {duration(result.seconds)}")
    columns = [*names, "status", "need met %\ntier 1/2/3/4", "discretionary %\ntier 1/2/3/4",
               "social\nworkers", "budget\nbn toman"]  # fmt: skip
    priced = "alpha" in names  # the price of fairness against the alpha = 0 variant
    if priced:
        columns.append("price of\nfairness %")
    for column in columns:
        # the shares are read as a whole: never wrapped
        table.add_column(column, justify="right", no_wrap="%" in column)
    for row in sweep_table(result).to_pylist():
        if row["error"] is not None:
            reason = escape(row["error"][:60])
            table.add_row(*(f"{row[n]:g}" for n in names), f"[red]failed[/]: {reason}")
            continue
        shares = "/".join(f"{100 * (row[f'share_tier{t}'] or 0):.0f}" for t in (1, 2, 3, 4))
        free = "/".join(
            f"{100 * (row[f'discretionary_share_tier{t}'] or 0):.1f}" for t in (1, 2, 3, 4)
        )
        workers = integer(row["workers_used"] or 0)
        budget = billions(row["budget_used"] or 0)
        values = (f"{row[n]:g}" for n in names)
        cells = [*values, row["status"], shares, free, workers, budget]
        if priced:
            price = row["price_of_fairness"]
            cells.append("" if price is None else f"{100 * price:.1f}")
        table.add_row(*cells)
    return table
