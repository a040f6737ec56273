"""Real ``allocator`` processes for the fault and load tests: the command line, a served app,
and a PostgreSQL cluster of the test's own that can be stopped and started again."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


def allocator_command() -> list[str]:
    """The ``allocator`` console script next to this Python, else ``python -c main()``."""
    script = Path(sys.executable).parent / "allocator"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from allocator.cli.app import main; main()"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> str:
    """Run ``allocator ARGS`` to completion; its stdout (fails the test on a non-zero exit)."""
    done = subprocess.run(
        [*allocator_command(), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"allocator {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_ready(proc: subprocess.Popen[Any], base: str, log: Path) -> None:
    """Until ``/readyz`` at ``base`` says ready (fails with the server's log if ``proc``
    ends or a minute passes)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("the server did not start:\n" + log.read_text())
        time.sleep(0.1)


@contextmanager
def served(db: str, log: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``allocator serve --db DB`` on a free loopback port until ``/readyz`` says ready;
    yields its base URL and terminates it afterwards."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*allocator_command(), "serve", "--port", str(port), "--db", db, *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(proc, base, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PgCluster:
    """A throwaway PostgreSQL cluster in a temp directory (trust auth, loopback only)."""

    bin: Path
    root: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = list(args)
        if self.as_postgres:  # initdb refuses root: run the programs as the postgres user
            command = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
        # Output to a file, not a pipe: the server started by pg_ctl must not hold our pipe.
        with (self.root / "ctl.log").open("ab") as log:
            done = subprocess.run(command, stdout=log, stderr=log, timeout=timeout, check=False)
        if done.returncode != 0:
            tail = (self.root / "ctl.log").read_text(errors="replace")[-2000:]
            raise AssertionError(f"{' '.join(args[:2])} failed:\n{tail}")

    def pg_ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-w", *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-t", "60", "-l", str(self.root / "server.log"), "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


def pg_cluster_available() -> str:
    """Why a cluster of our own cannot be made here ("" when it can)."""
    if _pg_bin() is None:
        return "no PostgreSQL binaries (initdb) on this machine"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' OS user for initdb"
    return ""


@contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    """Create and start a cluster; stop it and remove its files afterwards."""
    bin_dir = _pg_bin()
    assert bin_dir is not None
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="allocator-pg-outage."))
    if as_postgres:
        shutil.chown(root, "postgres")
    cluster = PgCluster(bin_dir, root, free_port(), as_postgres)
    started = False
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", "postgres"]
        cluster._run(*initdb, "-A", "trust", "-E", "UTF8", "--no-locale")
        cluster.start()
        started = True
        yield cluster
    finally:
        if started:
            with contextlib.suppress(AssertionError):  # already stopped
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
