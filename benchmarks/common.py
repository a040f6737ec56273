"""Shared helpers of the benchmark scripts: timing, peak memory, writing results."""

from __future__ import annotations

import json
import platform
import resource
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Print ``result`` and save it as ``benchmarks/results/<name>.json``."""
    result = {
        "benchmark": name,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        **result,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return path
