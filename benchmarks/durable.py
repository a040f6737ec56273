"""Single-decision latency and throughput of the durable-rules backend (national ruleset).

Each decision is a full explained decision: derived variables, one durable-rules fact per
household and per member, condition traces, priority composition. Households are drawn
from a fixed seed with a realistic mix (1-8 members, ages, poverty, disabilities).

Run: ``python benchmarks/durable.py [--households 5000]``; writes results/durable.json.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from typing import Any

from common import peak_rss_mb, percentile, write_result

from allocator.api.ruleset import default_rules_dir
from allocator.backends.durable import DurableBackend
from allocator.domain import Household, Neighborhood, parse_household
from allocator.loading import load_ruleset

DAY = date(2025, 6, 1)


def random_household(rng: random.Random, hid: int) -> Household:
    size = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8])
    members: list[dict[str, Any]] = []
    for i in range(size):
        age = rng.randint(30, 70) if i == 0 else rng.randint(0, 80)
        disabled = rng.random() < 0.08
        members.append(
            {
                "age": age,
                "sex": rng.choice(["female", "male"]),
                "relation": "head" if i == 0 else rng.choice(["spouse", "child", "parent"]),
                "insured": rng.random() < 0.7,
                "disability_type": rng.choice(["physical_motor", "visual", "hearing"])
                if disabled
                else "none",
                "disability_severity": rng.choice(["mild", "severe"]) if disabled else "none",
                "in_school": 6 <= age <= 18 and rng.random() < 0.9,
                "employed": 18 <= age <= 60 and rng.random() < 0.4,
                "street_child": age < 16 and rng.random() < 0.02,
                "imprisoned": "unintentional" if rng.random() < 0.01 else "none",
            }
        )
    return parse_household(
        {
            "household_id": hid,
            "neighborhood_id": 1,
            "income": rng.randint(0, 30_000_000),
            "assets": rng.randint(0, 3_000_000_000),
            "housing": rng.choice(["owner", "tenant", "tenant", "informal", "homeless"]),
            "case_agency": rng.choice(["none", "none", "relief_committee", "other"]),
            "continuous_pension": rng.random() < 0.2,
            "members": members,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=5000)
    args = parser.parse_args()
    ruleset = load_ruleset(default_rules_dir())
    backend = DurableBackend(ruleset)
    neighborhood = Neighborhood(
        neighborhood_id=1, name="bench", province="Tehran", county="Tehran-01",
        setting="urban", custodian="relief_committee", programs=("neighborhoods_2020",),
    )  # fmt: skip
    rng = random.Random(2020)
    households = [random_household(rng, i + 1) for i in range(args.households)]
    for hh in households[:200]:  # warm up: compile the ruleset, fill caches
        backend.decide(hh, neighborhood, DAY)
    latencies = []
    start = time.perf_counter()
    for hh in households:
        t0 = time.perf_counter()
        backend.decide(hh, neighborhood, DAY)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    latencies.sort()
    members = sum(len(h.members) for h in households)
    write_result(
        "durable",
        {
            "ruleset": ruleset.identity(),
            "services": len(ruleset.services),
            "durable_rules": sum(len(s.conditions) + 1 for s in ruleset.services),
            "households": len(households),
            "members_per_household": round(members / len(households), 2),
            "latency_p50_ms": round(percentile(latencies, 0.50) * 1e3, 3),
            "latency_p99_ms": round(percentile(latencies, 0.99) * 1e3, 3),
            "latency_max_ms": round(latencies[-1] * 1e3, 3),
            "households_per_second": round(len(households) / total),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        },
    )


if __name__ == "__main__":
    main()
