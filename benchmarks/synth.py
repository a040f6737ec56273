"""Benchmark the synthetic data generator: seconds, households/s and peak RSS for a preset.

Writes the preset into a temporary directory (deleted afterwards unless ``--keep``), prints a
summary and merges it, keyed by preset, into ``benchmarks/results/synth.json``.

Usage::

    PYTHONPATH=src python benchmarks/synth.py --preset program-2020
    PYTHONPATH=src python benchmarks/synth.py --preset national --tmp /tmp
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from allocator.data import write_dataset

RESULTS = Path(__file__).parent / "results" / "synth.json"


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(preset: str, seed: int, row_group: int, tmp: str | None, keep: bool) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(prefix=f"synth-{preset}-", dir=tmp))
    try:
        started = time.perf_counter()
        info = write_dataset(
            preset,
            seed,
            out,
            row_group_households=row_group,
            progress=lambda done, total: print(f"\r{done:,}/{total:,}", end="", flush=True),
        )
        seconds = time.perf_counter() - started
        print()
        sizes = {p.name: p.stat().st_size for p in info.files}
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    return {
        "preset": preset,
        "seed": seed,
        "row_group_households": row_group,
        "neighborhoods": info.neighborhoods,
        "households": info.households,
        "members": info.members,
        "seconds": round(seconds, 2),
        "households_per_second": round(info.households / seconds),
        "members_per_second": round(info.members / seconds),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "file_mb": {name: round(size / 1e6, 1) for name, size in sizes.items()},
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="program-2020")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--row-group", type=int, default=1_000_000)
    parser.add_argument("--tmp", default=None, help="parent of the temporary output directory")
    parser.add_argument("--keep", action="store_true", help="keep the written files")
    args = parser.parse_args()
    result = run(args.preset, args.seed, args.row_group, args.tmp, args.keep)
    print(json.dumps(result, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.preset] = result
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
