"""The FastAPI application: :func:`create_app` wires settings, routes, limits and errors."""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from allocator import __version__
from allocator.service import api, listeners, openapi, problems, web
from allocator.service.heap import settle_for_serving
from allocator.service.limits import EnvelopeMiddleware
from allocator.service.settings import Settings
from allocator.service.state import ServiceState

log = logging.getLogger("allocator.service")

DESCRIPTION = """\
Eligibility decisions with their explanation, recorded in an append-only, hash-chained
audit log. Every `/v1` request needs a bearer token (`allocator tokens create`).
Every response carries the `X-Ruleset-Version` and `X-Ruleset-Hash` of the rules in force.
"""


#: FastAPI's own OpenTelemetry spans (recent versions, when a provider is set up in the
#: process) carry the request's path and query, which can hold a household id: the service
#: never emits them, as its logs never hold one. It also saves the per-request check.
_NO_TELEMETRY = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready app: the ruleset is loaded and the database opened (tables created if missing).

    Examples:
        >>> app = create_app(Settings(db_url="sqlite://"))
        >>> sorted(app.openapi()["paths"])[:3]
        ['/healthz', '/readyz', '/v1/decisions/{decision_id}']
    """
    state = ServiceState.from_settings(settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info("serving ruleset %s %s", state.ruleset.version, state.ruleset.hash[:12])
        yield
        state.writer.close()
        state.store.dispose()

    app = FastAPI(
        title="allocator agency service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not served
        redoc_url=None,
        **_NO_TELEMETRY,  # type: ignore[arg-type]
    )
    app.state.service = state
    app.include_router(web.router)
    app.include_router(api.router)
    problems.install(app)
    openapi.install(app)
    app.add_middleware(
        EnvelopeMiddleware,
        headers=state.headers(),
        max_body=state.settings.max_body_bytes,
        body_timeout=state.settings.body_timeout,
    )
    return app


#: Environment variable through which ``allocator serve --workers N`` passes its settings.
SETTINGS_ENV = "ALLOCATOR_SERVICE_SETTINGS"


def settings_to_environment(settings: Settings) -> None:
    """Put ``settings`` (all but a custom registry) where worker processes find them."""
    os.environ[SETTINGS_ENV] = json.dumps(
        {
            "db_url": settings.db_url,
            "rules_dir": str(settings.rules_dir) if settings.rules_dir else None,
            "max_body_bytes": settings.max_body_bytes,
            "rate_per_second": settings.rate_per_second,
            "burst": settings.burst,
            "create_tables": settings.create_tables,
            "body_timeout": settings.body_timeout,
            "auth_failures_per_minute": settings.auth_failures_per_minute,
            "checkpoint_dir": str(settings.checkpoint_dir) if settings.checkpoint_dir else None,
            "engine": settings.engine,
        }
    )


def app_from_environment() -> FastAPI:
    """The app of one worker process (uvicorn factory): settings from :data:`SETTINGS_ENV`."""
    from pathlib import Path

    listeners.configure_logging()  # a spawned process: the parent's logging is not here
    data = json.loads(os.environ.get(SETTINGS_ENV, "{}"))
    rules = data.pop("rules_dir", None)
    checkpoints = data.pop("checkpoint_dir", None)
    app = create_app(
        Settings(
            rules_dir=Path(rules) if rules else None,
            checkpoint_dir=Path(checkpoints) if checkpoints else None,
            **data,
        )
    )
    settle_for_serving()  # this process serves the app and nothing else
    return app
