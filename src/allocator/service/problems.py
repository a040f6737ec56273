"""Errors as JSON: every refusal says what is wrong and, when it can, which field.

The body is ``{"error": message, "field": path, "code": reason}``; ``field`` is the
:class:`~allocator.errors.InputError` field (``members[0].age``), returned unchanged, and
``code`` the error's :class:`~allocator.errors.Reason`, whose status :data:`STATUS` gives. An
invalid household's body also lists every problem at once:
``"errors": [{"field": ..., "message": ...}, ...]``.
Nothing about the household goes into the log: only the status and the reason code.
A database that cannot be reached (down, restarting, out of connections) gives 503 with
``Retry-After``, not 500: the request may be sent again once it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from allocator.errors import AllocatorError, InputError, Reason
from allocator.service.appender import ChainBroken

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


#: The HTTP status of each reason an error gives (see :mod:`allocator.errors`): the
#: request's fault is 422; a fault of the service's own rules or files is 500.
STATUS: Mapping[Reason, int] = MappingProxyType(
    {
        Reason.RULESET: 500,
        Reason.PARAMETER_NOT_COVERED: 422,
        Reason.INPUT: 422,
        Reason.DATA: 422,
        Reason.CORRUPT_PART: 500,
        Reason.SCENARIO: 422,
        Reason.EXPRESSION_SYNTAX: 500,
        Reason.EXPRESSION_TYPE: 500,
        Reason.OUTPUT_EXISTS: 409,
        Reason.KERNEL_BUILD: 500,
        Reason.RULES_ENGINE: 500,
    }
)


async def _allocator_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, AllocatorError):
        raise exc
    status = STATUS.get(exc.reason, 500)
    if exc.reason is Reason.PARAMETER_NOT_COVERED:
        log.info("request refused status=%d code=%s", status, exc.reason)
        return problem(status, str(exc), "date", exc.reason)
    field = str(getattr(exc, "field", ""))
    log.info("request refused status=%d code=%s field=%s", status, exc.reason, field)
    if isinstance(exc, InputError):
        body = {
            "error": str(exc),
            "field": field,
            "code": str(exc.reason),
            "errors": [{"field": f, "message": m} for f, m in exc.errors],  # all at once
        }
        return JSONResponse(body, status_code=status)
    return problem(status, str(exc), field, exc.reason)


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
    app.add_exception_handler(AllocatorError, _allocator_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(PoolTimeoutError, _database)
    app.add_exception_handler(ChainBroken, _chain_broken)
