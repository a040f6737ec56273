"""A response's head and body leave in one write (``service/coalesce.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn

from allocator.cli.commands_serve import uvicorn_options
from allocator.service.coalesce import Coalescing, CoalescingProtocol


class _Transport:
    """Records writes; everything else a transport has, as uvicorn uses it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass


def test_head_and_body_are_one_write_and_a_lone_head_leaves_by_the_turn_s_end() -> None:
    async def scenario() -> list[bytes]:
        real = _Transport()
        proxy = Coalescing(real, asyncio.get_running_loop())
        proxy.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
        assert real.writes == []  # held for the body
        proxy.write(b"body")
        proxy.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # no body follows
        assert proxy.get_extra_info("peername") == ("127.0.0.1", 5000)  # passed through
        await asyncio.sleep(0)
        proxy.write(b"x" * 10_000)  # not a head: at once
        proxy.write(b"HTTP/1.1 200 OK\r\n\r\n")
        proxy.close()  # what is held is written before the close
        assert real.closed
        return real.writes

    assert asyncio.run(scenario()) == [
        b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody",
        b"HTTP/1.1 204 No Content\r\n\r\n",
        b"x" * 10_000,
        b"HTTP/1.1 200 OK\r\n\r\n",
    ]


def test_uvicorn_s_protocol_answers_a_request_in_one_write() -> None:
    """uvicorn's HTTP protocol as ``allocator serve`` gives it (one process or handed
    workers): one request, one write holding the status line, the headers and the body."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await receive()
        body = b'{"ok": true}' * 100
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def scenario(http: Any) -> list[bytes]:
        options = uvicorn_options("127.0.0.1", 0) | {"log_level": "warning", "http": http}
        config = uvicorn.Config(app, lifespan="off", **options)
        config.load()
        server_state = uvicorn.server.ServerState()
        make: Any = config.http_protocol_class  # as uvicorn's server (and .handed) build it
        protocol = make(config=config, server_state=server_state, app_state={})
        real = _Transport()
        protocol.connection_made(real)
        protocol.data_received(b"POST /x HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n{}")
        for _ in range(20):
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        return real.writes

    assert uvicorn_options("127.0.0.1", 0)["http"] is CoalescingProtocol  # what serve gives
    writes = asyncio.run(scenario(CoalescingProtocol))
    assert len(writes) == 1
    head, _, body = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201") and body == b'{"ok": true}' * 100
    assert len(asyncio.run(scenario("httptools"))) == 2  # uvicorn's own: head, then body
