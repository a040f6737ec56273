"""A route whose ordinary requests skip FastAPI's dependency solving.

FastAPI resolves a route's dependency graph for every request: the router's
``no_unknown_query``, the bearer scheme, the agency check, the ``date`` query parameter
and its validation. For ``POST /v1/eligibility`` that was 7% of the workers' CPU time
(py-spy, ``docs/notes/h16wal.md``), for what is, in almost every request, one header
and at most one short query value.

:class:`AgencyDateRoute` serves a route declared as ``endpoint(request, caller, day)``
(``caller`` the :func:`~allocator.service.auth.agency` dependency, ``day`` the optional
``date`` query string of at most :data:`DATE_MAX` characters): when the query string
holds nothing but ``date`` values that fit, it calls the same dependencies itself, in
FastAPI's order, and then the endpoint; anything else (an unknown or over-long query
parameter) goes to FastAPI's own handler, so that every refusal is FastAPI's. The route's
OpenAPI document is FastAPI's, from the same declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.routing import APIRoute

from allocator.service.auth import agency, bearer

#: The longest ``date`` value taken without FastAPI's validation (the route declares the
#: same ``max_length``; a test checks they agree).
DATE_MAX = 32
#: The endpoint's parameters, in order (a test checks the declaration).
PARAMETERS = ("request", "caller", "day")


def _plain_date(query: bytes) -> tuple[bool, str | None]:
    """Whether ``query`` holds only ``date`` values FastAPI would accept as they are, and
    the value FastAPI would use (the last one).

    Examples:
        >>> _plain_date(b""), _plain_date(b"date=2025-06-01")
        ((True, None), (True, '2025-06-01'))
        >>> _plain_date(b"dat=2025-06-01")[0], _plain_date(b"date=" + b"1" * 33)[0]
        (False, False)
    """
    if not query:
        return True, None
    day = None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name != "date" or len(value) > DATE_MAX:
            return False, None
        day = value
    return True, day


class AgencyDateRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` for ``endpoint(request, caller, day)``.

    FastAPI asks for a handler once per application that includes the route.
    """

    #: Requests served without FastAPI's dependency solving, and whether they may be
    #: (tests compare both ways).
    fast_requests = 0
    fast = True

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        standard = super().get_route_handler()
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            plain, day = _plain_date(request.scope.get("query_string", b""))
            if not plain or not self.fast:
                return await standard(request)
            self.fast_requests += 1
            caller = await agency(request, await bearer(request))
            response: Response = await endpoint(request, caller, day)
            return response

        return handler
