"""Single-decision latency and throughput of the explaining engines (national ruleset).

Each decision is a full explained decision: derived variables, every condition of every
service with its value, threshold and unit, priority composition. ``python`` is the
service's default engine (compiled from the rule model), ``durable`` the durable-rules one
(one fact per household and per member). Households come from the synthetic data generator
(``tiny`` preset: its documented mix of sizes, ages, poverty and disabilities); the p99 is
also given by household size. The engines are measured in the same run, one after the
other, each after its own warm-up; the load average before and after says how busy the
shared machine was.

Run: ``python benchmarks/durable.py [--households 2000] [--engines python,durable]``;
writes results/durable.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from common import peak_rss_mb, percentile, write_result

from allocator.api.ruleset import default_rules_dir
from allocator.backends.registry import explaining_backend
from allocator.domain import Household, Neighborhood, parse_household
from allocator.domain.enums import Program
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE, NEIGHBORHOODS_FILE
from allocator.loading import load_ruleset

PROGRAM_COLUMNS = {
    Program.NEIGHBORHOODS_2020: "target_2020",
    Program.INFORMAL_SETTLEMENTS: "informal_settlement",
    Program.MAZANDARAN_56: "mazandaran_56",
}

DAY = date(2025, 6, 1)


def synthetic_households(count: int, seed: int) -> list[tuple[Household, Neighborhood]]:
    """Households of the synthetic data generator (its documented size and need mix)."""
    from allocator.data import write_dataset

    with tempfile.TemporaryDirectory() as tmp:
        write_dataset("tiny", seed, Path(tmp), row_group_households=count)
        hh = pq.read_table(Path(tmp) / HOUSEHOLDS_FILE).to_pylist()
        mm = pq.read_table(Path(tmp) / MEMBERS_FILE).to_pylist()
        nb = pq.read_table(Path(tmp) / NEIGHBORHOODS_FILE).to_pylist()
    members: dict[int, list[dict[str, Any]]] = {}
    for m in mm:
        members.setdefault(m.pop("household_id"), []).append(m)
    neighborhoods = {}
    for n in nb:
        programs = tuple(p for p in Program if n.get(PROGRAM_COLUMNS[p]))
        neighborhoods[n["neighborhood_id"]] = Neighborhood(
            neighborhood_id=n["neighborhood_id"], name=n["name"], province=n["province"],
            county=n["county"], setting=n["setting"], custodian=n["custodian"], programs=programs,
        )  # fmt: skip
    out = []
    for h in hh[:count]:
        household = parse_household({**h, "members": members[h["household_id"]]})
        out.append((household, neighborhoods[household.neighborhood_id]))
    return out


def measure(engine: str, pairs: list[tuple[Household, Neighborhood]]) -> dict[str, Any]:
    """Latency percentiles and rate of one explaining engine on ``pairs``."""
    backend = explaining_backend(engine, load_ruleset(default_rules_dir()))
    for hh, nb in pairs[:200]:  # warm up: compile the ruleset, fill caches
        backend.decide(hh, nb, DAY)
    latencies = []
    by_size: dict[int, list[float]] = {}
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    for hh, nb in pairs:
        t0 = time.perf_counter()
        backend.decide(hh, nb, DAY)
        elapsed = time.perf_counter() - t0
        latencies.append(elapsed)
        by_size.setdefault(min(len(hh.members), 6), []).append(elapsed)
    total = time.perf_counter() - start
    latencies.sort()
    return {
        "latency_p50_ms": round(percentile(latencies, 0.50) * 1e3, 3),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1e3, 3),
        "latency_max_ms": round(latencies[-1] * 1e3, 3),
        "households_per_second": round(len(pairs) / total),
        "latency_p99_ms_by_members": {
            (f"{size}+" if size == 6 else str(size)): round(
                percentile(sorted(values), 0.99) * 1e3, 3
            )
            for size, values in sorted(by_size.items())
        },
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engines", default="python,durable")
    args = parser.parse_args()
    ruleset = load_ruleset(default_rules_dir())
    pairs = synthetic_households(args.households, args.seed)
    households = [hh for hh, _ in pairs]
    members = sum(len(h.members) for h in households)
    engines = {engine: measure(engine, pairs) for engine in args.engines.split(",")}
    for engine, figures in engines.items():
        print(
            f"{engine}: p50 {figures['latency_p50_ms']} ms, p99 {figures['latency_p99_ms']} ms, "
            f"{figures['households_per_second']} households/s (load {figures['load_before']})"
        )
    write_result(
        "durable",
        {
            "ruleset": ruleset.identity(),
            "services": len(ruleset.services),
            "conditions": sum(len(s.conditions) for s in ruleset.services),
            "households": len(households),
            "members_per_household": round(members / len(households), 2),
            "engines": engines,
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


if __name__ == "__main__":
    main()
