"""Errors as JSON: every refusal says what is wrong and, when it can, which field.

The body is ``{"error": message, "field": path, "code": reason}``; ``field`` is the
:class:`~allocator.errors.InputError` field (``members[0].age``), returned unchanged.
Nothing about the household goes into the log: only the status and the reason code.
A database that cannot be reached (down, restarting, out of connections) gives 503 with
``Retry-After``, not 500: the request may be sent again once it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from allocator.errors import InputError, ParameterNotCoveredError
from allocator.service.store import ChainBroken

log = logging.getLogger("allocator.service")


def problem(
    status: int,
    message: str,
    field: str = "",
    code: str = "",
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response."""
    body = {"error": message, "field": field, "code": code or f"http-{status}"}
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


async def _input_error(_request: Request, exc: Exception) -> JSONResponse:
    field = str(getattr(exc, "field", ""))
    log.info("request refused status=422 code=invalid-input field=%s", field)
    return problem(422, str(exc), field, "invalid-input")


async def _not_covered(_request: Request, exc: Exception) -> JSONResponse:
    log.info("request refused status=422 code=date-not-covered")
    return problem(422, str(exc), "date", "date-not-covered")


def _loc_path(loc: tuple[int | str, ...]) -> str:
    parts = [p for p in loc if p not in ("path", "query", "body", "header")]
    return ".".join(str(p) for p in parts)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _loc_path(tuple(first.get("loc", ())))
    log.info("request refused status=422 code=invalid-request field=%s", field)
    return problem(422, f"{field}: {first.get('msg', 'invalid')}", field, "invalid-request")


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, HTTPException):
        raise exc
    return problem(exc.status_code, str(exc.detail), headers=exc.headers)


#: Seconds a client is asked to wait when the database is unavailable.
RETRY_AFTER = 2


def database_unavailable(exc: Exception) -> bool:
    """Whether ``exc`` means the database cannot be reached now (so a retry may succeed)."""
    if isinstance(exc, OperationalError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def _database(_request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        raise exc
    log.warning("request refused status=503 code=database-unavailable (%s)", type(exc).__name__)
    return problem(
        503,
        "the database is unavailable; try again later",
        code="database-unavailable",
        headers={"Retry-After": str(RETRY_AFTER)},
    )


async def _chain_broken(_request: Request, exc: Exception) -> JSONResponse:
    log.error("request refused status=503 code=chain-broken (%s)", exc)
    return problem(503, f"the audit chain is broken: {exc}", code="chain-broken")


def install(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(ParameterNotCoveredError, _not_covered)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeoutError, _database)
    app.add_exception_handler(ChainBroken, _chain_broken)
