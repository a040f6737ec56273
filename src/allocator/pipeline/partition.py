"""One partition (input row group) classified into its part files: the unit of work.

:func:`classify_partition` is a pure function of (data directory, row group index, ruleset,
date, options): it reads row group ``i`` of households and members, checks it, classifies it
and writes ``parts/decisions-{i:05d}.parquet`` (unless decisions are ``none``),
``parts/rejects-…``, ``parts/demand-…``, ``parts/why_not-…`` and, last, ``parts/summary-….json``,
whose presence marks the partition done. Every file goes through a temporary name and a rename,
and none holds a timestamp or a timing, so a partition computed twice (by a resumed run, or by
another engine) has the same bytes. The local engine runs it in threads, the Dask engine in
worker processes; per process, the ruleset's compiled plan and the neighborhood table are
built once and reused.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from allocator.api.ruleset import RuleSet
from allocator.backends.base import BatchEngine
from allocator.backends.registry import backend
from allocator.backends.vector.engine import kernel_choice
from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE, NEIGHBORHOODS_FILE
from allocator.errors import DataError

from .decisions import CompactBuilder, DecisionsBuilder
from .memory import tune_memory
from .neighborhoods import NeighborhoodTable
from .options import RunOptions
from .prepare import REASONS, prepare
from .schema import open_tables
from .totals import PartitionTotals

PARTS = "parts"
REJECTS_SCHEMA = pa.schema(
    [
        ("household_id", pa.int64()),
        ("row_group", pa.int32()),
        ("reason", pa.dictionary(pa.int8(), pa.string())),
    ]
)
_lock = threading.RLock()
_neighborhoods: dict[tuple[str, int, int], NeighborhoodTable] = {}
_engines: dict[tuple[str, str, str], BatchEngine] = {}


def part_path(work_dir: Path, kind: str, index: int) -> Path:
    """Where part ``kind`` of partition ``index`` goes.

    Examples:
        >>> part_path(Path("out"), "summary", 3).as_posix()
        'out/parts/summary-00003.json'
    """
    suffix = "json" if kind == "summary" else "parquet"
    return Path(work_dir) / PARTS / f"{kind}-{index:05d}.{suffix}"


def write_parquet(table: pa.Table, path: Path, encodings: dict[str, str] | None = None) -> None:
    """Write ``table`` as one row group, through a temporary name (deterministic bytes).

    Dictionary columns stay dictionary-encoded; ``encodings`` names other columns' encodings
    (``DELTA_BINARY_PACKED`` for sorted ids: a few bits per row instead of eight bytes).
    """
    tmp = path.parent / f".{path.name}.tmp"
    # Dictionary columns stay dictionaries; plain strings (few distinct values in every
    # table written here) get dictionary pages too: 3x faster to write than plain pages.
    dictionaries = [
        f.name for f in table.schema if pa.types.is_dictionary(f.type) or f.type == pa.string()
    ]
    pq.write_table(
        table,
        tmp,
        row_group_size=max(table.num_rows, 1),
        compression="lz4",
        use_dictionary=dictionaries,
        column_encoding=encodings,
        write_statistics=False,
    )
    _sync(tmp)
    tmp.replace(path)


def read_parquet(path: Path) -> pa.Table:
    """A whole Parquet file (``pq.read_table`` would import ``pyarrow.dataset``: 10 ms)."""
    return pq.ParquetFile(path).read()


class DamagedFileError(DataError):
    """A Parquet file of the data set cannot be decoded (a corrupt page, a cut file)."""


def read_group(
    files: dict[str, pq.ParquetFile], data_dir: Path, name: str, index: int, threads: bool
) -> pa.Table:
    """Row group ``index`` of the table ``name``.

    Raises:
        DamagedFileError: the row group cannot be decoded, naming the file.
    """
    try:
        table: pa.Table = files[name].read_row_group(index, use_threads=threads)
    except (OSError, pa.ArrowException) as exc:
        raise DamagedFileError(
            f"{Path(data_dir) / name}: row group {index} cannot be read, the file is damaged "
            f"({exc}); restore or regenerate it",
            table=name,
        ) from None
    return table


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as indented JSON, through a temporary name."""
    tmp = path.parent / f".{path.name}.tmp"
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _sync(tmp)
    tmp.replace(path)


def _sync(path: Path) -> None:
    """Flush a file to disk: a partition whose summary exists is on disk whole, and the
    flushing happens in the worker, overlapped with other partitions, not at publication."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def neighborhoods_of(data_dir: Path) -> NeighborhoodTable:
    """The data directory's neighborhood table, read once per process (and file version)."""
    path = Path(data_dir) / NEIGHBORHOODS_FILE
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        found = _neighborhoods.get(key)
    if found is None:
        found = NeighborhoodTable.from_arrow(read_parquet(path))
        with _lock:
            _neighborhoods[key] = found
    return found


def engine_of(ruleset: RuleSet, name: str, data_dir: Path) -> BatchEngine:
    """The engine of backend ``name`` for ``ruleset``, built once per process.

    A backend that decides from neighborhood models gets those of ``data_dir`` (one engine
    per data directory); one with kernels is keyed by the kernel asked for
    (``$ALLOCATOR_KERNEL``, read when the engine is made).

    Raises:
        DataError: no backend is called ``name``.
    """
    spec = backend(name)
    if spec.capabilities.neighborhoods:
        key = (ruleset.hash, spec.name.value, str(Path(data_dir).resolve()))
    else:
        key = (ruleset.hash, spec.name.value, kernel_choice() if spec.capabilities.kernels else "")
    with _lock:
        found = _engines.get(key)
        if found is None:
            found = spec.make(ruleset, lambda: neighborhoods_of(data_dir).models)
            _engines[key] = found
    return found


def _rejects(prepared_ids: Any, reasons: Any, index: int) -> pa.Table:
    return pa.Table.from_arrays(
        [
            pa.array(prepared_ids, pa.int64()),
            pa.array(np.full(len(prepared_ids), index, dtype=np.int32)),
            pa.DictionaryArray.from_arrays(
                pa.array(reasons, pa.int8()), pa.array(REASONS, pa.string())
            ),
        ],
        schema=REJECTS_SCHEMA,
    )


def classify_partition(
    data_dir: Path,
    index: int,
    ruleset: RuleSet,
    day: date,
    options: RunOptions,
    work_dir: Path,
    read_threads: bool = True,
) -> dict[str, Any]:
    """Classify row group ``index`` of ``data_dir`` into ``work_dir/parts``; its summary.

    ``read_threads`` lets Arrow decode the row group's columns in its own threads (off when
    partitions already run in as many threads as there are cores).

    Returns:
        The partition summary (also written as ``parts/summary-{index:05d}.json``): counts,
        rejects by reason and eligibility by (service, province, tier).
    """
    tune_memory()
    data_dir, work_dir = Path(data_dir), Path(work_dir)
    files = open_tables(data_dir)
    neighborhoods = neighborhoods_of(data_dir)
    prepared = prepare(
        read_group(files, data_dir, HOUSEHOLDS_FILE, index, read_threads),
        read_group(files, data_dir, MEMBERS_FILE, index, read_threads),
        neighborhoods,
    )
    result = engine_of(ruleset, options.backend, data_dir).classify(prepared.batch, day)
    if options.decisions != "none":
        builder = CompactBuilder if options.decisions == "compact" else DecisionsBuilder
        table = builder(ruleset).table(result)
        write_parquet(table, part_path(work_dir, "decisions", index), builder.encodings)
        decision_rows = table.num_rows
    else:
        decision_rows = 0
    rejects = _rejects(prepared.rejected_ids, prepared.rejected_reasons, index)
    write_parquet(rejects, part_path(work_dir, "rejects", index))
    totals = PartitionTotals(ruleset, neighborhoods, prepared, result)
    write_parquet(totals.demand_table(), part_path(work_dir, "demand", index))
    write_parquet(totals.why_not_table(), part_path(work_dir, "why_not", index))
    write_parquet(totals.casefiles_table(), part_path(work_dir, "casefiles", index))
    summary = {"partition": index, **totals.summary(), "decision_rows": decision_rows}
    write_json(summary, part_path(work_dir, "summary", index))
    return summary


@dataclass(frozen=True)
class PartitionJob:
    """Everything a worker needs to classify any partition of a run (picklable).

    Calling it with a partition index runs :func:`classify_partition`.
    """

    data_dir: Path
    ruleset: RuleSet
    day: date
    options: RunOptions
    work_dir: Path
    read_threads: bool = True

    def __call__(self, index: int) -> dict[str, Any]:
        return classify_partition(
            self.data_dir,
            index,
            self.ruleset,
            self.day,
            self.options,
            self.work_dir,
            self.read_threads,
        )


def worker_rss_mb() -> float:
    """Peak resident memory of the calling process, in MB (Linux ``ru_maxrss``)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if os.name == "posix" else 0
