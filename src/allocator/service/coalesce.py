"""One send for a response's head and body: a transport that holds the head for its body.

``allocator serve`` gives uvicorn :class:`CoalescingProtocol` as its HTTP protocol, in one
process and in the workers of ``--workers N`` (:mod:`.handed`) alike.

uvicorn writes a response's status line and headers, then its body, as two writes to the
transport; uvloop sends each at once, so every answer left as two TCP segments, two
``write`` calls and (on loopback) two wake-ups of the client. :class:`Coalescing` holds a
write that ends a response head (``\\r\\n\\r\\n``, a few hundred bytes) until the next
write in the same turn of the event loop (the body: Starlette sends both without waiting
between them) and sends the two as one; anything else, or a head with no body written in
that turn, goes out as before (at the end of the turn at the latest).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: A write this long or shorter that ends in a blank line is taken for a response head.
HEAD_MAX = 4096


class Coalescing:
    """A proxy of ``transport`` (see the module doc); everything but writes goes through."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif type(data) is bytes and len(data) <= HEAD_MAX and data.endswith(b"\r\n\r\n"):
            self._held = data
            self._loop.call_soon(self._flush)
        else:
            self._transport.write(data)

    def _flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through :class:`Coalescing` (uvicorn's
    ``http`` option takes the class)."""

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(Coalescing(transport, self.loop))  # type: ignore[arg-type]
