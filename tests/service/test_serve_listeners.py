"""``allocator serve --workers N``: the parent listens and hands the connections to the
workers in turn, so keep-alive connections are split evenly (one shared socket let one
worker accept them all; a socket per worker with ``SO_REUSEPORT`` split them at random);
an address in use is refused before any worker starts; a signal stops every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from allocator.service.store import Store
from tests.faults.processes import allocator_command, free_port, wait_ready

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return [c for c in out if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _established_to(port: int, state: str = "01") -> set[str]:
    """Inodes of the server-side ends of established TCP connections to ``port`` (state
    ``0A``: its listening sockets)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _start(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    db = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    Store(db).create_tables()
    with (tmp_path / "server.log").open("w") as log:  # the server keeps its own copy
        return subprocess.Popen(
            [*allocator_command(), "serve", "--port", str(port), "--db", db, "--workers", "2"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _assert_spread(conns: list[socket.socket], port: int, server: int) -> None:
    """Each connection is answered, and the workers of ``server`` (found once they have
    answered) hold the same number of them, to one."""
    for conn in conns:
        conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    for conn in conns:
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
    workers = _children(server)
    established = _established_to(port)
    per_worker = [len(_socket_inodes(w) & established) for w in workers]
    assert sum(per_worker) == len(conns), per_worker
    assert max(per_worker) - min(per_worker) <= 1, f"not split evenly: {per_worker}"


def test_two_workers_share_the_connections_and_stop_on_a_signal(tmp_path: Path) -> None:
    port = free_port()
    proc = _start(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    conns: list[socket.socket] = []
    try:
        wait_ready(proc, base, tmp_path / "server.log")
        workers = _children(proc.pid)
        assert len(workers) == 2
        listening = _established_to(port, "0A")
        assert len(listening) == 1 and listening <= _socket_inodes(proc.pid), "the parent's"
        assert not any(_socket_inodes(w) & listening for w in workers)
        # 16 keep-alive connections opened at once, as a client pool does (with one shared
        # socket, one worker accepted them all; with SO_REUSEPORT, 8/8 in 20% of the tries)
        conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
        _assert_spread(conns, port, proc.pid)
    finally:
        for conn in conns:
            conn.close()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0
    assert not any(os.path.exists(f"/proc/{w}") for w in workers), "a worker outlived the server"
    # each worker logs its own access lines (a spawned process configures its logging)
    log = (tmp_path / "server.log").read_text()
    logged = {
        int(line.split()[3])
        for line in log.splitlines()
        if "allocator.service.access GET /healthz 200" in line
    }
    assert logged == set(workers), log


def test_connections_made_while_the_workers_start_are_spread(tmp_path: Path) -> None:
    """The port listens before any worker starts: connections made at the first moment it
    accepts wait for the worker whose turn they are, not all on the first worker up (which
    keep-alive clients then never left)."""
    port = free_port()
    proc = _start(tmp_path, port)
    conns: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while not conns:  # the first moment the port accepts
            try:
                conns.append(socket.create_connection(("127.0.0.1", port), timeout=60))
            except ConnectionRefusedError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.005)
        conns += [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(15)]
        _assert_spread(conns, port, proc.pid)
    finally:
        for conn in conns:
            conn.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0


def test_an_address_in_use_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _start(tmp_path, port)
        code = proc.wait(timeout=60)
    log = (tmp_path / "server.log").read_text()
    assert code == 2, log
    assert f"127.0.0.1:{port}" in log and "in use" in log, log
    assert "Traceback" not in log


def test_a_worker_that_dies_stops_the_service(tmp_path: Path) -> None:
    """A worker killed outright: the parent stops the other, closes the port and exits
    with an error naming it (connections are never handed to a worker that is gone)."""
    port = free_port()
    proc = _start(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, base, tmp_path / "server.log")
        workers = _children(proc.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "server.log").read_text()
    assert code == 2, log
    assert "a worker process stopped" in log, log
    assert not any(os.path.exists(f"/proc/{w}") for w in workers), "a worker outlived it"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
