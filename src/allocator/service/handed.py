"""A uvicorn server that serves the connections its parent hands it, not a socket of its own.

``allocator serve --workers N`` (:mod:`allocator.service.listeners`): the parent accepts
and sends each connection's descriptor to a worker over a Unix socket (``SCM_RIGHTS``).
Here a worker receives them on its event loop and attaches uvicorn's HTTP protocol to each,
exactly as uvicorn's own server does for a connection it accepted
(``loop.connect_accepted_socket`` with the protocol built from the same configuration and
server state): the lifespan, the connections' limits and keep-alive, the graceful shutdown
(SIGTERM: no new connections, the requests under way answered) are uvicorn's.
"""

from __future__ import annotations

import asyncio
import functools
import socket
from typing import Any

import uvicorn

#: Descriptors read from the channel at most per message (the parent sends one).
MAX_FDS = 16


class HandedServer(uvicorn.Server):
    """Serves the application ``factory`` on the connections received on ``channel``."""

    def __init__(self, factory: str, channel: socket.socket, options: dict[str, Any]) -> None:
        options = {k: v for k, v in options.items() if k not in ("host", "port")}
        super().__init__(uvicorn.Config(factory, factory=True, **options))
        self.channel = channel

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        super().run(sockets=[])  # no socket of its own: every listener stays the parent's

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if not self.started:
            return
        config = self.config
        make: Any = config.http_protocol_class  # uvicorn's, as its own server builds it
        protocol = functools.partial(
            make,
            config=config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop, protocol)

    def _receive(self, loop: asyncio.AbstractEventLoop, protocol: Any) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self.channel, 1, MAX_FDS)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds = b"", []
        if not data and not fds:  # the parent closed its end: it is stopping
            loop.remove_reader(self.channel.fileno())
            return
        for fd in fds:
            conn = socket.socket(fileno=fd)
            if self.should_exit:
                conn.close()
                continue
            conn.setblocking(False)
            if conn.family in (socket.AF_INET, socket.AF_INET6):  # as uvicorn's own accept
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            loop.create_task(loop.connect_accepted_socket(protocol, conn))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.channel.fileno())
        await super().shutdown(sockets)
