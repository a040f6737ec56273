"""Rate limits (token buckets), the request-body size and time limits, security headers,
the access log.

Examples:
    >>> clock = iter([0.0, 0.0, 0.0, 0.5]).__next__
    >>> limiter = RateLimiter(rate=2.0, burst=2, clock=clock)
    >>> [limiter.acquire("t") for _ in range(3)]
    [0.0, 0.0, 0.5]
    >>> limiter.acquire("t")  # half a second later one token is back
    0.0
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("allocator.service.access")


class RateLimiter:
    """One token bucket per key: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> float:
        """Seconds until ``key`` has a token again (0.0 if it has one now); takes nothing."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                return 0.0
            return (1.0 - tokens) / self.rate if self.rate > 0 else 3600.0

    def acquire(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if granted, else the seconds until one is free."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 3600.0


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


#: Headers on every response. The page loads its script and style sheet from this origin
#: only (no inline script or style), cannot be framed, and sends no referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _json_response(status: int, body: dict[str, Any]) -> tuple[Message, Message]:
    data = json.dumps(body).encode("utf-8")
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": data}


class EnvelopeMiddleware:
    """Adds the ruleset headers to every response and refuses bodies over ``max_body``.

    It also logs each response (method, route template, status: never the path, which can
    hold a household id) and turns an unexpected exception into a JSON 500 without logging
    its message.

    A request whose ``Content-Length`` is too large is refused at once; a streamed body is
    read up to the limit (never further) and handed on only if it fits.
    """

    def __init__(
        self, app: ASGIApp, headers: dict[str, str], max_body: int, body_timeout: float = 10.0
    ) -> None:
        self.app = app
        every = headers | SECURITY_HEADERS
        self.headers = [(k.lower().encode(), v.encode()) for k, v in every.items()]
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *self.headers]}
                # The route template, never the path: paths can hold a household id. A
                # new resource's location (a decision's id) is told with it: one line.
                route = getattr(scope.get("route"), "path", "-")
                made = next((v for k, v in message["headers"] if k == b"location"), None)
                access.info(
                    "%s %s %s%s",
                    scope.get("method"),
                    route,
                    message["status"],
                    "" if made is None else f" location={made.decode('latin-1')}",
                )
            await send(message)

        try:
            receive = await self._bounded(scope, receive)
        except _TooLarge:
            start, body = _json_response(
                413,
                {
                    "error": f"request body larger than {self.max_body} bytes",
                    "field": "body",
                    "code": "too-large",
                },
            )
            await send_with_headers(start)
            await send_with_headers(body)
            return
        except _TooSlow:
            start, body = _json_response(
                408,
                {
                    "error": f"request body not received within {self.body_timeout:g} s",
                    "field": "body",
                    "code": "body-timeout",
                },
            )
            start["headers"].append((b"connection", b"close"))
            await send_with_headers(start)
            await send_with_headers(body)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            # Only the exception's type is logged: its message or traceback could quote data.
            route = getattr(scope.get("route"), "path", "-")
            access.error(
                "internal error on %s %s: %s", scope.get("method"), route, type(exc).__name__
            )
            if not started:
                start, body = _json_response(
                    500, {"error": "internal error", "field": "", "code": "internal"}
                )
                await send_with_headers(start)
                await send_with_headers(body)

    async def _bounded(self, scope: Scope, receive: Receive) -> Receive:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_body:
                    raise _TooLarge
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return receive
        chunks: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.body_timeout
        try:
            # The whole body must arrive within body_timeout: a stalled client is dropped.
            # (One timer for the whole body: ``asyncio.wait_for`` made a task per message.)
            async with asyncio.timeout_at(deadline):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        return _replay([message], receive)
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body:
                        raise _TooLarge
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise _TooSlow from None
        body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return _replay([body], receive)


def _replay(messages: list[Message], then: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` first, then whatever ``then`` gives."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return replayed
