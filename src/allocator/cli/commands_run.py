"""``allocator run``: a planner's scenario, end to end (``compare`` is in commands_compare)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from allocator.cli.common import EXIT_FAILED, console, reported
from allocator.cli.progress import Activity, Stages
from allocator.cli.root import app
from allocator.formatting import duration, figure, gap, integer, percent, unit_for

if TYPE_CHECKING:
    from allocator.scenarios import Scenario


def _total(figures: dict[str, Any]) -> float:
    """A resource's total: its ``total``, else the sum of its per-agency figures."""
    if figures.get("total") is not None:
        return float(figures["total"])
    return float(sum((figures.get("by_agency") or {}).values()))


def _print_summary(summary: dict[str, Any], seconds: float | None) -> None:
    table = Table(title=f"Scenario {summary['scenario']} · {summary['status']}")
    table.add_column("tier", justify="center")
    table.add_column("demand", justify="right")
    table.add_column("served", justify="right")
    table.add_column("share", justify="right")
    table.add_column("discretionary share", justify="right")
    for tier in summary["need_met"]:
        free = tier.get("discretionary_share")
        table.add_row(
            str(tier["tier"]),
            integer(tier["demand"]),
            integer(tier["served"]),
            percent(tier["share"] or 0),
            percent(free) if free is not None else "—",
        )
    workers, budget = summary["workers"], summary["budget"]
    w_avail = _total(workers["available"])
    b_avail = _total(budget["available"])
    took = f" · took {duration(seconds)}" if seconds is not None else ""
    money = unit_for(summary, "budget", "toman")
    points = summary.get("outcome_points")
    console.print(table)
    if points is not None:
        console.print(
            f"outcome points {integer(points)} (tier weight × outcome value × discretionary "
            "units served)",
            highlight=False,
            soft_wrap=True,
        )
    fair = summary.get("price_of_fairness") or {}
    if fair.get("price") is not None:
        console.print(
            f"price of fairness {100 * fair['price']:.1f}%: the plan gives up that share of the "
            f"{integer(fair['alpha0_outcome_points'])} outcome points of the alpha = 0 plan",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"social workers {integer(_total(workers['used']))} of {integer(w_avail)} · budget "
        f"{figure(_total(budget['used']), money)} of {figure(b_avail, money)} · "
        f"gap to LP bound {gap(summary.get('relative_gap'))}{took}",
        highlight=False,
        soft_wrap=True,
    )
    centres = summary.get("centres")
    if centres:
        console.print(centres_line(centres), highlight=False, soft_wrap=True)


def centres_line(centres: dict[str, Any], top: int = 4) -> str:
    """One line on the centres: who placed them, and the provinces with most.

    Examples:
        >>> line = centres_line({"method": "optimize", "total": 5, "counties": 2, "moved": 1,
        ...                      "by_province": {"A": {"centres": 2, "apportioned": 3},
        ...                                      "B": {"centres": 3, "apportioned": 2}}})
        >>> line.split(" · ")
        ['centres 5 in 2 counties, placed by the optimizer (1 moved from the case-file \
apportionment)', 'B 3 (apportioned 2), A 2 (apportioned 3)']
    """
    by = sorted(centres["by_province"].items(), key=lambda kv: (-kv[1]["centres"], kv[0]))
    optimized = centres["method"] == "optimize"
    who = (
        f"placed by the optimizer ({integer(centres['moved'])} moved from the case-file "
        "apportionment)"
        if optimized
        else "apportioned on case files"
    )
    names = ", ".join(
        f"{p} {integer(c['centres'])}"
        + (f" (apportioned {integer(c['apportioned'])})" if optimized else "")
        for p, c in by[:top]
    )
    return (
        f"centres {integer(centres['total'])} in {integer(centres['counties'])} counties, "
        f"{who} · {names}"
    )


def _same_run(out: Path, scenario: Scenario) -> dict[str, Any] | None:
    """The summary of the run in ``out`` when it is this scenario's run, as it would be
    made now (same resolved scenario, ruleset hash and decision date); else ``None``."""
    import json
    from datetime import date

    from allocator.outputs.kinds import result_kind
    from allocator.outputs.verify import verify_dir
    from allocator.runs.demand_stage import _ruleset
    from allocator.scenarios import resolve

    if result_kind(out) != "run":
        return None
    try:
        summary: dict[str, Any] = json.loads((out / "summary.json").read_text("utf-8"))
        stored = json.loads((out / "resolved_scenario.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ruleset = _ruleset(scenario, Path.cwd())
    day = scenario.rules.decision_date or date.today()
    resolved = resolve(scenario, dict(ruleset.parameters.at(day)))
    if json.loads(json.dumps(resolved, default=str)) != stored:
        return None
    if (summary.get("ruleset") or {}).get("hash") != ruleset.hash:
        return None
    if summary.get("decision_date") != day.isoformat() or verify_dir(out):
        return None
    return summary


@app.command("run")
def run(
    scenario_file: Annotated[Path, typer.Argument(help="A scenario YAML (see scenarios/).")],
    out: Annotated[Path, typer.Option("--out", help="Run directory to write.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing run (or run it again).")
    ] = False,
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
    price_of_fairness: Annotated[
        bool,
        typer.Option(
            "--price-of-fairness",
            help="Also solve with alpha = 0 and report the share of outcome points the fair "
            "plan gives up (a second solve).",
        ),
    ] = False,
) -> None:
    """Data, classification, demand, optimization and the run's files, end to end.

    Run again into the same directory, the same scenario (same rules, date and data) finds
    its run there and reuses it; a different one is refused without --force.
    """
    from allocator.outputs.atomic import check_target
    from allocator.runs import fairness_price, solve, stage_demand, write_run
    from allocator.scenarios import load_scenario

    start = time.perf_counter()
    activity = Activity()
    with reported():
        scenario = load_scenario(scenario_file)
        if out.exists() and not force:
            existing = _same_run(out, scenario)
            if existing is not None:
                console.print(
                    f"{out} already holds this scenario's run (same scenario, rules, date and "
                    "data): reused as it is; pass --force to run it again",
                    highlight=False,
                    soft_wrap=True,
                )
                _print_summary(existing, None)
                return
        check_target(out, force)
        with Stages(activity) as stages:

            def step(text: str) -> None:
                stages.close()
                activity.log(text)

            prepared = stage_demand(scenario, Path.cwd(), step, stages)
            step(
                f"optimizing {integer(prepared.demand.n_neighborhoods)} neighborhoods × "
                f"{prepared.demand.n_services} services ({scenario.solver.method.value} path)"
            )
            plan = solve(prepared, scenario, step)
            fairness = fairness_price(prepared, scenario, plan, step) if price_of_fairness else None
            step(f"writing {out}")
            summary = write_run(
                prepared, scenario, plan, out, force=force, command=sys.argv,
                export_model=export_model, fairness=fairness,
            )  # fmt: skip
    _print_summary(summary, time.perf_counter() - start)
    slack = summary.get("slack", [])
    for item in slack[:10]:
        console.print(
            f"[yellow]not met:[/] {escape(item['constraint'].replace('_', ' '))} "
            f"{escape(str(item['key']))}: short by {item['shortfall']:,.4g} {item['unit']}",
            highlight=False,
        )
    if len(slack) > 10:
        console.print(f"[yellow]… and {len(slack) - 10} more in summary.json (slack)[/]")
    if strict and summary.get("status") != "ok":
        console.print(f"[red]--strict: status {summary.get('status')}[/]", highlight=False)
        raise typer.Exit(code=EXIT_FAILED)
