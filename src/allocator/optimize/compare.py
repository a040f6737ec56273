"""What changed between two run directories (plain data; the CLI prints it).

Examples:
    >>> import tempfile
    >>> from dataclasses import replace
    >>> from allocator.optimize.demand import synthetic_demand
    >>> from allocator.optimize.outputs import write_plan
    >>> from allocator.optimize.params import OptimizeParams
    >>> from allocator.optimize.solve import optimize
    >>> d = synthetic_demand(3, 4, 0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     a, b = Path(tmp, "a"), Path(tmp, "b")
    ...     _ = write_plan(optimize(d, OptimizeParams(budget_total=1e9)), d, a)
    ...     _ = write_plan(optimize(d, OptimizeParams(budget_total=2e9)), d, b)
    ...     diff = compare_runs(a, b)
    >>> diff["budget"]["total"]["delta"] > 0
    True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from allocator.errors import DataError
from allocator.optimize.outputs import ALLOCATION_FILE, NEIGHBORHOODS_OUT_FILE, SUMMARY_FILE

TIERS = (1, 2, 3, 4)


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """Differences b - a: need met per tier, per province, per agency; workers and money moved.

    Returns a dict with ``status``, ``objective``, ``outcome_points`` (comparable across
    objective modes and alphas, unlike the objective), ``need_met`` (per tier), ``provinces`` and
    ``agencies`` (per name: served units, workers, budget, each as a/b/delta), ``workers``
    and ``budget`` (totals plus ``moved``: the sum of increases over neighborhoods, i.e.
    how much was taken from some neighborhoods and given to others).
    """
    a, b = _load(run_a), _load(run_b)
    out: dict[str, Any] = {
        "run_a": str(run_a),
        "run_b": str(run_b),
        "status": {"a": a["summary"]["status"], "b": b["summary"]["status"]},
        "objective": _delta(a["summary"]["objective"] or 0.0, b["summary"]["objective"] or 0.0),
        # comparable across objective modes and alphas (objectives are not): None for runs
        # written before outcome points were
        "outcome_points": _points(a["summary"], b["summary"]),
        "need_met": {},
    }
    for t in TIERS:
        ta, tb = a["summary"]["need_met"][t - 1], b["summary"]["need_met"][t - 1]
        out["need_met"][f"tier{t}"] = {
            **_delta(ta["served"], tb["served"]),
            "share_a": ta["share"],
            "share_b": tb["share"],
        }
    for level in ("province", "agency"):
        ga, gb = _group(a["nb"], level), _group(b["nb"], level)
        out["provinces" if level == "province" else "agencies"] = {
            name: {k: _delta(ga.get(name, {}).get(k, 0.0), gb.get(name, {}).get(k, 0.0))
                   for k in ("served", "workers", "budget")}
            for name in sorted(set(ga) | set(gb))
        }  # fmt: skip
    joined = _join(a["nb"], b["nb"])
    for key, col in (("workers", "workers"), ("budget", "budget_spent")):
        da = joined[f"{col}_a"]
        db = joined[f"{col}_b"]
        change = db - da
        out[key] = {
            "total": _delta(float(da.sum()), float(db.sum())),
            "moved": float(np.clip(change, 0, None).sum()),
            "neighborhoods_gaining": int((change > 1e-6).sum()),
            "neighborhoods_losing": int((change < -1e-6).sum()),
        }
    return out


def _load(run: Path) -> dict[str, Any]:
    for name in (SUMMARY_FILE, NEIGHBORHOODS_OUT_FILE, ALLOCATION_FILE):
        if not (run / name).is_file():
            raise DataError(f"{run}: not a run directory (no {name})", name)
    return {
        "summary": json.loads((run / SUMMARY_FILE).read_text()),
        "nb": pq.read_table(run / NEIGHBORHOODS_OUT_FILE),
    }


def _group(nb: pa.Table, level: str) -> dict[str, dict[str, float]]:
    served = pc.add(
        pc.add(nb.column("met_tier1"), nb.column("met_tier2")),
        pc.add(nb.column("met_tier3"), nb.column("met_tier4")),
    )
    t = pa.table(
        {
            "name": nb.column(level).cast(pa.string()),
            "served": served,
            "workers": nb.column("workers"),
            "budget": nb.column("budget_spent"),
        }
    )
    g = t.group_by("name").aggregate([("served", "sum"), ("workers", "sum"), ("budget", "sum")])
    return {
        row["name"]: {"served": row["served_sum"], "workers": row["workers_sum"],
                      "budget": row["budget_sum"]}
        for row in g.to_pylist()
    }  # fmt: skip


def _join(a: pa.Table, b: pa.Table) -> dict[str, np.ndarray]:
    """Neighborhood columns of both runs aligned on neighborhood_id (missing = 0)."""
    ids = np.union1d(a.column("neighborhood_id").to_numpy(), b.column("neighborhood_id").to_numpy())
    out: dict[str, np.ndarray] = {}
    for tag, t in (("a", a), ("b", b)):
        pos = np.searchsorted(ids, t.column("neighborhood_id").to_numpy())
        for col in ("workers", "budget_spent"):
            arr = np.zeros(ids.size)
            arr[pos] = t.column(col).to_numpy()
            out[f"{col}_{tag}"] = arr
    return out


def _points(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float] | None:
    pa_, pb = a.get("outcome_points"), b.get("outcome_points")
    return None if pa_ is None or pb is None else _delta(float(pa_), float(pb))


def _delta(a: float, b: float) -> dict[str, float]:
    return {"a": float(a), "b": float(b), "delta": float(b) - float(a)}
