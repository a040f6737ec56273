"""Local engine against the Dask engine (2 worker processes) on one large data set.

Both classify the same data into a result directory, in one run of this script, so their
ratio is meaningful; each local measurement runs in its own subprocess. The Dask run starts a
``LocalCluster`` (2 worker processes, 1 thread each); its time includes the cluster start.
Peak memory per worker is each worker's ``ru_maxrss``, asked through ``client.run``.

    python benchmarks/classify_dask.py [--data /tmp/data-national] [--preset national]

Writes ``benchmarks/results/classify_dask.json``.
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


def _run(data: Path, out: Path, engine: str, threads: int) -> dict[str, Any]:
    from allocator.api.ruleset import default_rules_dir
    from allocator.loading import load_ruleset
    from allocator.pipeline import DaskRunner, LocalRunner, classify_dataset

    ruleset = load_ruleset(default_rules_dir())
    runner = DaskRunner(workers=2) if engine == "dask" else LocalRunner(threads)
    started = time.perf_counter()
    summary = classify_dataset(data, out, ruleset, DAY, force=True, runner=runner)
    seconds = time.perf_counter() - started
    found = {
        "engine": engine,
        "threads": threads if engine == "local" else 1,
        "workers": 2 if engine == "dask" else 0,
        "households": summary["households_read"],
        "partitions": summary["row_groups"],
        "seconds": round(seconds, 3),
        "households_per_second": round(summary["households_read"] / seconds),
        "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if isinstance(runner, DaskRunner):
        found["worker_peak_rss_mb"] = {
            address: round(mb) for address, mb in sorted(runner.worker_peak_rss_mb.items())
        }
    return found


def measure(data: Path, engine: str, threads: int = 2) -> dict[str, Any]:
    out = Path("/tmp") / f"allocator-bench-dask-out-{engine}"
    cmd = [sys.executable, __file__, "--one", str(data), str(out), engine, str(threads)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


def same_parts(a: Path, b: Path) -> bool:
    """Whether two result directories hold byte-identical part files."""
    names = sorted(p.name for p in (a / "parts").iterdir())
    if names != sorted(p.name for p in (b / "parts").iterdir()):
        return False
    return all((a / "parts" / n).read_bytes() == (b / "parts" / n).read_bytes() for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("/tmp/data-national"))
    parser.add_argument("--preset", default="national")
    args = parser.parse_args()
    if not (args.data / "members.parquet").exists():
        from allocator.data.writer import write_dataset

        print(f"generating {args.preset} into {args.data} ...", flush=True)
        write_dataset(args.preset, 0, args.data)
    local = measure(args.data, "local", threads=2)
    local_1 = measure(args.data, "local", threads=1)
    dask = measure(args.data, "dask")
    result = {
        "date": DAY.isoformat(),
        "data": str(args.data),
        "local": local,
        "local_one_thread": local_1,
        "dask": dask,
        "ratio_dask_over_local": round(
            dask["households_per_second"] / local["households_per_second"], 2
        ),
        "ratio_dask_over_local_one_thread": round(
            dask["households_per_second"] / local_1["households_per_second"], 2
        ),
        "parts_identical": same_parts(
            Path("/tmp/allocator-bench-dask-out-local"), Path("/tmp/allocator-bench-dask-out-dask")
        ),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "classify_dask.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        data, out, engine, threads = sys.argv[2:6]
        print(json.dumps(_run(Path(data), Path(out), engine, int(threads))))
    else:
        main()
