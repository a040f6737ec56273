"""``allocator compare RUN_A RUN_B``: what changed between two runs, in words and units.

Money is shown in billion toman, counts as integers, shares as percentages; agencies by
name (English and Persian), provinces by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from allocator.cli.common import console, reported
from allocator.cli.root import app
from allocator.domain.names import agency_name
from allocator.formatting import billions, integer, percent

#: How each row of the workers and budget sections is called.
MOVES = {
    "total": "in all",
    "moved": "moved between neighborhoods",
    "neighborhoods_gaining": "neighborhoods gaining",
    "neighborhoods_losing": "neighborhoods losing",
}


def change(value: dict[str, Any], money: bool = False) -> str:
    """``a → b (change)`` of a compared figure; money as billions of toman (the column
    names the unit).

    Examples:
        >>> change({"a": 66256.98, "b": 81256.0, "delta": 14999.02})
        '66,257 → 81,256 (+14,999)'
        >>> change({"a": 6e11, "b": 5e11, "delta": -1e11}, money=True)
        '600.0 → 500.0 (-100.0)'
    """
    a, b, d = (float(value[k] or 0) for k in ("a", "b", "delta"))
    if money:
        return f"{billions(a)} → {billions(b)} ({billions(d, signed=True)})"
    return f"{integer(a)} → {integer(b)} ({integer(d, signed=True)})"


def _need_table(need: dict[str, Any]) -> Table:
    table = Table(title="Units served and share of need met, per tier")
    for column in ("tier", "served", "share of need"):
        table.add_column(column, justify="right")
    for key, value in need.items():
        shares = f"{percent(value.get('share_a') or 0)} → {percent(value.get('share_b') or 0)}"
        table.add_row(key.removeprefix("tier"), change(value), shares)
    return table


def _groups_table(title: str, rows: dict[str, Any], name: Any) -> Table:
    table = Table(title=title)
    table.add_column("")
    for column in ("units served", "social workers", "budget (bn toman)"):
        table.add_column(column, justify="right")
    for key, value in rows.items():
        table.add_row(
            escape(name(key)),
            change(value["served"]),
            change(value["workers"]),
            change(value["budget"], money=True),
        )
    return table


def _moves_table(title: str, rows: dict[str, Any], money: bool) -> Table:
    table = Table(title=title + (" (bn toman)" if money else ""))
    table.add_column("")
    table.add_column("run A → run B (change)", justify="right")
    for key, value in rows.items():
        if isinstance(value, dict):
            cell = change(value, money)
        elif key == "moved" and money:
            cell = billions(value)
        else:
            cell = integer(value)
        table.add_row(MOVES.get(key, key.replace("_", " ")), cell)
    return table


@app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="The first run directory.")],
    run_b: Annotated[Path, typer.Argument(help="The second run directory.")],
) -> None:
    """What changed from RUN_A to RUN_B: need met per tier, province and agency; workers
    and budget moved."""
    from allocator.optimize import compare_runs
    from allocator.outputs.kinds import expect_kind

    with reported():
        for directory in (run_a, run_b):
            expect_kind(directory, ("run",), "allocator compare")
        diff = compare_runs(run_a, run_b)
    console.print(
        f"[bold]{escape(str(run_a))} → {escape(str(run_b))}[/] · status "
        f"{diff['status']['a']} → {diff['status']['b']} · objective "
        f"{change(diff['objective'])}",
        highlight=False,
    )
    if diff.get("outcome_points") is not None:
        console.print(
            f"outcome points (tier weight × outcome value × discretionary units served; "
            f"comparable whatever each run's objective) {change(diff['outcome_points'])}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(_need_table(diff["need_met"]))
    console.print(_groups_table("Provinces", diff.get("provinces") or {}, str))
    console.print(_groups_table("Agencies", diff.get("agencies") or {}, agency_name))
    console.print(_moves_table("Social workers", diff.get("workers") or {}, money=False))
    console.print(_moves_table("Budget", diff.get("budget") or {}, money=True))
