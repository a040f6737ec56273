"""Bulk classification benchmark: both backends on the same data, the vector curve, national.

Every measurement runs in its own subprocess (so peak RSS is that run's), end to end from
Parquet: ``classify_dataset`` reads, checks, classifies and writes the whole result directory
(parts, reduced tables, manifest). Ratios are taken within one run of this script, since the
machine's speed varies by up to 3x from run to run. ``stages`` is the CPU time of each step of
one partition (1 M households of the national preset), to show where the time goes.

    python benchmarks/classify.py [--national-dir /tmp/data-national] [--skip-national]

The vector backend runs with its C kernel (``c``) unless a row says ``numpy``.

Writes ``benchmarks/results/classify.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

DAY = date(2025, 6, 1)
HERE = Path(__file__).resolve().parent
CURVE = (10_000, 100_000, 1_000_000)


def _one(
    data: Path, out: Path, backend: str, threads: int, decisions: str, kernel: str
) -> dict[str, Any]:
    """Run one classification in this process and report time and peak memory."""
    os.environ["ALLOCATOR_KERNEL"] = kernel  # the vector backend's kernel (c or numpy)
    import allocator.backends.native  # noqa: F401  (imported before the clock, as the others)
    from allocator.api.ruleset import default_rules_dir
    from allocator.loading import load_ruleset
    from allocator.pipeline import RunOptions, classify_dataset

    ruleset = load_ruleset(default_rules_dir())
    options = RunOptions(backend=backend, decisions=decisions)
    started = time.perf_counter()
    cpu = time.process_time()
    summary = classify_dataset(
        data, out, ruleset, DAY, options=options, force=True, threads=threads, command=["bench"]
    )
    seconds = time.perf_counter() - started
    return {
        "backend": backend,
        "kernel": kernel if backend == "vector" else "",
        "households": summary["households_read"],
        "members": summary["members_classified"],
        "partitions": summary["row_groups"],
        "decisions": decisions,
        "threads": threads,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "households_per_second": round(summary["households_read"] / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _stages(data: Path) -> dict[str, Any]:
    """CPU seconds of each step of one partition (row group 1 of ``data``), best of 2."""
    from allocator.api.ruleset import default_rules_dir
    from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE
    from allocator.loading import load_ruleset
    from allocator.pipeline.decisions import CompactBuilder
    from allocator.pipeline.memory import tune_memory
    from allocator.pipeline.partition import engine_of, neighborhoods_of, write_parquet
    from allocator.pipeline.prepare import prepare
    from allocator.pipeline.schema import open_tables
    from allocator.pipeline.totals import PartitionTotals

    tune_memory()
    ruleset = load_ruleset(default_rules_dir())
    files = open_tables(data)
    neighborhoods = neighborhoods_of(data)
    engine = engine_of(ruleset, "vector", data)
    best: dict[str, float] = {}
    index = min(1, files[HOUSEHOLDS_FILE].num_row_groups - 1)
    rows = 0
    for _ in range(2):
        times: dict[str, float] = {}
        clock = [time.process_time()]

        def lap(name: str, times: dict[str, float] = times, clock: list[float] = clock) -> None:
            now = time.process_time()
            times[name] = now - clock[0]
            clock[0] = now

        households = files[HOUSEHOLDS_FILE].read_row_group(index)
        members = files[MEMBERS_FILE].read_row_group(index)
        lap("read")
        prepared = prepare(households, members, neighborhoods)
        lap("prepare")
        result = engine.classify(prepared.batch, DAY)
        lap("classify")
        totals = PartitionTotals(ruleset, neighborhoods, prepared, result)
        demand, why_not = totals.demand_table(), totals.why_not_table()
        lap("totals")
        table = CompactBuilder(ruleset).table(result)
        lap("compact table")
        target = Path("/tmp/allocator-bench-stage.parquet")
        write_parquet(table, target, CompactBuilder.encodings)
        write_parquet(demand, target)
        write_parquet(why_not, target)
        lap("write parts")
        rows = households.num_rows
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    return {
        "households": rows,
        "cpu_seconds": {k: round(v, 3) for k, v in best.items()},
        "total": round(sum(best.values()), 3),
    }


def _build(data: Path) -> dict[str, Any]:
    """Seconds to build the C kernel from nothing (an empty cache), then to load it built."""
    import tempfile

    from allocator.api.ruleset import default_rules_dir
    from allocator.backends.native import NativeKernel, signature
    from allocator.backends.native import build as native_build
    from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE
    from allocator.loading import load_ruleset
    from allocator.pipeline.partition import neighborhoods_of
    from allocator.pipeline.prepare import prepare
    from allocator.pipeline.schema import open_tables

    ruleset = load_ruleset(default_rules_dir())
    files = open_tables(data)
    batch = prepare(
        files[HOUSEHOLDS_FILE].read_row_group(0),
        files[MEMBERS_FILE].read_row_group(0),
        neighborhoods_of(data),
    ).batch
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ALLOCATOR_KERNEL_CACHE"] = cache
        started = time.perf_counter()
        kernel = NativeKernel(ruleset, dict(signature(batch)))
        built = time.perf_counter() - started
        native_build._loaded.clear()
        started = time.perf_counter()
        NativeKernel(ruleset, dict(signature(batch)))
        loaded = time.perf_counter() - started
    return {
        "build_seconds": round(built, 3),
        "load_seconds": round(loaded, 4),
        "source_lines": len(kernel.source.text.splitlines()),
    }


def _run(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, *args]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(
    data: Path,
    backend: str = "vector",
    threads: int = 2,
    decisions: str = "compact",
    kernel: str = "c",
) -> dict[str, Any]:
    """:func:`_one` in a fresh subprocess, writing into a new directory (replacing an old
    result would put its deletion into the measured time)."""
    import shutil

    out = Path("/tmp") / f"allocator-bench-out-{backend}-{kernel}-{threads}-{decisions}"
    shutil.rmtree(out, ignore_errors=True)
    result = _run(["--one", str(data), str(out), backend, str(threads), decisions, kernel])
    print(json.dumps(result), flush=True)
    return result


def subset(source: Path, target: Path, households: int) -> Path:
    """The first ``households`` of ``source``'s first row group, as a data directory."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from allocator.data.writer import COMPRESSION

    if (target / "members.parquet").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    hh = pq.ParquetFile(source / "households.parquet").read_row_group(0).slice(0, households)
    mm = pq.ParquetFile(source / "members.parquet").read_row_group(0)
    last = hh.column("household_id")[-1].as_py()
    mm = mm.filter(pc.less_equal(mm.column("household_id"), last))
    pq.write_table(
        pq.read_table(source / "neighborhoods.parquet"), target / "neighborhoods.parquet"
    )
    for table, name in ((hh, "households.parquet"), (mm, "members.parquet")):
        pq.write_table(  # as the generator writes (allocator.data.writer)
            table,
            target / name,
            row_group_size=table.num_rows,
            compression=COMPRESSION,
            use_dictionary=[f.name for f in table.schema if f.type == pa.string()],
            column_encoding={"household_id": "DELTA_BINARY_PACKED"},
        )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--national-dir", type=Path, default=Path("/tmp/data-national"))
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()

    from allocator.data.writer import write_dataset

    national = args.national_dir
    if not (national / "members.parquet").exists():
        print(f"generating the national preset into {national} ...", flush=True)
        write_dataset("national", 0, national)

    results: dict[str, Any] = {"date": DAY.isoformat(), "machine_cores": os.cpu_count()}
    results["stages"] = _run(["--stages", str(national)])
    same_10k = subset(national, Path("/tmp/allocator-bench-10000"), 10_000)
    results["c_kernel"] = _run(["--build", str(same_10k)])  # also warms the kernel cache
    durable_10k = measure(same_10k, "durable", threads=1)
    vector_10k = measure(same_10k, "vector", threads=1)
    numpy_10k = measure(same_10k, "vector", threads=1, kernel="numpy")
    results["backends_10k"] = {
        "durable": durable_10k,
        "vector": vector_10k,
        "vector_numpy": numpy_10k,
        "ratio_vector_over_durable": round(
            vector_10k["households_per_second"] / durable_10k["households_per_second"], 1
        ),
        "ratio_vector_numpy_over_durable": round(
            numpy_10k["households_per_second"] / durable_10k["households_per_second"], 1
        ),
    }
    curve = []
    for n in CURVE:
        data = subset(national, Path(f"/tmp/allocator-bench-{n}"), n)
        curve.append(measure(data, threads=1))
        if n == CURVE[-1]:
            curve.append(measure(data, threads=1, kernel="numpy"))
            curve.append(measure(data, decisions="wide", threads=1))
            curve.append(measure(data, decisions="none", threads=1))
    results["vector_curve"] = curve
    if not args.skip_national:
        # The machine's speed varies from minute to minute: the default run three times,
        # interleaved with the others, and the median reported beside every run.
        national_runs = []
        for repeat in range(3):
            national_runs.append(measure(national, threads=2, decisions="compact"))
            if repeat == 0:
                national_runs.append(measure(national, threads=2, kernel="numpy"))
            elif repeat == 1:
                national_runs.append(measure(national, threads=1, decisions="compact"))
            else:
                national_runs.append(measure(national, threads=2, decisions="none"))
        results["national"] = national_runs
        default = sorted(
            (
                r
                for r in national_runs
                if r["threads"] == 2 and r["kernel"] == "c" and r["decisions"] == "compact"
            ),
            key=lambda r: r["seconds"],
        )
        median = default[len(default) // 2]
        results["national_median"] = median
        results["ratio_national_vector_over_durable"] = round(
            median["households_per_second"] / durable_10k["households_per_second"], 1
        )
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "classify.json").write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


def _print(results: dict[str, Any]) -> None:
    rows = [
        results["backends_10k"]["durable"],
        results["backends_10k"]["vector"],
        results["backends_10k"]["vector_numpy"],
        *results["vector_curve"],
        *results.get("national", []),
    ]
    print(
        f"{'backend':8} {'kernel':6} {'households':>11} {'thr':>3} {'decisions':>9} {'seconds':>8} "
        f"{'cpu s':>7} {'hh/s':>11} {'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r['backend']:8} {r['kernel']:6} {r['households']:>11,} {r['threads']:>3} "
            f"{r['decisions']:>9} "
            f"{r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} {r['households_per_second']:>11,} "
            f"{r['peak_rss_mb']:>8,}"
        )
    print("stages (CPU s, one partition):", results["stages"])
    print(
        "vector / durable on the same 10k households: "
        f"{results['backends_10k']['ratio_vector_over_durable']}x (C kernel), "
        f"{results['backends_10k']['ratio_vector_numpy_over_durable']}x (NumPy kernel)"
    )
    print("C kernel:", results["c_kernel"])
    if "national_median" in results:
        m = results["national_median"]
        print(f"national, median of three: {m['seconds']} s, {m['households_per_second']:,} hh/s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        data, out, backend, threads, decisions, kernel = sys.argv[2:8]
        print(json.dumps(_one(Path(data), Path(out), backend, int(threads), decisions, kernel)))
    elif len(sys.argv) > 1 and sys.argv[1] == "--build":
        print(json.dumps(_build(Path(sys.argv[2]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--stages":
        print(json.dumps(_stages(Path(sys.argv[2]))))
    else:
        main()
