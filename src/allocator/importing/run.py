"""``import_dataset``: an agency's files and mapping in, a whole data set (or nothing) out.

Examples:
    >>> neighborhoods_from(None).num_rows
    8010
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from allocator.domain.tables import NEIGHBORHOODS_FILE, NEIGHBORHOODS_SCHEMA
from allocator.errors import DataError
from allocator.importing.assemble import assemble
from allocator.importing.load import load_table
from allocator.importing.mapping import Mapping, load_mapping
from allocator.importing.readers import EXCEL_SUFFIXES
from allocator.importing.write import write_import
from allocator.outputs import atomic_output
from allocator.outputs.atomic import check_target
from allocator.pipeline.schema import check_schema
from allocator.reference.neighborhoods import DEFAULT_SEED

#: Called with (stage, amount done, total or ``None``): "households" / "members" in bytes or
#: rows read, then "writing".
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: counts and wall time."""

    out: Path
    counts: dict[str, int]
    seconds: float


def neighborhoods_from(path: Path | None) -> pa.Table:
    """The neighborhoods households are checked against: a data set's (a directory) or a
    ``neighborhoods.parquet`` file; by default the national geography of the default seed,
    whose ids the synthetic data sets and ``allocator check`` use."""
    if path is None:
        from allocator.data.geoexport import neighborhoods_table
        from allocator.data.geography import NATIONAL, build_geography

        return neighborhoods_table(build_geography(NATIONAL, DEFAULT_SEED))
    file = Path(path) / NEIGHBORHOODS_FILE if Path(path).is_dir() else Path(path)
    if not file.is_file():
        raise DataError(f"--neighborhoods: no such file {file}", table=NEIGHBORHOODS_FILE)
    check_schema(NEIGHBORHOODS_FILE, pq.read_schema(file))
    return pq.ParquetFile(file).read().select(NEIGHBORHOODS_SCHEMA.names)


def _column_names(mapping: Mapping) -> dict[str, str]:
    names = {"households.key": mapping.households.key, "members.key": mapping.members.key}
    for spec in (mapping.households, mapping.members):
        names.update({f.name: f.column for f in spec.fields})
    return names


def import_dataset(
    mapping_path: Path,
    households_path: Path,
    members_path: Path,
    out: Path,
    day: date,
    *,
    neighborhoods: Path | None = None,
    force: bool = False,
    row_group_households: int = 1_000_000,
    command: list[str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import an agency's households and members as the data set ``out`` (atomically).

    Raises:
        DataError: the mapping, a file or a column is wrong (nothing is written); bad rows
            are not errors but rejects.
    """
    started = time.perf_counter()
    check_target(Path(out), force)
    mapping = load_mapping(mapping_path)
    nb_table = neighborhoods_from(neighborhoods)
    nb_ids = np.asarray(nb_table.column("neighborhood_id").to_numpy(), dtype=np.int64)

    def reporter(stage: str, total: int | None) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return lambda done: progress(stage, done, total)

    def size(path: Path) -> int | None:
        """The bar's total: bytes of a CSV file; unknown for Excel (counted in rows)."""
        if Path(path).suffix.lower() in EXCEL_SUFFIXES or not Path(path).is_file():
            return None
        return Path(path).stat().st_size

    # the two files are read side by side (their threads release the GIL while parsing)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(
            load_table,
            mapping.households,
            households_path,
            day,
            encoding=mapping.encoding,
            progress=reporter("households", size(households_path)),
        )
        try:
            members = load_table(
                mapping.members,
                members_path,
                day,
                encoding=mapping.encoding,
                progress=reporter("members", size(members_path)),
            )
        except BaseException:
            first.result()  # a problem of the households file is reported first, as before
            raise
        households = first.result()
    if progress is not None:
        progress("writing", 0, None)
    result = assemble(
        households,
        members,
        nb_ids,
        _column_names(mapping),
        mapping.households.constants | mapping.members.constants,
    )
    digest = hashlib.sha256(Path(mapping_path).read_bytes()).hexdigest()
    with atomic_output(out, kind="dataset", force=force, command=command) as tmp:
        counts = write_import(
            tmp,
            mapping,
            households,
            members,
            result,
            nb_table,
            row_group_households=row_group_households,
            metadata={
                "source": mapping.source,
                "decision_date": day.isoformat(),
                "mapping_sha256": digest,
                "files": {
                    "households": Path(households_path).name,
                    "members": Path(members_path).name,
                },
            },
        )
    return ImportResult(Path(out), counts, time.perf_counter() - started)
