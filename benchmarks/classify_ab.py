"""Two source trees on the same data, run alternately: is the classification any slower?

The machine's speed drifts by up to 3x between runs of a script, so two versions are only
compared within one run of this one: each round runs ``benchmarks/classify.py --one`` (a
fresh process, end to end from Parquet to the published result directory) once with each
tree first on ``PYTHONPATH``, in the order A B B A A B ..., and the ratio of the medians is
reported.

    python benchmarks/classify_ab.py --before /work/main/src --after src \\
        --source ~/.cache/allocator/data/program-2020-seed0 --households 1000000

Writes ``benchmarks/results/classify-ab.json`` (or ``--out``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run_once(tree: Path, data: Path, kernel: str, threads: int) -> dict[str, Any]:
    """One classification of ``data`` by the sources under ``tree``, in a fresh process."""
    out = Path("/tmp") / f"allocator-ab-out-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    args = ["--one", str(data), str(out), "vector", str(threads), "compact", kernel]
    done = subprocess.run(
        [sys.executable, str(HERE / "classify.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(out, ignore_errors=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="src/ of the old version")
    parser.add_argument("--after", type=Path, required=True, help="src/ of the new version")
    parser.add_argument("--source", type=Path, required=True, help="a generated data set")
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kernel", default="c")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "classify-ab.json")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from classify import subset  # the subset the main benchmark uses

    data = subset(args.source, Path(f"/tmp/allocator-bench-{args.households}"), args.households)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    order = ["before", "after", "after", "before"] * ((args.rounds + 1) // 2)
    for name in order[: 2 * args.rounds]:
        result = run_once(trees[name], data, args.kernel, args.threads)
        runs[name].append(result)
        print(name, json.dumps(result), flush=True)
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    report = {
        "households": args.households,
        "kernel": args.kernel,
        "threads": args.threads,
        "trees": {k: str(v) for k, v in trees.items()},
        "order": order[: 2 * args.rounds],
        "runs": runs,
        "median_seconds": median,
        "ratio_after_over_before": round(median["after"] / median["before"], 3),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"median before {median['before']:.2f} s, after {median['after']:.2f} s: "
        f"ratio after/before {report['ratio_after_over_before']}"
    )


if __name__ == "__main__":
    main()
