"""``allocator rules validate|test``: check a ruleset and run its YAML test cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from allocator.api.ruleset import default_rules_dir
from allocator.backends.base import BackendName
from allocator.backends.durable import DurableBackend
from allocator.cli.common import EXIT_FAILED, console, errors, fail, reported
from allocator.cli.root import app
from allocator.errors import InputError, RuleSetError
from allocator.loading import load_ruleset
from allocator.loading.lock import LOCK_FILE, lock_problems, write_lock
from allocator.ruletests.cases import discover
from allocator.ruletests.runner import coverage_gaps, durable_decider, run_case

rules_app = typer.Typer(help="Check a ruleset and run its test cases.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

DirArgument = Annotated[
    Path | None, typer.Argument(help="Ruleset directory (default: the national one).")
]


@rules_app.command("validate")
def validate(rules: DirArgument = None) -> None:
    """Load the ruleset, report every problem, warn of parameters about to expire."""
    root = rules or default_rules_dir()
    try:
        ruleset = load_ruleset(root)
        if locked := lock_problems(root, ruleset):
            raise RuleSetError(locked)
    except RuleSetError as exc:
        for problem in exc.problems:
            errors.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        errors.print(f"[bold red]{len(exc.problems)} problem(s)[/] in {root}")
        raise typer.Exit(EXIT_FAILED) from None
    for parameter, end in ruleset.parameters.expiring(date.today()):
        console.print(
            f"[yellow]warning:[/] parameter '{parameter.name}' ({parameter.file}) has no value "
            f"after {end.isoformat()}: add the next period's value before then",
            highlight=False,
        )
    console.print(
        f"[green]✓[/] {ruleset.name} {ruleset.version}: {len(ruleset.services)} services, "
        f"{len(ruleset.variables)} derived variables, {len(ruleset.parameters.parameters)} "
        f"parameters · hash {ruleset.hash[:12]}"
    )


@rules_app.command("lock")
def lock(rules: DirArgument = None) -> None:
    """Write ruleset.lock: the version with its services' and conditions' ids.

    Run it after bumping `version` in ruleset.yaml for a change of services or
    conditions, and commit the lock with the change.
    """
    root = rules or default_rules_dir()
    with reported():
        ruleset = load_ruleset(root)
    try:
        path = write_lock(root, ruleset)
    except OSError as exc:
        fail(f"{root / LOCK_FILE}: cannot write ({exc.strerror})")
    console.print(f"[green]✓[/] {path}: {ruleset.name} {ruleset.version} locked")


@rules_app.command("test")
def test(
    rules: DirArgument = None,
    cases_dir: Annotated[
        Path | None, typer.Option("--cases", help="Test cases (default: rules/tests).")
    ] = None,
) -> None:
    """Run the YAML rule tests; report failures by file and case, and untested rules."""
    root = rules or default_rules_dir()
    cases_root = cases_dir or root.parent / "tests"
    with reported():
        ruleset = load_ruleset(root)
        try:
            cases = discover(cases_root)
        except InputError as exc:
            fail(str(exc))
    decider = durable_decider(DurableBackend(ruleset))
    results = [run_case(case, decider, BackendName.DURABLE) for case in cases]
    failed = [r for r in results if not r.passed]
    if failed:
        table = Table(title="Failed rule tests", show_lines=True)
        table.add_column("File")
        table.add_column("Case")
        table.add_column("What differs")
        for r in failed:
            table.add_row(r.case.file, r.case.name, "\n".join(r.failures))
        console.print(table)
    gaps = coverage_gaps(ruleset, cases)
    for gap in gaps:
        console.print(f"[yellow]not covered:[/] {gap}", highlight=False)
    console.print(
        f"{len(results) - len(failed)} passed, {len(failed)} failed "
        f"({len(cases)} cases in {cases_root})"
    )
    if failed or not cases:
        raise typer.Exit(EXIT_FAILED)
