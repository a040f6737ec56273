"""``allocator run`` and ``allocator compare``: a planner's scenario, end to end."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from allocator.cli.app import app
from allocator.cli.common import EXIT_FAILED, console, reported


def _total(figures: dict[str, Any]) -> float:
    """A resource's total: its ``total``, else the sum of its per-agency figures."""
    if figures.get("total") is not None:
        return float(figures["total"])
    return float(sum((figures.get("by_agency") or {}).values()))


def _summary_table(summary: dict[str, Any], seconds: float) -> Table:
    table = Table(title=f"Scenario {summary['scenario']} · {summary['status']}")
    table.add_column("tier", justify="center")
    table.add_column("demand", justify="right")
    table.add_column("served", justify="right")
    table.add_column("share", justify="right")
    for tier in summary["need_met"]:
        table.add_row(
            str(tier["tier"]),
            f"{tier['demand']:,.0f}",
            f"{tier['served']:,.0f}",
            f"{(tier['share'] or 0):.1%}",
        )
    workers, budget = summary["workers"], summary["budget"]
    w_avail = _total(workers["available"])
    b_avail = _total(budget["available"])
    table.caption = (
        f"workers {_total(workers['used']):,.0f} of {w_avail:,.0f} · budget "
        f"{_total(budget['used']) / 1e9:,.0f} of {b_avail / 1e9:,.0f} billion toman · "
        f"gap to LP bound {summary.get('relative_gap') or 0:.2e} · {seconds:.1f} s"
    )
    return table


@app.command("run")
def run(
    scenario_file: Annotated[Path, typer.Argument(help="A scenario YAML (see scenarios/).")],
    out: Annotated[Path, typer.Option("--out", help="Run directory to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing run.")] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit non-zero unless the plan's status is ok (e.g. unfunded "
            "entitlements, unmet floors).",
        ),
    ] = False,
    export_model: Annotated[
        Path | None,
        typer.Option("--export-model", help="Also write the exact model solved (MPS) here."),
    ] = None,
) -> None:
    """Data, classification, demand, optimization and the run's files, end to end."""
    from allocator.outputs.atomic import check_target
    from allocator.runs import solve, stage_demand, write_run
    from allocator.scenarios import load_scenario

    start = time.perf_counter()
    with reported():
        check_target(out, force)
        scenario = load_scenario(scenario_file)
        with console.status("starting") as status:

            def step(text: str) -> None:
                status.update(text)
                console.log(text, highlight=False)

            prepared = stage_demand(scenario, Path.cwd(), step)
            step(
                f"optimizing {prepared.demand.n_neighborhoods:,} neighborhoods × "
                f"{prepared.demand.n_services} services ({scenario.solver.method.value} path)"
            )
            plan = solve(prepared, scenario, step)
            step(f"writing {out}")
            summary = write_run(
                prepared, scenario, plan, out, force=force, command=sys.argv,
                export_model=export_model,
            )  # fmt: skip
    console.print(_summary_table(summary, time.perf_counter() - start))
    slack = summary.get("slack", [])
    for item in slack[:10]:
        console.print(
            f"[yellow]not met:[/] {item['constraint']} {item['key']}: short by "
            f"{item['shortfall']:,.4g} {item['unit']}",
            highlight=False,
        )
    if len(slack) > 10:
        console.print(f"[yellow]… and {len(slack) - 10} more in summary.json (slack)[/]")
    if strict and summary.get("status") != "ok":
        console.print(f"[red]--strict: status {summary.get('status')}[/]", highlight=False)
        raise typer.Exit(code=EXIT_FAILED)


def _number(value: Any, money: bool) -> str:
    if not isinstance(value, int | float):
        return str(value)
    return f"{value / 1e9:,.1f} bn" if money else f"{value:,.4g}"


def _cell(value: Any, money: bool = False) -> str:
    """``a → b (+delta)`` for a compared figure, the value itself otherwise."""
    if isinstance(value, dict) and {"a", "b", "delta"} <= value.keys():
        delta = value["delta"]
        sign = "+" if isinstance(delta, int | float) and delta >= 0 else ""
        a, b, d = (_number(value[k], money) for k in ("a", "b", "delta"))
        return f"{a} → {b} ({sign}{d})"
    return _number(value, money)


@app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="The first run directory.")],
    run_b: Annotated[Path, typer.Argument(help="The second run directory.")],
) -> None:
    """What changed from RUN_A to RUN_B: need met per tier, province and agency; workers
    and budget moved."""
    from allocator.optimize import compare_runs

    with reported():
        diff = compare_runs(run_a, run_b)
    console.print(
        f"[bold]{run_a} → {run_b}[/] · status {diff['status']['a']} → {diff['status']['b']} · "
        f"objective {_cell(diff['objective'])}",
        highlight=False,
    )
    for section, rows in diff.items():
        if section in ("run_a", "run_b", "status", "objective") or not isinstance(rows, dict):
            continue
        table = Table(title=section.replace("_", " "))
        table.add_column("")
        first = next(iter(rows.values()), None)
        nested = isinstance(first, dict) and not {"a", "b", "delta"} <= first.keys()
        columns = list(first) if nested and isinstance(first, dict) else ["a → b (change)"]
        for column in columns:
            table.add_column(column, justify="right")
        for key, value in rows.items():
            money = (section == "budget" and not str(key).startswith("neighborhoods")) or (
                key == "budget"
            )
            if nested:
                cells = [_cell(value.get(c), money or c == "budget") for c in columns]
            else:
                cells = [_cell(value, money)]
            table.add_row(str(key), *cells)
        console.print(table)
