"""Worker processes that each listen on their own socket (``allocator serve --workers N``).

With one socket shared by every worker (uvicorn's ``--workers``), whichever worker wakes
first accepts every pending connection: in ``benchmarks/service.py`` one of two workers
took all eight keep-alive connections and 99.8% of the CPU, so the service ran on one
core. Here each worker has its own socket with ``SO_REUSEPORT`` and the kernel spreads
new connections over them (by a hash of the client's address and port).

The parent process binds and opens every worker's socket before it starts any worker
(an address in use is reported then), and hands each worker its own: connections that
arrive while the workers start wait in the backlog of the socket the kernel chose, so
they are spread from the first. (When each worker opened its socket as it started, the
first worker up received every connection made before the others listened, and
keep-alive clients stayed there.) It then watches the workers: a signal (SIGTERM,
SIGINT) stops them gracefully, and a worker that dies stops the others (exit 1).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from typing import Any

#: The application every worker serves (settings from the environment).
FACTORY = "allocator.service.app:app_from_environment"
#: Seconds a worker has to finish its requests when stopped, before it is killed.
STOP_SECONDS = 30.0
#: Connections a worker's socket queues before its worker accepts them (uvicorn's default).
BACKLOG = 2048
#: The service's log lines (the process id tells the workers apart).
LOG_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s"


def configure_logging() -> None:
    """The service's own logs (access lines, decisions recorded, refusals) at INFO on
    stderr, in the serving process. A worker process is spawned, not forked: it must
    configure them itself, or they are lost (uvicorn configures only its own loggers)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` with ``SO_REUSEPORT``, listening (raises
    ``OSError``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(sock: socket.socket, options: dict[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config(FACTORY, factory=True, backlog=BACKLOG, **options)
    uvicorn.Server(config).run(sockets=[sock])


def supported() -> bool:
    """Whether the kernel spreads connections over ``SO_REUSEPORT`` sockets (Linux; the
    BSDs and macOS give them all to one socket, so uvicorn's shared socket is used there)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run_workers(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve with ``workers`` processes; returns the exit code (0 when stopped by a signal)."""
    sockets: list[socket.socket] = []
    try:  # every socket listening before any worker starts; an address in use fails here
        for _ in range(workers):
            sockets.append(reuse_port_socket(host, port))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(sock, options), name=f"worker-{i}")
        for i, sock in enumerate(sockets)
    ]
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for process in processes:
            process.start()  # the worker gets a duplicate of its socket
        for sock in sockets:
            sock.close()  # the parent's copies: the workers accept on theirs
        while not stop.is_set() and all(p.is_alive() for p in processes):
            stop.wait(0.5)
    finally:
        for sock in sockets:
            sock.close()
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its requests and stops
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0 if stop.is_set() else 1
