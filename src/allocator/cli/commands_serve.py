"""``allocator serve``, ``tokens create|revoke`` and ``db init``: the agency service.

The ``audit`` commands are in :mod:`allocator.cli.commands_audit`.

The web extra (FastAPI, uvicorn, SQLAlchemy) is imported only when one of these runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from allocator.cli.commands_audit import (
    CheckpointsOption,
    DbOption,
    KeyOption,
    db_url,
)
from allocator.cli.common import console, fail, reported
from allocator.cli.root import app

if TYPE_CHECKING:
    from allocator.service.audit import Checkpointer
    from allocator.service.settings import Settings

tokens_app = typer.Typer(help="Bearer tokens of the service.", no_args_is_help=True)
db_app = typer.Typer(help="The service's database.", no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")
app.add_typer(db_app, name="db")
_db = db_url


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
    body_timeout: Annotated[
        float, typer.Option(min=0.1, max=600.0, help="Seconds to receive a request body (408).")
    ] = 10.0,
    auth_failures: Annotated[
        int, typer.Option(min=1, help="Unknown tokens per minute per client address (429).")
    ] = 10,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (one writer thread each).")
    ] = 1,
    key: KeyOption = None,
    checkpoints: CheckpointsOption = None,
    checkpoint_interval: Annotated[
        float, typer.Option(min=1.0, max=86400.0, help="Seconds between signed checkpoints.")
    ] = 60.0,
    engine: Annotated[
        str,
        typer.Option(
            help="Explaining engine: python (the rule model in Python) or durable "
            "(durable-rules; the same decisions, slower)."
        ),
    ] = "python",
) -> None:
    """Serve the eligibility API and the caseworkers' page.

    With --key and --checkpoints, a signed checkpoint of the audit chain is written every
    --checkpoint-interval seconds (and GET /v1/decisions/{id}/proof answers).
    """
    import uvicorn

    from allocator.service import Settings, create_app, listeners
    from allocator.service.app import settings_to_environment
    from allocator.service.checkpoints import CHECKPOINT_DIR_ENV, KEY_ENV
    from allocator.service.heap import settle_for_serving

    listeners.configure_logging()
    settings = Settings(
        db_url=_db(db),
        rules_dir=rules,
        rate_per_second=rate,
        burst=burst,
        max_body_bytes=max_body,
        body_timeout=body_timeout,
        auth_failures_per_minute=auth_failures,
        checkpoint_dir=checkpoints or _env_path(CHECKPOINT_DIR_ENV),
        engine=engine,
    )
    key = key or _env_path(KEY_ENV)
    if (key is None) != (settings.checkpoint_dir is None):
        fail("give both --key and --checkpoints (signed checkpoints), or neither")
    with reported():
        application = create_app(settings)  # also checks the rules and the database
        checkpointer = _checkpointer(settings, key, checkpoint_interval)
    common = uvicorn_options(host, port)
    try:
        if workers == 1:
            settle_for_serving()  # the app is loaded: what exists now lives as long
            uvicorn.run(application, **common)
        elif listeners.supported():
            # the parent accepts and hands the connections to the workers in turn
            settings_to_environment(settings)
            try:
                code = listeners.run_workers(workers, host, port, common)
            except OSError as error:
                fail(f"{host}:{port}: {error.strerror or error}")
            if code:
                fail("a worker process stopped; the service was stopped")
        else:
            settings_to_environment(settings)
            uvicorn.run(
                listeners.FACTORY,
                factory=True,
                workers=workers,
                **common,
            )
    finally:
        if checkpointer is not None:
            checkpointer.stop()


def uvicorn_options(host: str, port: int) -> dict[str, Any]:
    """What ``serve`` gives uvicorn, in one process and in every worker."""
    from allocator.service.coalesce import CoalescingProtocol

    return {
        "host": host,
        "port": port,
        # uvicorn's access log prints paths, which can hold household ids: ours logs routes
        "access_log": False,
        "log_level": "info",
        # A client that declares a body and stalls is dropped after this many seconds idle.
        "timeout_keep_alive": 5,
        # httptools, sending each answer's head and body in one write (service/coalesce.py)
        "http": CoalescingProtocol,
    }


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _checkpointer(settings: Settings, key: Path | None, interval: float) -> Checkpointer | None:
    from allocator.service.audit import Checkpointer
    from allocator.service.checkpoints import load_private_key

    if key is None or settings.checkpoint_dir is None:
        return None
    checkpointer = Checkpointer(
        settings.database_url(), load_private_key(key), settings.checkpoint_dir, interval
    )
    checkpointer.start()
    return checkpointer


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


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str | None, typer.Option(help="The token to revoke (or give --name).")] = None,
    name: Annotated[str | None, typer.Option(help="Revoke every token with this name.")] = None,
    db: DbOption = None,
) -> None:
    """Revoke tokens: refused by every server process within 10 s (its token cache)."""
    from allocator.service.store import Store
    from allocator.service.tokens import revoke_tokens

    if (token is None) == (name is None):
        fail("give exactly one of --token TOKEN or --name NAME")
    with reported():
        store = Store(_db(db))
        try:
            count = revoke_tokens(store, secret=token, name=name)
        finally:
            store.dispose()
    if count == 0:
        fail("no such token")
    console.print(f"{count} token(s) revoked")
