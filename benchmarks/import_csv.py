"""Benchmark ``allocator import``: 1 M households and their members from an agency's CSV.

Generates, in a temporary directory, ``households.csv`` and ``members.csv`` with the Persian
headers of ``examples/agency/mapping.yaml``: Persian digits everywhere, thousands separators
in amounts, Jalali dates of birth, valid national IDs (a few rows are made invalid on
purpose, so the reject path runs too). Then imports them in a fresh process (so that its peak
memory is the import's alone: VmHWM of ``/proc/self/status``) and reports seconds, member
rows per second (target: at least 500,000) and peak memory; saves
``benchmarks/results/import_csv.json``. With ``--baseline COMMIT`` the ``src`` of that
commit imports the same files too, alternately with the current code (``--repeats`` times
each), so that both see the same load; medians, bests and their ratio are reported.

Usage::

    PYTHONPATH=src python benchmarks/import_csv.py [--households 1000000] [--tmp /tmp]
        [--repeats 5] [--baseline main] [--name import_csv]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_result

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "agency" / "mapping.yaml"
TARGET = 500_000
BAD_IDS = 100  # member rows given a wrong check digit on purpose


def persian(array: pa.Array) -> pa.Array:
    for ascii_digit, fa in zip("0123456789", "۰۱۲۳۴۵۶۷۸۹", strict=True):
        array = pc.replace_substring(array, ascii_digit, fa)
    return array


def national_ids(rng: np.random.Generator, n: int) -> pa.Array:
    # distinct IDs (a multiplier prime to 10^9 permutes the nine-digit numbers)
    first = (np.arange(n, dtype=np.int64) * 7_368_787 + int(rng.integers(10**9))) % 10**9
    digits = (first[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    rest = (digits @ np.arange(10, 1, -1)) % 11
    check = np.where(rest < 2, rest, 11 - rest)
    full = np.concatenate([digits, check[:, None]], axis=1).astype(np.uint8) + 48
    full[:BAD_IDS, 9] = 48 + (full[:BAD_IDS, 9] - 48 + 1) % 10
    return pa.Array.from_buffers(
        pa.string(),
        n,
        [
            None,
            pa.py_buffer(np.arange(0, 10 * n + 1, 10, dtype=np.int32)),
            pa.py_buffer(full.tobytes()),
        ],
    )


def choice(rng: np.random.Generator, words: list[str], n: int, p: list[float]) -> pa.Array:
    return pa.array(np.array(words, dtype=object)[rng.choice(len(words), size=n, p=p)])


def generate(directory: Path, households: int, seed: int = 0) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5, 6], size=households, p=[0.1, 0.15, 0.25, 0.3, 0.15, 0.05])
    keys = persian(pc.cast(pa.array(np.arange(1, households + 1) + 100_000), pa.string()))
    income = rng.integers(0, 20_000, size=households) * 1000
    income_text = persian(pa.array([f"{v:,}".replace(",", "٬") for v in income.tolist()]))
    pacsv.write_csv(
        pa.table(
            {
                "شماره پرونده": keys,
                "کد محله": persian(
                    pc.cast(pa.array(rng.integers(1, 2021, households)), pa.string())
                ),
                "درآمد ماهانه (تومان)": income_text,
                "دارایی (تومان)": persian(pc.cast(pa.array(income * 10), pa.string())),
                "وضعیت مسکن": choice(
                    rng,
                    ["ملکی", "استیجاری", "غیررسمی", "بی‌خانمان"],
                    households,
                    [0.5, 0.4, 0.08, 0.02],
                ),
                "نهاد پرونده‌دار": choice(
                    rng, ["ندارد", "کمیته امداد", "بهزیستی"], households, [0.8, 0.15, 0.05]
                ),
                "مستمری": choice(rng, ["بله", "خیر"], households, [0.1, 0.9]),
            }
        ),
        directory / "households.csv",
    )
    n = int(sizes.sum())
    owner = np.repeat(np.arange(households), sizes)
    first = np.zeros(n, dtype=bool)
    first[np.concatenate([[0], np.cumsum(sizes)[:-1]])] = True
    relation = np.where(first, "سرپرست", np.where(rng.random(n) < 0.3, "همسر", "فرزند"))
    year = np.where(first, rng.integers(1320, 1380, n), rng.integers(1330, 1400, n))
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 30, n)
    birth = pa.array(
        np.char.add(
            np.char.add(np.char.add(year.astype(str), "/"), np.char.zfill(month.astype(str), 2)),
            np.char.add("/", np.char.zfill(day.astype(str), 2)),
        )
    )
    no = pa.array(np.full(n, "خیر", dtype=object))
    pacsv.write_csv(
        pa.table(
            {
                "شماره پرونده": keys.take(pa.array(owner)),
                "کد ملی": persian(national_ids(rng, n)),
                "تاریخ تولد": persian(birth),
                "جنسیت": choice(rng, ["زن", "مرد"], n, [0.5, 0.5]),
                "نسبت با سرپرست": pa.array(relation.astype(object)),
                "بیمه": choice(rng, ["بله", "خیر"], n, [0.7, 0.3]),
                "کد معلولیت": pa.array(np.full(n, "۰", dtype=object)),
                "شدت معلولیت": pa.array(np.full(n, "ندارد", dtype=object)),
                "بیماری صعب‌العلاج": choice(rng, ["بله", "خیر"], n, [0.02, 0.98]),
                "محصل": choice(rng, ["بله", "خیر"], n, [0.2, 0.8]),
                "شاغل": choice(rng, ["بله", "خیر"], n, [0.3, 0.7]),
                "اعتیاد": no,
                "زندان": no,
            }
        ),
        directory / "members.csv",
    )
    return {"households": households, "member_rows": n}


_IMPORT = """
import json, resource, shutil, sys, time
from datetime import date
from pathlib import Path
from allocator.importing import import_dataset
d, out = Path(sys.argv[1]), Path(sys.argv[3])
start = time.perf_counter()
r = import_dataset(Path(sys.argv[2]), d / "households.csv", d / "members.csv", out,
                   date(2023, 6, 1), neighborhoods=d / "neighborhoods.parquet")
seconds = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_SELF)
try:  # this process's own peak (ru_maxrss may carry the parent's over an exec)
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
    peak, how = int(hwm) / 1024, "VmHWM"
except (OSError, IndexError):
    peak, how = use.ru_maxrss / 1024, "ru_maxrss"
shutil.rmtree(out, ignore_errors=True)
print(json.dumps({"seconds": seconds, "counts": r.counts,
                  "cpu_seconds": use.ru_utime + use.ru_stime,
                  "peak_rss_mb": peak, "peak_measured_as": how}))
"""


def _import(directory: Path, src: Path) -> dict[str, Any]:
    """One import of the generated files in a fresh process, with ``src`` on the path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(directory), str(MAPPING), str(directory / "out")],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        raise SystemExit(f"import ({src}) failed:\n{done.stderr}")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def _summary(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    seconds = sorted(r["seconds"] for r in runs)
    median = statistics.median(seconds)
    return {
        "seconds": [round(r["seconds"], 3) for r in runs],
        "median_seconds": round(median, 3),
        "best_seconds": round(seconds[0], 3),
        "median_member_rows_per_second": round(rows / median),
        "best_member_rows_per_second": round(rows / seconds[0]),
        "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in runs), 3),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "peak_measured_as": runs[0]["peak_measured_as"],
    }


def _baseline_src(commit: str, into: Path) -> Path:
    """``src`` of ``commit`` of this repository, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def run(
    households: int, tmp: str | None, repeats: int = 1, baseline: str | None = None
) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="import-bench-", dir=tmp))
    load_before = os.getloadavg()
    try:
        started = time.perf_counter()
        sizes = generate(directory, households)
        from allocator.importing.run import neighborhoods_from

        pq.write_table(neighborhoods_from(None), directory / "neighborhoods.parquet")
        generated = time.perf_counter() - started
        csv_bytes = sum((directory / f).stat().st_size for f in ("households.csv", "members.csv"))
        base_src = _baseline_src(baseline, directory) if baseline else None
        current: list[dict[str, Any]] = []
        base: list[dict[str, Any]] = []
        load_start = os.getloadavg()
        for _ in range(repeats):  # alternately, so that both see the same load
            if base_src is not None:
                base.append(_import(directory, base_src))
            current.append(_import(directory, ROOT / "src"))
        load_end = os.getloadavg()
    finally:
        if not os.environ.get("KEEP_BENCH"):
            shutil.rmtree(directory, ignore_errors=True)
    counts = current[0]["counts"]
    rows = counts["member_rows_read"]
    now = _summary(current, rows)
    seconds = now["median_seconds"]
    result: dict[str, Any] = {
        **sizes,
        "csv_megabytes": round(csv_bytes / 1e6, 1),
        "generate_seconds": round(generated, 2),
        "repeats": repeats,
        "import_seconds": seconds,
        "import_cpu_seconds": now["median_cpu_seconds"],
        "member_rows_per_second": round(rows / seconds),
        "household_rows_per_second": round(counts["households_read"] / seconds),
        "target_member_rows_per_second": TARGET,
        "target_met": rows / seconds >= TARGET,
        "peak_rss_mb": now["peak_rss_mb"],
        "current": now,
        "counts": counts,
        "load_average_before_generating": load_before,
        "load_average_before_imports": load_start,
        "load_average_after_imports": load_end,
        "cpus": os.cpu_count(),
    }
    if base_src is not None:
        then = _summary(base, rows)
        if base[0]["counts"] != counts:
            raise SystemExit(f"baseline counts differ: {base[0]['counts']} != {counts}")
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", baseline], capture_output=True, text=True
        ).stdout.strip()
        result["baseline"] = {"commit": baseline, "resolved": commit, **then}
        result["speedup_median"] = round(then["median_seconds"] / seconds, 3)
        result["speedup_best"] = round(then["best_seconds"] / now["best_seconds"], 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--tmp", default=None)
    parser.add_argument("--repeats", type=int, default=1, help="imports of each variant")
    parser.add_argument(
        "--baseline",
        metavar="COMMIT",
        default=None,
        help="also import with this commit's src, alternately with the current code",
    )
    parser.add_argument(
        "--name", default="import_csv", help="saved as benchmarks/results/NAME.json"
    )
    args = parser.parse_args()
    write_result(args.name, run(args.households, args.tmp, args.repeats, args.baseline))


if __name__ == "__main__":
    main()
