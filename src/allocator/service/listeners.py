"""Worker processes fed connections by the parent, in turn (``allocator serve --workers N``).

With one socket shared by every worker (uvicorn's ``--workers``), whichever worker wakes
first accepts every pending connection: in ``benchmarks/service.py`` one of two workers
took all eight keep-alive connections and 99.8% of the CPU, so the service ran on one
core. A socket per worker with ``SO_REUSEPORT`` (the kernel choosing by a hash of the
client's address and port) spread them at random: eight connections split 4/4 only 27% of
the time, 6/2 or worse 30%, and one worker was then the bottleneck (861 against 958
decisions a second in one A/B; one run had all eight on one worker).

So the parent process listens, accepts, and hands each connection to the next worker in
turn (the descriptor sent over a Unix socket, ``SCM_RIGHTS``); each worker serves what it
is given with uvicorn's own HTTP protocol. Eight connections are four and four, whatever
their ports, and connections made while the workers start wait for theirs. The parent
binds before it starts any worker (an address in use is reported then) and watches the
workers: a signal (SIGTERM, SIGINT) stops them gracefully, and a worker that dies stops
the others (exit 1).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import threading
from typing import Any

#: The application every worker serves (settings from the environment).
FACTORY = "allocator.service.app:app_from_environment"
#: Seconds a worker has to finish its requests when stopped, before it is killed.
STOP_SECONDS = 30.0
#: Connections the listening socket queues before they are accepted (uvicorn's default).
BACKLOG = 2048
#: The service's log lines (the process id tells the workers apart).
LOG_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s"


def configure_logging() -> None:
    """The service's own logs (access lines, decisions recorded, refusals) at INFO on
    stderr, in the serving process. A worker process is spawned, not forked: it must
    configure them itself, or they are lost (uvicorn configures only its own loggers)."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)``, listening (raises ``OSError``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(channel: socket.socket, options: dict[str, Any]) -> None:
    from allocator.service.handed import HandedServer

    HandedServer(FACTORY, channel, options).run()


def _hand_out(listener: socket.socket, channels: list[socket.socket]) -> None:
    """Accept connections and send each to the next worker, until ``listener`` is closed."""
    turn = 0
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:  # closed: the service stops
            return
        with conn:
            for _ in channels:  # a worker that is gone is skipped (the parent stops them all)
                channel = channels[turn]
                turn = (turn + 1) % len(channels)
                try:
                    socket.send_fds(channel, [b"c"], [conn.fileno()])
                    break
                except OSError:
                    continue


def supported() -> bool:
    """Whether connections can be handed to workers (Unix: descriptors over Unix sockets);
    elsewhere uvicorn's shared socket is used."""
    return hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


def run_workers(workers: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Serve with ``workers`` processes; returns the exit code (0 when stopped by a signal)."""
    listener = listening_socket(host, port)  # an address in use fails here
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(workers)]
    channels = [ours for ours, _ in pairs]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(theirs, options), name=f"worker-{i}")
        for i, (_, theirs) in enumerate(pairs)
    ]
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    dispatcher = threading.Thread(
        target=_hand_out, args=(listener, channels), name="allocator-connections", daemon=True
    )
    try:
        for process in processes:
            process.start()  # the worker gets a duplicate of its end of the channel
        for _, theirs in pairs:
            theirs.close()
        dispatcher.start()
        while not stop.is_set() and all(p.is_alive() for p in processes):
            stop.wait(0.5)
    finally:
        _close(listener)  # no new connections; the dispatcher's accept fails and it ends
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes its requests and stops
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        if dispatcher.is_alive():
            dispatcher.join(STOP_SECONDS)
        for ours, theirs in pairs:
            ours.close()
            theirs.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0 if stop.is_set() else 1


def _close(listener: socket.socket) -> None:
    """Close ``listener`` so that a thread blocked in its ``accept`` returns."""
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept (close alone may not)
    listener.close()
