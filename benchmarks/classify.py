"""Bulk classification benchmark: both backends on the same data, the vector curve, national.

Every measurement runs in its own subprocess (so peak RSS is that run's), end to end from
Parquet: ``classify_dataset`` reads, checks, classifies and writes every output.

    PYTHONPATH=src python benchmarks/classify.py [--national-dir /tmp/allocator-national]
        [--skip-national] [--threads 2]

Writes ``benchmarks/results/classify.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
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


def _one(data: Path, out: Path, backend: str, threads: int, decisions: bool) -> dict[str, Any]:
    """Run one classification in this process and report time and peak memory."""
    from allocator.api.ruleset import default_rules_dir
    from allocator.loading import load_ruleset
    from allocator.pipeline import classify_dataset, engine_for

    ruleset = load_ruleset(default_rules_dir())
    engine = engine_for(backend, ruleset, data)
    started = time.perf_counter()
    summary = classify_dataset(
        data, out, ruleset, DAY, engine, force=True, threads=threads, decisions=decisions
    )
    seconds = time.perf_counter() - started
    return {
        "backend": backend,
        "households": summary["households_read"],
        "members": summary["members_classified"],
        "decisions": decisions,
        "threads": threads,
        "seconds": round(seconds, 3),
        "households_per_second": round(summary["households_read"] / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(data: Path, backend: str, threads: int = 2, decisions: bool = True) -> dict[str, Any]:
    """:func:`_one` in a fresh subprocess."""
    out = Path("/tmp") / f"allocator-bench-out-{backend}"
    cmd = [
        sys.executable,
        __file__,
        "--one",
        str(data),
        str(out),
        backend,
        str(threads),
        "1" if decisions else "0",
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def subset(source: Path, target: Path, households: int) -> Path:
    """The first ``households`` of ``source``'s first row group, as a data directory."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

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
    pq.write_table(hh, target / "households.parquet", row_group_size=households)
    pq.write_table(mm, target / "members.parquet", row_group_size=mm.num_rows)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--national-dir", type=Path, default=Path("/tmp/allocator-national"))
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from allocator.data.writer import write_dataset

    national = args.national_dir
    if not (national / "members.parquet").exists():
        print(f"generating the national preset into {national} ...", flush=True)
        write_dataset("national", 0, national)
    tiny = Path("/tmp/allocator-bench-tiny")
    if not (tiny / "members.parquet").exists():
        write_dataset("tiny", 0, tiny)

    results: dict[str, Any] = {"date": DAY.isoformat(), "machine_cores": _cores()}
    # Both backends, same ruleset, same data, same run.
    durable = measure(tiny, "durable", threads=1)
    vector_tiny = measure(tiny, "vector", threads=1)
    same_10k = subset(national, Path("/tmp/allocator-bench-10000"), 10_000)
    durable_10k = measure(same_10k, "durable", threads=1)
    vector_10k = measure(same_10k, "vector", threads=1)
    results["backends"] = {
        "tiny": {"durable": durable, "vector": vector_tiny},
        "10k": {"durable": durable_10k, "vector": vector_10k},
        "ratio_vector_over_durable_10k": round(
            vector_10k["households_per_second"] / durable_10k["households_per_second"], 1
        ),
    }
    curve = []
    for n in CURVE:
        data = subset(national, Path(f"/tmp/allocator-bench-{n}"), n)
        for threads in (1, args.threads):
            curve.append(measure(data, "vector", threads=threads))
        curve.append(measure(data, "vector", threads=args.threads, decisions=False))
    results["vector_curve"] = curve
    if not args.skip_national:
        results["national"] = [
            measure(national, "vector", threads=args.threads, decisions=True),
            measure(national, "vector", threads=args.threads, decisions=False),
        ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "classify.json").write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def _print(results: dict[str, Any]) -> None:
    rows = [
        results["backends"]["10k"]["durable"],
        results["backends"]["10k"]["vector"],
        *results["vector_curve"],
        *results.get("national", []),
    ]
    print(
        f"{'backend':8} {'households':>11} {'thr':>3} {'decisions':>9} {'seconds':>8} "
        f"{'hh/s':>11} {'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r['backend']:8} {r['households']:>11,} {r['threads']:>3} {r['decisions']!s:>9} "
            f"{r['seconds']:>8.2f} {r['households_per_second']:>11,} {r['peak_rss_mb']:>8,}"
        )
    print(
        f"vector / durable on the same 10k households: "
        f"{results['backends']['ratio_vector_over_durable_10k']}x"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        data, out, backend, threads, decisions = sys.argv[2:7]
        print(json.dumps(_one(Path(data), Path(out), backend, int(threads), decisions == "1")))
    else:
        main()
