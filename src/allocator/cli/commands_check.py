"""``allocator check`` and ``allocator schema``: one household's explained decisions."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter

from allocator.backends.registry import explaining_backend
from allocator.cli.common import console, fail, json_text, parse_date, reported, ruleset_from
from allocator.cli.root import app
from allocator.decisions.model import Decision
from allocator.decisions.render import decision_table
from allocator.domain.household import Household, parse_household


class Calendar(StrEnum):
    JALALI = "jalali"
    GREGORIAN = "gregorian"


class Lang(StrEnum):
    EN = "en"
    FA = "fa"


RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Ruleset directory (default: the national one).")
]


@app.command("check")
def check(
    household_file: Annotated[Path, typer.Argument(help="A household as JSON (see examples/).")],
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Decision date: 1402-01-01 is Jalali (year below 1700), 2023-03-21 "
            "Gregorian; two-digit years and day-first dates are refused (default: today).",
        ),
    ] = None,
    calendar: Annotated[
        Calendar | None,
        typer.Option("--calendar", help="Read --date in this calendar, whatever its year."),
    ] = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of the why-not: en or fa (Persian).")
    ] = Lang.EN,
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="Explaining engine, as `serve`: python (the rule model in Python) or durable "
            "(durable-rules; the same decisions, slower)."
        ),
    ] = "python",
) -> None:
    """Decide and explain every service for one household."""
    from allocator.reference import default_registry

    when = parse_date(day, calendar.value if calendar else None)
    text = json_text(household_file, "a household as JSON (see examples/)")
    with reported():
        ruleset = ruleset_from(rules)
        household = parse_household(text)
        neighborhood = default_registry().get(household.neighborhood_id)
        decision = explaining_backend(engine, ruleset).decide(household, neighborhood, when)
    if as_json:
        console.print_json(json.dumps(decision.to_dict(), ensure_ascii=False))
    else:
        console.print(decision_table(decision, lang.value))


@app.command("schema")
def schema(
    what: Annotated[str, typer.Argument(help="household or decision")] = "household",
) -> None:
    """Print the JSON Schema of a household (input) or a decision (output)."""
    if what == "household":
        document = Household.model_json_schema()
    elif what == "decision":
        document = TypeAdapter(Decision).json_schema()
    else:
        fail(f"unknown schema '{what}' (choose household or decision)")
    console.print_json(json.dumps(document, ensure_ascii=False))
