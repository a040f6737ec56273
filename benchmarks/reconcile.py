"""Benchmark ``allocator reconcile``: two agencies' data sets that share part of their families.

Builds, from a synthetic data set (``mazandaran`` or ``program-2020``, cut to size), two agencies'
data sets with valid national IDs and ``case_files.parquet``, as ``allocator import`` writes
them: the *relief* agency has every household; the *welfare* agency has ``--overlap`` of them
(the same people; one in ten with a different income, so conflicts are reported) and as
many again of its own families, which only it knows. Then reconciles them in a fresh process
(its peak memory is the reconciliation's alone) and reports seconds per stage, households
per second and peak RSS; saves ``benchmarks/results/reconcile.json``.

Usage::

    PYTHONPATH=src python benchmarks/reconcile.py [--households 200000] [--overlap 0.4]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_result

CHILD = """
import json, resource, sys, time
from pathlib import Path
from allocator.importing.reconcile import reconcile
from allocator.importing.reconcile_write import write_merged
from allocator.importing.sources import neighborhoods_file, read_source
dirs, out = [Path(p) for p in sys.argv[1:-1]], Path(sys.argv[-1])
out.mkdir()
t0 = time.perf_counter()
sources = [read_source(i, d) for i, d in enumerate(dirs)]
t1 = time.perf_counter()
merged = reconcile(sources)
t2 = time.perf_counter()
summary = write_merged(out, merged, sources, neighborhoods_file(dirs))
t3 = time.perf_counter()
print(json.dumps({"read_s": t1 - t0, "reconcile_s": t2 - t1, "write_s": t3 - t2,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "summary": summary}))
"""


def national_ids(start: int, n: int) -> pa.Array:
    """``n`` distinct valid national IDs (a multiplier prime to 10^9 permutes nine digits)."""
    body = (np.arange(start, start + n, dtype=np.int64) * 7919 + 123_456_789) % 10**9
    digits = np.stack([(body // 10 ** (8 - i)) % 10 for i in range(9)], axis=1)
    total = (digits * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = np.where(total < 2, total, 11 - total)
    return pa.array([f"{b:09d}{c}" for b, c in zip(body.tolist(), check.tolist(), strict=True)])


def agency(out: Path, name: str, households: pa.Table, members: pa.Table, base: Path) -> None:
    """Write one agency's data set (its members carry national IDs), case files numbered by
    the agency."""
    out.mkdir(parents=True)
    pq.write_table(households, out / "households.parquet", row_group_size=1 << 30)
    mine = members.filter(pc.is_in(members["household_id"], households["household_id"]))
    pq.write_table(mine, out / "members.parquet", row_group_size=1 << 30)
    neighborhoods = base / "neighborhoods.parquet"
    shutil.copy(neighborhoods, out / "neighborhoods.parquet")
    n = households.num_rows
    case_files = pa.table(
        {
            "household_id": households["household_id"],
            "source": pa.array([name] * n),
            "case_file": pc.binary_join_element_wise(
                name, pc.cast(households["household_id"], pa.string()), "-"
            ),
            "holds_case_files": pa.array([True] * n),
        }
    )
    pq.write_table(case_files, out / "case_files.parquet")


def build(base: Path, tmp: Path, n: int, overlap: float) -> list[Path]:
    """The two agencies' data sets; the relief agency's first (it leads)."""
    households = pq.read_table(base / "households.parquet")
    shared = int(n * overlap)
    if 2 * n - shared > households.num_rows:
        raise SystemExit(f"the base data set has only {households.num_rows:,} households")
    households = households.slice(0, 2 * n - shared)
    members = pq.read_table(base / "members.parquet")
    members = members.filter(pc.is_in(members["household_id"], households["household_id"]))
    # a person has one ID whichever agency registers them
    members = members.append_column("national_id", national_ids(0, members.num_rows))
    relief_h = households.slice(0, n)
    # welfare: the first ``shared`` households (the same people), then its own families
    rng = np.random.default_rng(0)
    welfare_h = pa.concat_tables([households.slice(0, shared), households.slice(n, n - shared)])
    income = welfare_h["income"].to_numpy(zero_copy_only=False).copy()
    changed = rng.random(len(income)) < 0.1
    income[changed] = income[changed] + 1_000_000
    welfare_h = welfare_h.set_column(
        welfare_h.schema.get_field_index("income"), "income", pa.array(income)
    )
    dirs = [tmp / "relief", tmp / "welfare"]
    agency(dirs[0], "relief_committee", relief_h, members, base)
    agency(dirs[1], "welfare_organization", welfare_h, members, base)
    return dirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--overlap", type=float, default=0.4)
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(dir=args.tmp))
    try:
        from allocator.data import write_dataset

        started = time.perf_counter()
        needed = 2 * args.households - int(args.households * args.overlap)
        preset = "mazandaran" if needed <= 160_000 else "program-2020"
        info = write_dataset(preset, 0, tmp / "base")
        print(f"base data set: {info.households:,} households", file=sys.stderr)
        dirs = build(tmp / "base", tmp, args.households, args.overlap)
        print(f"agencies written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, *map(str, dirs), str(tmp / "out")],
            capture_output=True,
            text=True,
        )
        if child.returncode:
            raise SystemExit(f"reconcile failed:\n{child.stderr}")
        measured: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary = measured.pop("summary")
    rows = 2 * args.households  # each agency's households
    total = measured["read_s"] + measured["reconcile_s"] + measured["write_s"]
    write_result(
        "reconcile",
        {
            "households_in": rows,
            "overlap": args.overlap,
            **{k: round(v, 2) for k, v in measured.items()},
            "total_s": round(total, 2),
            "households_per_s": round(rows / total),
            "merged_households": summary.get("households"),
            "conflicts": summary.get("conflicts"),
            "summary_keys": sorted(summary),
        },
    )


if __name__ == "__main__":
    main()
