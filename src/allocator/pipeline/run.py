"""Classify a data directory row group by row group and write the results.

Outputs (in ``out_dir``): ``decisions.parquet`` (one row group per input row group),
``rejects.parquet``, ``demand.parquet``, ``services.parquet``, ``why_not.parquet`` and
``summary.json``. Every table is checked before anything is written; each file is written
under a temporary name and renamed when the run completes. Row groups are prepared and
classified in a worker thread while the previous one is written (NumPy and Parquet release
the GIL), so memory stays bounded by about two row groups.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.backends.vector import BatchResult
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE, NEIGHBORHOODS_FILE
from allocator.errors import DataError

from .catalogue import services_table
from .decisions import DecisionsBuilder
from .engines import DurableBatchEngine, Engine, classify_batch
from .neighborhoods import NeighborhoodTable
from .prepare import REASONS, Prepared, prepare
from .totals import Totals

OUTPUTS = (
    "decisions.parquet",
    "rejects.parquet",
    "demand.parquet",
    "services.parquet",
    "why_not.parquet",
    "summary.json",
)
REJECTS_SCHEMA = pa.schema(
    [
        ("household_id", pa.int64()),
        ("row_group", pa.int32()),
        ("reason", pa.dictionary(pa.int8(), pa.string())),
    ]
)
#: Progress callback: (row groups done, row groups in all, households done).
Progress = Callable[[int, int, int], None]


@dataclass
class _Step:
    prepared: Prepared
    result: BatchResult
    table: pa.Table | None


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    dictionaries = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    return pq.ParquetWriter(
        path,
        schema,
        compression="snappy",
        use_dictionary=dictionaries,
        write_statistics=False,
        write_batch_size=1 << 16,
    )


def check_output(out_dir: Path, force: bool) -> None:
    """Refuse to overwrite a previous run's outputs unless ``force``."""
    existing = [name for name in OUTPUTS if (out_dir / name).exists()]
    if existing and not force:
        raise DataError(f"{out_dir} already holds {', '.join(existing)}; use --force to replace")


def classify_dataset(
    data_dir: Path,
    out_dir: Path,
    ruleset: RuleSet,
    day: date,
    engine: Engine | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
    threads: int = 2,
    decisions: bool = True,
) -> dict[str, Any]:
    """Classify every household of ``data_dir`` into ``out_dir``; returns the summary.

    Args:
        engine: the backend (default: the vector backend of ``ruleset``); see
            :func:`engine_for`.
        decisions: write ``decisions.parquet`` (per household); without it only the
            aggregates are written, which is several times faster.
        threads: 2 overlaps preparing and classifying the next row group with writing the
            previous one; 1 runs everything in the calling thread.

    Raises:
        DataError: a table is missing, a column is missing or has the wrong type (nothing is
            written then), or ``out_dir`` holds outputs and ``force`` is not set.
        ParameterNotCoveredError: a parameter has no value on ``day``.
    """
    from .schema import open_tables

    started = time.perf_counter()
    files = open_tables(data_dir)
    neighborhoods = NeighborhoodTable.from_arrow(files[NEIGHBORHOODS_FILE].read())
    check_output(out_dir, force)
    if engine is None:
        from allocator.backends.vector import VectorBackend

        engine = VectorBackend(ruleset)
    ruleset.parameters.at(day)  # fail before writing if a parameter is not covered
    builder = DecisionsBuilder(ruleset)
    totals = Totals(ruleset, neighborhoods)
    households, members = files[HOUSEHOLDS_FILE], files[MEMBERS_FILE]
    groups = households.num_row_groups
    active_engine = engine

    def step(i: int) -> _Step:
        prepared = prepare(households.read_row_group(i), members.read_row_group(i), neighborhoods)
        result = classify_batch(prepared.batch, active_engine, day)
        return _Step(prepared, result, builder.table(result) if decisions else None)

    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [name for name in OUTPUTS if decisions or name != "decisions.parquet"]
    temp = {name: out_dir / f".{name}.partial" for name in outputs}
    reasons = pa.array(REASONS, pa.string())
    try:
        with _writer(temp["rejects.parquet"], REJECTS_SCHEMA) as rejects:
            out = _writer(temp["decisions.parquet"], builder.schema) if decisions else None
            done = 0
            for i, s in enumerate(_steps(step, groups, threads)):
                if out is not None and s.table is not None:
                    out.write_table(s.table, row_group_size=max(s.table.num_rows, 1))
                p = s.prepared
                if len(p.rejected_ids):
                    rejects.write_table(
                        pa.Table.from_arrays(
                            [
                                pa.array(p.rejected_ids, pa.int64()),
                                pa.array(np.full(len(p.rejected_ids), i, dtype=np.int32)),
                                pa.DictionaryArray.from_arrays(
                                    pa.array(p.rejected_reasons), reasons
                                ),
                            ],
                            schema=REJECTS_SCHEMA,
                        )
                    )
                totals.add(p, s.result)
                done += s.result.n_households
                if progress:
                    progress(i + 1, groups, done)
            if out is not None:
                out.close()
        pq.write_table(totals.demand_table(), temp["demand.parquet"])
        pq.write_table(services_table(ruleset), temp["services.parquet"])
        pq.write_table(totals.why_not_table(), temp["why_not.parquet"])
        seconds = time.perf_counter() - started
        summary = {
            **totals.summary(),
            "seconds": round(seconds, 3),
            "households_per_second": round(totals.read / seconds) if seconds else None,
            "ruleset": ruleset.identity(),
            "date": day.isoformat(),
            "backend": engine.name,
            "data_dir": str(data_dir),
        }
        temp["summary.json"].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        for name in outputs:
            temp[name].replace(out_dir / name)
    except BaseException:
        for path in temp.values():
            path.unlink(missing_ok=True)
        raise
    return summary


def _steps(step: Callable[[int], _Step], groups: int, threads: int) -> Iterator[_Step]:
    """``step(0)``, ``step(1)``, ... with the next one computed while the caller writes."""
    if threads <= 1:
        for i in range(groups):
            yield step(i)
        return
    with ThreadPoolExecutor(max_workers=threads - 1) as pool:
        pending: Future[_Step] | None = pool.submit(step, 0) if groups else None
        for i in range(groups):
            assert pending is not None
            current = pending.result()
            pending = pool.submit(step, i + 1) if i + 1 < groups else None
            yield current


def engine_for(name: str, ruleset: RuleSet, data_dir: Path) -> Engine:
    """The engine called ``name`` (``vector`` or ``durable``) for a data directory."""
    if name == "vector":
        from allocator.backends.vector import VectorBackend

        return VectorBackend(ruleset)
    if name == "durable":
        from .schema import open_tables

        table = open_tables(data_dir)[NEIGHBORHOODS_FILE].read()
        return DurableBatchEngine(ruleset, NeighborhoodTable.from_arrow(table).models)
    raise DataError(f"unknown backend {name!r} (expected vector or durable)")
