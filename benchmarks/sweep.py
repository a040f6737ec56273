"""A sweep of 11 budget levels on the national-2020 scale: serial against Dask (2 workers).

The demand is prepared once (``allocator.runs.prepare`` on ``scenarios/national-2020.yaml``,
classification cached; ``--synthetic`` uses ``synthetic_demand(2020)`` instead), then the
same sweep runs locally one variant after another and on a ``LocalCluster`` of two
single-threaded worker processes, in this one run of the script so that the ratio is
meaningful. The Dask time is given with and without starting the cluster.
``parallel_capacity`` is how many CPU-bound processes the machine runs at full speed at
once (two processes each counting to 5 million, against one): the ceiling of the speed-up.

    python benchmarks/sweep.py [--levels 11] [--synthetic]

Writes ``benchmarks/results/sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _prepare(synthetic: bool) -> tuple[Any, Any, float]:
    from allocator.runs import Prepared, prepare
    from allocator.scenarios import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "national-2020.yaml")
    started = time.perf_counter()
    if synthetic:
        from allocator.optimize import synthetic_demand

        prepared = Prepared(synthetic_demand(2020, seed=0), {}, {}, date(2023, 3, 21))
    else:
        prepared = prepare(scenario, ROOT)
    return scenario, prepared, time.perf_counter() - started


def _burn(_: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - started


def _parallel_capacity() -> float:
    """How many CPU-bound processes this machine runs at full speed at once (about)."""
    import multiprocessing

    one = _burn(0)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_burn, [0, 1])
        two = time.perf_counter() - started
    return 2 * one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=11)
    parser.add_argument("--synthetic", action="store_true", help="synthetic_demand(2020)")
    args = parser.parse_args()

    import distributed

    from allocator.sweeps import DaskEngine, LocalEngine, parse_vary, run_sweep, sweep_table

    capacity = _parallel_capacity()
    print(f"parallel capacity of this machine: {capacity:.2f} CPU-bound processes")
    scenario, prepared, prepare_s = _prepare(args.synthetic)
    specs = [parse_vary(f"budget=0.5:1.5:{args.levels}")]
    print(f"prepared {prepared.demand.n_neighborhoods:,} neighborhoods, "
          f"{prepared.demand.units.size:,} demand rows in {prepare_s:.1f} s")  # fmt: skip

    serial = run_sweep(prepared, scenario, specs, engine=LocalEngine())
    print(f"serial: {serial.seconds:.1f} s")
    started = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        cluster_s = time.perf_counter() - started
        dask = run_sweep(prepared, scenario, specs, engine=DaskEngine(client=client))
    dask_total = time.perf_counter() - started
    print(f"dask: {dask.seconds:.1f} s (+{cluster_s:.1f} s cluster start)")

    local_t, dask_t = sweep_table(serial).to_pydict(), sweep_table(dask).to_pydict()
    same = all(
        abs(a - b) <= 1e-9 * max(1.0, abs(a))
        for a, b in zip(local_t["objective"], dask_t["objective"], strict=True)
    )
    result = {
        "benchmark": "sweep",
        "scenario": scenario.name,
        "demand": "synthetic_demand(2020)" if args.synthetic else "runs.prepare (classified)",
        "neighborhoods": prepared.demand.n_neighborhoods,
        "demand_rows": int(prepared.demand.units.size),
        "variants": len(serial.results),
        "method": scenario.solver.method.value,
        "cpus": os.cpu_count(),
        "parallel_capacity": round(capacity, 2),
        "prepare_seconds": round(prepare_s, 2),
        "serial_seconds": round(serial.seconds, 2),
        "serial_seconds_per_variant": round(serial.seconds / len(serial.results), 2),
        "dask_workers": 2,
        "dask_cluster_start_seconds": round(cluster_s, 2),
        "dask_seconds": round(dask.seconds, 2),
        "dask_seconds_with_cluster_start": round(dask_total, 2),
        "speedup": round(serial.seconds / dask.seconds, 2),
        "speedup_with_cluster_start": round(serial.seconds / dask_total, 2),
        "same_objectives": same,
        "failed": serial.failed + dask.failed,
        "share_tier1": [round(s, 4) for s in local_t["share_tier1"]],
        "budget_factor": local_t["budget"],
    }
    print(json.dumps(result, indent=2))
    out = HERE / "results" / "sweep.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
