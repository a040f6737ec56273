"""Sweeps: solve one scenario many times with its resources scaled, from one demand.

``allocator sweep SCENARIO.yaml --vary budget=0.5:1.5:11 --out DIR`` classifies and
aggregates the demand once, then solves every variant locally or on Dask and writes
``sweep.parquet`` (one row per variant), ``sweep.json`` and ``variants/<k>/summary.json``.
"""

from __future__ import annotations

from allocator.sweeps.engines import DaskEngine, LocalEngine, SweepEngine
from allocator.sweeps.run import SweepResult, run_sweep, sweep_json, sweep_table, write_sweep
from allocator.sweeps.scale import vary_scenario
from allocator.sweeps.spec import VARY_NAMES, VarySpec, grid, parse_vary
from allocator.sweeps.task import VariantResult, VariantTask, solve_variant

__all__ = [
    "VARY_NAMES",
    "DaskEngine",
    "LocalEngine",
    "SweepEngine",
    "SweepResult",
    "VariantResult",
    "VariantTask",
    "VarySpec",
    "grid",
    "parse_vary",
    "run_sweep",
    "solve_variant",
    "sweep_json",
    "sweep_table",
    "vary_scenario",
    "write_sweep",
]
