"""Benchmark of the optimizer: build and solve seconds, gap and peak memory by size.

Sizes 200, 2,020, 10,000 and 60,000 neighborhoods (22 services, 4 tiers), resources scaled
from ``scenarios/national-2020.yaml`` (per neighborhood). The fast path runs at every size;
the exact MIP up to 10,000 neighborhoods, with a time limit. Each case runs in its own
process so that its peak memory (max RSS) is its own.

The model is the scenarios' (``fair`` objective: outcome values, alpha = 1, four utility
pieces per (neighborhood, service, tier), growing fourfold; tier weights 8/4/2/1; a
worker-year at 180 million toman; workers per (county, agency)); ``--objective linear``
measures the former linear objective (no pieces, workers per neighborhood), so the two runs
say what the new model costs.

Usage::

    python benchmarks/optimize.py                 # every case, writes results/optimize.json
    python benchmarks/optimize.py --sizes 200 2020 --methods fast
    python benchmarks/optimize.py --sizes 2020 --methods fast --objective linear
    python benchmarks/optimize.py --sizes 2020 --methods fast --worker-rounding priced
    python benchmarks/optimize.py --sizes 10000 --methods fast --coordination-rounds 6
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from collections import deque
from pathlib import Path

SIZES = (200, 2020, 10_000, 60_000)
MIP_MAX_SIZE = 10_000
MIP_TIME_LIMIT_S = 300.0
RESULTS = Path(__file__).parent / "results" / "optimize.json"


def case(
    n: int, method: str, objective: str = "fair", rounding: str = "nearest", rounds: int = 0
) -> dict[str, object]:
    """Run one (size, method) case in this process and return its figures."""
    from allocator.optimize import OptimizeParams, SlotParams, optimize, synthetic_demand

    scale = n / 2020
    t0 = time.perf_counter()
    demand = synthetic_demand(n, 22, seed=0)
    data_s = time.perf_counter() - t0
    params = OptimizeParams(
        workers_agency={
            "relief_committee": 7000 * scale,
            "welfare_organization": 3600 * scale,
            "imam_order": 2500 * scale,
            "red_crescent": 1000 * scale,
        },
        slots=SlotParams(
            centers_total=2800 * scale,
            per_center={
                "home_visit": 2500,
                "counseling": 1500,
                "life_skills": 2000,
                "genetics_counseling": 300,
                "social_harm_prevention": 1500,
                "social_emergency": 600,
            },
        ),
        budget_total=20e12 * scale,
        budget_agency={
            "relief_committee": 9e12 * scale,
            "welfare_organization": 5e12 * scale,
            "imam_order": 4.5e12 * scale,
            "red_crescent": 1.5e12 * scale,
        },
        quota_band=0.2,
        floor_tier1=0.1,
        objective=objective,  # type: ignore[arg-type]
        worker_rounding=rounding,
        coordination_rounds=rounds,
        tier_weights=(8.0, 4.0, 2.0, 1.0) if objective == "fair" else (1000.0, 100.0, 10.0, 1.0),
        worker_cost=1.8e8 if objective == "fair" else 0.0,
        staff_level="county" if objective == "fair" else "neighborhood",
        method=method,  # type: ignore[arg-type]
        time_limit_s=MIP_TIME_LIMIT_S if method == "mip" else 600.0,
    )

    def progress(msg: str) -> None:  # to stderr, with seconds since the case started
        print(f"[{time.perf_counter() - t0:8.1f} s] {msg}", file=sys.stderr, flush=True)

    plan = optimize(demand, params, progress=progress)
    row: dict[str, object] = {
        "neighborhoods": n,
        "method": method,
        "objective_mode": objective,
        "worker_rounding": rounding,
        "coordination_rounds": rounds,
        "segments": params.segments if objective == "fair" else 0,
        "rows": demand.n_rows,
        **plan.model_size,
        "data_seconds": round(data_s, 3),
        "build_seconds": round(plan.build_seconds, 3),
        "solve_seconds": round(plan.solve_seconds, 3),
        "total_seconds": round(plan.build_seconds + plan.solve_seconds, 3),
        "stage_seconds": getattr(plan, "stage_seconds", {}),
        "status": plan.status.value,
        "termination": plan.termination.value,
        "objective": plan.objective,
        "lp_bound": plan.lp_bound,
        "best_bound": plan.best_bound,
        "relative_gap": plan.relative_gap,
        "gap_to_lp_bound": (plan.lp_bound - plan.objective) / abs(plan.lp_bound),
        "slack_items": len(plan.slack),
        "shadow_prices": len(plan.shadow_prices),
        "messages": plan.messages,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    ap.add_argument("--methods", nargs="*", default=["fast", "mip"])
    ap.add_argument("--objective", choices=["fair", "linear"], default="fair")
    ap.add_argument("--worker-rounding", choices=["nearest", "priced"], default="nearest")
    ap.add_argument(
        "--coordination-rounds", type=int, default=0,
        help="decomposed sizes: rounds of the master program over the provinces' plans",
    )  # fmt: skip
    ap.add_argument(
        "--one", nargs=5, metavar=("N", "METHOD", "OBJ", "ROUND", "RR"), help=argparse.SUPPRESS
    )
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if args.one:
        n, method, objective, rounding, rounds = args.one
        print(json.dumps(case(int(n), method, objective, rounding, int(rounds))))
        return
    results: list[dict[str, object]] = []
    for n in args.sizes:
        for method in args.methods:
            if method == "mip" and n > MIP_MAX_SIZE:
                continue
            proc = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    str(n),
                    method,
                    args.objective,
                    args.worker_rounding,
                    str(args.coordination_rounds),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stderr is not None and proc.stdout is not None
            tail: deque[str] = deque(maxlen=40)
            for line in proc.stderr:  # progress lines, passed on as they come
                sys.stderr.write(f"{n} {method}: {line}")
                tail.append(line)
            out, code = proc.stdout.read(), proc.wait()
            if code != 0:
                row: dict[str, object] = {
                    "neighborhoods": n, "method": method, "returncode": code,
                    "error": "".join(tail)[-2000:],
                }  # fmt: skip
            else:
                row = json.loads(out.strip().splitlines()[-1])
            results.append(row)
            print(json.dumps(row), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"cases": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
