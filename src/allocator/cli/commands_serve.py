"""``allocator serve``, ``tokens create``, ``audit verify`` and ``db init``: the agency service.

The web extra (FastAPI, uvicorn, SQLAlchemy) is imported only when one of these runs.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import EXIT_FAILED, console, fail, reported
from allocator.cli.root import app

tokens_app = typer.Typer(help="Bearer tokens of the service.", no_args_is_help=True)
audit_app = typer.Typer(help="The decision audit log.", no_args_is_help=True)
db_app = typer.Typer(help="The service's database.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $ALLOCATOR_DB or ./allocator.sqlite).",
    ),
]


def _db(url: str | None) -> str:
    from allocator.service.settings import DEFAULT_DB, Settings

    return Settings(db_url=url or os.environ.get("ALLOCATOR_DB") or DEFAULT_DB).database_url()


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Ruleset directory (default: national).")
    ] = None,
    rate: Annotated[float, typer.Option(help="Requests per second per token.")] = 20.0,
    burst: Annotated[int, typer.Option(help="Burst size per token.")] = 40,
    max_body: Annotated[int, typer.Option(help="Largest request body, bytes.")] = 64 * 1024,
) -> None:
    """Serve the eligibility API and the caseworkers' page."""
    import uvicorn

    from allocator.service import Settings, create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings(
        db_url=_db(db),
        rules_dir=rules,
        rate_per_second=rate,
        burst=burst,
        max_body_bytes=max_body,
    )
    with reported():
        application = create_app(settings)
    # uvicorn's access log prints paths, which can hold household ids: ours logs routes only.
    uvicorn.run(application, host=host, port=port, access_log=False, log_level="info")


@tokens_app.command("create")
def tokens_create(
    agency: Annotated[
        str | None, typer.Option(help="The agency the token acts for (a custodian).")
    ] = None,
    planner: Annotated[bool, typer.Option("--planner", help="A planner token.")] = False,
    db: DbOption = None,
    name: Annotated[str, typer.Option(help="Who or what holds the token.")] = "",
) -> None:
    """Create a token and print it (it is stored hashed and shown only this once)."""
    from allocator.service.store import Store
    from allocator.service.tokens import create_token

    if planner == (agency is not None):
        fail("give exactly one of --agency AGENCY or --planner")
    with reported():
        store = Store(_db(db))
        store.create_tables()
        try:
            secret = create_token(
                store, role="planner" if planner else "agency", agency=agency, name=name
            )
        finally:
            store.dispose()
    print(secret)


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """Walk the hash chain of decisions; report the first broken link (exit 1)."""
    from sqlalchemy.exc import SQLAlchemyError

    from allocator.service.store import Store

    url = _db(db)
    path = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not Path(path).is_file():
        fail(f"no audit database at {path}")
    store = Store(url)
    try:
        report = store.verify()
    except SQLAlchemyError as exc:
        fail(f"cannot read the audit log: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        store.dispose()
    if report.ok:
        console.print(report.describe())
        return
    console.print(f"[bold red]{report.describe()}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_FAILED)


@db_app.command("init")
def db_init(
    db: DbOption = None,
    service_role: Annotated[
        str | None,
        typer.Option(help="PostgreSQL role of the service: gets INSERT/SELECT on decisions."),
    ] = None,
) -> None:
    """Create the tables and append-only triggers; on PostgreSQL, grant the service role."""
    from allocator.service.pg import init_database

    with reported():
        init_database(_db(db), service_role).dispose()
    console.print("database ready" + (f"; role {service_role} granted" if service_role else ""))
