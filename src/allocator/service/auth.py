"""Bearer-token authentication, per-token rate limits and the role checks of the routes.

- no or unknown token: 401;
- token over its rate: 429 with ``Retry-After``;
- a planner on an individual decision, or an agency on a household outside its custody:
  403.

The dependencies are ``async`` and do no blocking work on the event loop: FastAPI runs a
plain ``def`` dependency in the thread pool, a hop per dependency and request.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from allocator.service.state import ServiceState
from allocator.service.tokens import Principal

bearer = HTTPBearer(auto_error=False, description="A token from `allocator tokens create`.")


async def service_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`."""
    state: ServiceState = request.app.state.service
    return state


State = Annotated[ServiceState, Depends(service_state)]


def _too_many(wait: float, what: str) -> HTTPException:
    return HTTPException(429, what, headers={"Retry-After": str(max(1, math.ceil(wait)))})


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def _authenticated(
    request: Request, state: ServiceState, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller, after its token has been checked and rate-limited.

    Unknown tokens are counted per client address: past the allowance, that address gets
    429 (even with a good token) until its bucket refills, so tokens cannot be guessed.
    """
    address = request.client.host if request.client else "-"
    wait = state.auth_failures.blocked(address)
    if wait > 0:
        raise _too_many(wait, "too many failed authentications from this address")
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    # A token seen in the last seconds is answered on the event loop; a database look-up
    # goes to the thread pool (a slow database must not stall the loop).
    found = state.cached_principal(credentials.credentials) or await run_in_threadpool(
        state.principal, credentials.credentials
    )
    if found is None:
        state.auth_failures.acquire(address)
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    wait = state.limiter.acquire(found.key)
    if wait > 0:
        raise _too_many(wait, "rate limit exceeded")
    return found


# Each dependency below reads the token itself rather than through another dependency:
# FastAPI resolves every node of the graph per request (about 10% of an explained
# decision's CPU with the nested graph), docs/notes/h16writer.md.


async def principal(request: Request, credentials: Credentials) -> Principal:
    """The caller (an agency or a planner), authenticated and rate-limited."""
    return await _authenticated(request, request.app.state.service, credentials)


Caller = Annotated[Principal, Depends(principal)]


async def agency(request: Request, credentials: Credentials) -> Principal:
    """The caller, who must act for an agency (planners read aggregates only)."""
    caller = await _authenticated(request, request.app.state.service, credentials)
    if caller.role != "agency" or caller.agency is None:
        raise HTTPException(403, "planner tokens read aggregates only (GET /v1/stats)")
    return caller


AgencyCaller = Annotated[Principal, Depends(agency)]


def check_custody(caller: Principal, custodian: str) -> None:
    """403 unless ``caller`` is the agency with custody of the neighborhood."""
    if caller.agency != custodian:
        raise HTTPException(
            403, "this household's neighborhood is in the custody of another agency"
        )
