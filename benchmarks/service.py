"""Throughput and latency of ``POST /v1/eligibility`` through a real server, SQLite and PostgreSQL.

For each database, starts ``allocator serve`` (``--workers``, default 2) on a free loopback
port, then sends eligibility requests from ``--concurrency`` keep-alive connections (default
8). Every request is a full explained decision, committed (synced) to the hash chain before
the answer. The client is a minimal asyncio HTTP/1.1 client with pre-built requests, so that
it takes as little as possible of the machine's two cores from the server. At the end the
chain is verified. The in-process rate (decide, explain and serialize one household, no
HTTP, no database) is measured in the same run, and each service rate is reported as a ratio
of it; the load average before and after each part says how busy the shared machine was.

PostgreSQL: ``--postgres URL`` (an empty database or schema the URL's role owns), or
``$ALLOCATOR_TEST_POSTGRES_URL``; skipped when neither is given.

The server decides with ``--engine`` (default ``python``, the service's default); the
in-process rate of every explaining engine (``python`` and ``durable``) is measured too, and
the ratio is to the rate of the engine served.

Ceiling: after the eligibility requests, the same client sends ``--ceiling-requests``
``GET /healthz`` to the same server (an empty endpoint through the same HTTP stack, thread
pool and middleware): its rate and latency bound what the service could do if deciding,
explaining and recording cost nothing. The CPU time of each worker process during the
eligibility phase is reported too (Linux), per request and as each worker's share: with
keep-alive connections a worker keeps the connections it accepted, and they are often not
shared evenly; so are the CPU of this client and of PostgreSQL's server processes (when the
database runs on this machine) per request.

Run: ``python benchmarks/service.py [--requests 6000] [--concurrency 8] [--workers 2]
[--engine python] [--ceiling-requests 4000]``; writes results/service.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from typing import IO, Any

import httpx
from common import percentile, write_result
from durable import synthetic_households
from sqlalchemy import create_engine, text

from allocator.reference import default_registry
from allocator.service.state import ServiceState
from allocator.service.store import Store
from allocator.service.tokens import create_token

DAY = "2025-06-01"
#: The explaining engines whose in-process rates are measured (the first is the default).
ENGINES = ("python", "durable")
CLI = [
    sys.executable,
    "-c",
    "import allocator.cli.commands_serve; from allocator.cli.app import main; main()",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def in_process_rate(pairs: list[Any], state: ServiceState) -> float:
    """Decisions per second of decide + explain + serialize, in this process, no HTTP."""
    day = date.fromisoformat(DAY)
    start = time.perf_counter()
    for household, neighborhood in pairs:
        state.prepare_decision(household, neighborhood, day)
    return len(pairs) / (time.perf_counter() - start)


def _custodian(household: Any) -> str:
    """The agency in custody of the household's neighborhood in the service's registry."""
    return str(default_registry().get(household.neighborhood_id).custodian.value)


def households(count: int) -> list[Any]:
    """``count`` distinct synthetic households: the generator's (2,000 a seed), from as
    many seeds as needed, those after the first seed's numbered anew. Distinct, because
    the explaining engine remembers what households alike share (traces, refusals, their
    JSON): a household sent twice would be answered from memory."""
    pairs: list[Any] = []
    seed = 7
    while len(pairs) < count:
        found = synthetic_households(count - len(pairs), seed)
        if seed != 7:
            found = [
                (h.model_copy(update={"household_id": 10_000_000 + len(pairs) + i}), n)
                for i, (h, n) in enumerate(found)
            ]
        pairs.extend(found)
        seed += 1
    return pairs


def _requests(pairs: list[Any], tokens: dict[str, str], port: int) -> list[bytes]:
    out = []
    for household, _ in pairs:
        body = json.dumps(household.model_dump(mode="json")).encode()
        head = (
            f"POST /v1/eligibility?date={DAY} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {tokens[_custodian(household)]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


def _healthz_requests(count: int, port: int) -> list[bytes]:
    return [f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()] * count


#: The line each serving process logs once its application has started.
STARTED = b"allocator.service serving ruleset"


def _started(log: IO[bytes]) -> int:
    """How many of the server's processes have started their application (each logs
    :data:`STARTED` once), read from the server's log without moving its offset (the
    server writes at the same offset).

    Examples:
        >>> with tempfile.TemporaryFile() as log:
        ...     _ = log.write(STARTED + b" 2026.1 ab12" + b"INFO other"); log.flush()
        ...     _started(log)
        1
    """
    fd = log.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).count(STARTED)


def _worker_cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each child process of the server (Linux; else {})."""
    try:
        children: list[int] = []
        for task in os.listdir(f"/proc/{server_pid}/task"):
            with open(f"/proc/{server_pid}/task/{task}/children") as f:
                children += [int(c) for c in f.read().split()]
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        for child in children:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"spawn_main" not in f.read():  # not a worker (the resource tracker)
                    continue
            with open(f"/proc/{child}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[child] = (int(fields[11]) + int(fields[12])) / tick
        return out
    except (OSError, ValueError):
        return {}


def _postgres_cpu() -> float:
    """CPU seconds (user + system) of every PostgreSQL server process on this machine
    (Linux; 0 if none): the benchmark's database shares the two cores with the service."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:  # gone meanwhile
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name.startswith("postgres"):
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _latency(latencies: list[float]) -> dict[str, float]:
    latencies = sorted(latencies)
    return {
        q: round(percentile(latencies, v) * 1000, 2)
        for q, v in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
    } | {"max": round(latencies[-1] * 1000, 2)}


async def _one(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _drive(
    port: int, requests: list[bytes], concurrency: int, expect: int = 201
) -> tuple[list[float], Counter[int]]:
    """Send ``requests`` from ``concurrency`` connections; latencies and the count of each
    status other than ``expect``."""
    latencies: list[float] = []
    errors: Counter[int] = Counter()
    queue = iter(requests)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in queue:
            start = time.perf_counter()
            writer.write(request)
            status = await _one(reader)
            latencies.append(time.perf_counter() - start)
            if status != expect:
                errors[status] += 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


def _refusals(log: str) -> dict[str, int]:
    """The server's logged refusals (``request refused ... code=X (why)``), by code and
    reason with sequence numbers left out, most frequent first."""
    found: Counter[str] = Counter()
    for line in log.splitlines():
        if "request refused" in line:
            found[re.sub(r"\d+", "N", line.split("request refused", 1)[1].strip())] += 1
    return dict(found.most_common(5))


def run_one(
    label: str, url: str, requests_pairs: list[Any], args: argparse.Namespace
) -> dict[str, Any]:
    """Serve on ``url``, drive the requests, verify the chain; the figures."""
    store = Store(url)
    store.create_tables()
    tokens = {
        a: create_token(store, role="agency", agency=a, name="benchmark")
        for a in {_custodian(h) for h, _ in requests_pairs}
    }
    port = _free_port()
    requests = _requests(requests_pairs, tokens, port)
    cmd = [*CLI, "serve", "--port", str(port), "--db", url, "--workers", str(args.workers)]
    cmd += ["--rate", "1e9", "--burst", "1000000000", "--engine", args.engine]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server's log, read after it stops
    server = subprocess.Popen(cmd, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
                # Every worker started: the sockets listen from the start, and the
                # connections the kernel gives a worker still starting wait for it (its
                # start-up, a CPU second, would be counted in the measured phase).
                if ready == 200 and _started(log) >= args.workers:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start on {label}")
            time.sleep(0.3)
        asyncio.run(_drive(port, requests[: args.warmup], args.concurrency))
        load_before = _load()
        cpu_before = _worker_cpu(server.pid)
        others_before = time.process_time(), _postgres_cpu()
        start = time.perf_counter()
        latencies, errors = asyncio.run(_drive(port, requests[args.warmup :], args.concurrency))
        elapsed = time.perf_counter() - start
        cpu_after = _worker_cpu(server.pid)
        client_cpu = time.process_time() - others_before[0]
        database_cpu = _postgres_cpu() - others_before[1]
        load_after = _load()
        # The ceiling: an empty endpoint, same server, same client, same connections count.
        probes = _healthz_requests(args.ceiling_requests, port)
        start = time.perf_counter()
        ceiling, ceiling_errors = asyncio.run(_drive(port, probes, args.concurrency, 200))
        ceiling_elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.seek(0)
        logged = log.read().decode(errors="replace")
        log.close()
    report = store.verify()
    store.dispose()
    latencies.sort()
    used = sorted(
        (cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after if pid in cpu_before),
        reverse=True,
    )
    return {
        "database": label,
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": _latency(latencies),
        # Requests not answered 201, with their statuses and the server's reasons: the
        # figures above mean nothing unless this is 0 (a refusal is answered fast).
        "errors": errors.total(),
        "error_statuses": {str(k): v for k, v in sorted(errors.items())},
        "refusals": _refusals(logged),
        # CPU of the server's worker processes while the requests above were served.
        "worker_cpu_ms_per_request": round(sum(used) * 1000 / len(latencies), 2),
        "worker_cpu_share": [round(u / sum(used), 3) for u in used] if sum(used) else [],
        # The rest of the machine's work for the same requests: this benchmark's client,
        # and PostgreSQL's server processes (0 for SQLite, which runs in the workers).
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(latencies), 3),
        "database_server_cpu_ms_per_request": round(database_cpu * 1000 / len(latencies), 3),
        "healthz": {
            "requests": len(ceiling),
            "requests_per_second": round(len(ceiling) / ceiling_elapsed, 1),
            "latency_ms": _latency(ceiling),
            "errors": ceiling_errors.total(),
        },
        "chain_verified": report.ok,
        "chain_rows": report.checked,
        "load_average_before": load_before,
        "load_average_after": load_after,
    }


def _postgres_schema(url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--ceiling-requests", type=int, default=4000)
    parser.add_argument("--engine", default="python", choices=list(ENGINES))
    parser.add_argument("--postgres", default=os.environ.get("ALLOCATOR_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    pairs = households(args.requests + args.warmup)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        from allocator.service import Settings, create_app

        load = _load()
        engines = {}
        for engine in ENGINES:
            state: ServiceState = create_app(
                Settings(db_url="sqlite://", engine=engine)
            ).state.service
            engines[engine] = round(in_process_rate(pairs[: min(2000, len(pairs))], state), 1)
        rate = engines[args.engine]
        in_process = {
            "engine": args.engine,
            "decisions_per_second": rate,
            "by_engine": engines,
            "load_average_before": load,
            "load_average_after": _load(),
        }
        runs.append(
            run_one("sqlite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/b.sqlite", pairs, args)
        )
        if args.postgres:
            url, schema = _postgres_schema(args.postgres)
            try:
                runs.append(run_one("postgresql", url, pairs, args))
            finally:
                engine = create_engine(args.postgres)
                with engine.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                engine.dispose()
    for r in runs:
        r["ratio_to_in_process"] = round(r["requests_per_second"] / rate, 3)
        r["ratio_to_healthz"] = round(
            r["requests_per_second"] / r["healthz"]["requests_per_second"], 3
        )
    write_result(
        "service",
        {
            "cpus": os.cpu_count(),
            "concurrency": args.concurrency,
            "workers": args.workers,
            "in_process": in_process,
            "runs": runs,
        },
    )
    failed = [r for r in runs if r["errors"] or r["healthz"]["errors"] or not r["chain_verified"]]
    for r in failed:
        print(
            f"FAILED on {r['database']}: {r['errors']} of {r['requests']} requests not "
            f"answered 201 {r['error_statuses']}, chain verified: {r['chain_verified']}; "
            f"the server said {r['refusals']}. Its rate is not a result.",
            file=sys.stderr,
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
