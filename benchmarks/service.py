"""Throughput and latency of ``POST /v1/eligibility`` through a real server (uvicorn, SQLite).

Starts ``allocator serve`` on a free loopback port with a temp SQLite audit log, then sends
a bounded number of eligibility requests from a few concurrent keep-alive connections
(httpx). Every request is a full explained decision committed to the hash chain before the
answer. Households come from ``durable.py``'s generator. At the end the chain is verified.

Run: ``python benchmarks/service.py [--requests 3000] [--concurrency 4]``;
writes results/service.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from common import percentile, write_result
from durable import random_household

from allocator.reference import default_registry
from allocator.service.store import Store
from allocator.service.tokens import create_token

AGENCY = "welfare_organization"
DAY = "2025-06-01"
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


def _bodies(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    ours = [nb.neighborhood_id for nb in default_registry() if nb.custodian.value == AGENCY]
    bodies = []
    for i in range(n):
        data = random_household(rng, 1_000_000 + i).model_dump(mode="json")
        data["neighborhood_id"] = rng.choice(ours)
        bodies.append(data)
    return bodies


async def _drive(
    base: str, token: str, bodies: list[dict[str, Any]], concurrency: int
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            for body in queue:
                start = time.perf_counter()
                r = await client.post(f"/v1/eligibility?date={DAY}", json=body, timeout=60)
                latencies.append(time.perf_counter() - start)
                if r.status_code != 201:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    bodies = _bodies(args.requests + args.warmup)
    load_before = os.getloadavg()[0]  # other work on the machine skews the figures
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.sqlite")
        store = Store(f"sqlite:///{db}")
        store.create_tables()
        token = create_token(store, role="agency", agency=AGENCY, name="benchmark")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--port",
                str(port),
                "--db",
                db,
                "--rate",
                "1e9",
                "--burst",
                "1000000000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            asyncio.run(_drive(base, token, bodies[: args.warmup], args.concurrency))
            start = time.perf_counter()
            latencies, errors = asyncio.run(
                _drive(base, token, bodies[args.warmup :], args.concurrency)
            )
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
        verify_start = time.perf_counter()
        report = store.verify()
        verify_seconds = time.perf_counter() - verify_start
        store.dispose()
    latencies.sort()
    write_result(
        "service",
        {
            "requests": len(latencies),
            "concurrency": args.concurrency,
            "database": "sqlite (WAL)",
            "cpus": os.cpu_count(),
            "load_average_before": round(load_before, 2),
            "seconds": round(elapsed, 3),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "latency_ms": {
                "p50": round(percentile(latencies, 0.50) * 1000, 2),
                "p90": round(percentile(latencies, 0.90) * 1000, 2),
                "p99": round(percentile(latencies, 0.99) * 1000, 2),
                "max": round(latencies[-1] * 1000, 2),
            },
            "errors": errors,
            "chain_verified": report.ok,
            "chain_rows": report.checked,
            "verify_seconds": round(verify_seconds, 3),
        },
    )
    if errors or not report.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
