"""Write a preset as the three Parquet tables of :mod:`allocator.domain.tables`.

Households go out in row groups of ``row_group_households``; row group ``i`` of
``members.parquet`` holds exactly the members of row group ``i`` of ``households.parquet``.
One batch is generated (in a worker thread) while the previous one is written, so memory
stays bounded by about two batches whatever the preset. Each file is written under a temporary
name and renamed once all are complete; on an error the temporary files are removed.

Examples:
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     info = write_dataset("tiny", 0, Path(tmp), row_group_households=500)
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['households.parquet', 'members.parquet', 'metadata.json', 'neighborhoods.parquet']
    >>> info.households, info.row_groups
    (2000, 4)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from allocator.data.arrow import dictionary_schema
from allocator.data.batch import generate_batch
from allocator.data.geoexport import neighborhoods_table
from allocator.data.layout import layout
from allocator.data.metadata import FILES, METADATA_FILE, DatasetInfo, write_metadata
from allocator.domain.tables import (
    HOUSEHOLDS_FILE,
    HOUSEHOLDS_SCHEMA,
    MEMBERS_FILE,
    MEMBERS_SCHEMA,
    NEIGHBORHOODS_FILE,
)
from allocator.errors import DataError

#: lz4: a 3.3 M-member row group reads about three times faster than with zstd (twice the
#: size); reading dominates classification, so speed of reading beats size on disk.
COMPRESSION = "lz4"
MAX_ROW_GROUP_HOUSEHOLDS = 5_000_000

Progress = Callable[[int, int], None]


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    enums = [f.name for f in schema if f.type == pa.string()]
    return pq.ParquetWriter(
        path,
        dictionary_schema(schema),
        compression=COMPRESSION,
        use_dictionary=enums,
        # Ascending ids in a few bits each: a third less to read than plain int64.
        column_encoding={"household_id": "DELTA_BINARY_PACKED"},
        store_schema=False,  # dictionary columns then read back as plain strings
    )


def write_dataset(
    preset: str,
    seed: int,
    out_dir: Path,
    *,
    row_group_households: int = 1_000_000,
    progress: Progress | None = None,
) -> DatasetInfo:
    """Generate the preset ``preset`` for ``seed`` and write it into ``out_dir``.

    Args:
        preset: ``national``, ``program-2020``, ``mazandaran`` or ``tiny``.
        seed: the seed; the same seed (and row group size) gives the same bytes.
        out_dir: the directory to write into (created if missing).
        row_group_households: households per row group (1 to 5,000,000).
        progress: called with (households written, total households) after each row group.

    Raises:
        DataError: unknown preset or a bad row group size.
    """
    if not 1 <= row_group_households <= MAX_ROW_GROUP_HOUSEHOLDS:
        raise DataError(f"row group size must be 1 to {MAX_ROW_GROUP_HOUSEHOLDS:,} households")
    started = time.perf_counter()
    lay = layout(preset, seed)
    total = lay.total_households
    bounds = [
        (a, min(a + row_group_households, total)) for a in range(0, total, row_group_households)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    temp = {name: out_dir / f".{name}.partial" for name in FILES}
    members = 0
    try:
        pq.write_table(
            neighborhoods_table(lay.geography), temp[NEIGHBORHOODS_FILE], compression=COMPRESSION
        )
        with (
            _writer(temp[HOUSEHOLDS_FILE], HOUSEHOLDS_SCHEMA) as households_out,
            _writer(temp[MEMBERS_FILE], MEMBERS_SCHEMA) as members_out,
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            if progress:
                progress(0, total)
            pending: Future[tuple[pa.Table, pa.Table]] | None = None
            for i, (start, stop) in enumerate(bounds):
                batch = pending.result() if pending else generate_batch(lay, seed, i, start, stop)
                if i + 1 < len(bounds):
                    pending = pool.submit(generate_batch, lay, seed, i + 1, *bounds[i + 1])
                households_out.write_table(batch[0], row_group_size=batch[0].num_rows)
                members_out.write_table(batch[1], row_group_size=batch[1].num_rows)
                members += batch[1].num_rows
                if progress:
                    progress(stop, total)
        info = DatasetInfo(
            preset,
            seed,
            out_dir,
            len(lay.geography),
            total,
            members,
            len(bounds),
            seconds=time.perf_counter() - started,
        )
        write_metadata(temp[METADATA_FILE], info, row_group_households, COMPRESSION)
        for name in FILES:
            temp[name].replace(out_dir / name)
    except BaseException:
        for path in temp.values():
            path.unlink(missing_ok=True)
        raise
    return info
