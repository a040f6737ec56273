"""Read one of an agency's files block by block into typed columns and its rejects.

:func:`load_table` streams the file (:mod:`~allocator.importing.readers`), converts each block
(:mod:`~allocator.importing.convert`) and keeps only the converted columns, so memory follows
the schema's few bytes a row, not the text of the file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from queue import Empty, Queue

import numpy as np
import pyarrow as pa

from allocator.importing.convert import Cache, Problem, convert_column, keys, new_cache
from allocator.importing.mapping import TableSpec
from allocator.importing.readers import Block, Progress, read_blocks
from allocator.types import Array, BoolArray, IntArray

#: Threads converting a block's columns.
THREADS = 2
#: A reject: (file, row, column, value as it may be shown, reason).
Reject = tuple[str, int, str, str, str]


@dataclass
class Loaded:
    """A whole file converted: keys, spreadsheet rows, columns, and which rows are bad."""

    file: str
    key: pa.Array
    row: IntArray
    columns: dict[str, Array | pa.Array]
    bad: BoolArray
    rejects: list[Reject] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row)


def _record(
    rejects: list[Reject], bad: BoolArray, file: str, first: int, column: str, probs: list[Problem]
) -> None:
    for index, value, reason in probs:
        bad[index] = True
        rejects.append((file, first + index, column, value, reason))


def prefetch(blocks: Iterator[Block]) -> Iterator[Block]:
    """``blocks``, the next one read in a thread while the caller converts the current one
    (the CSV parser releases the GIL); an error of the reader is raised here.

    Examples:
        >>> list(prefetch(iter([1, 2, 3])))
        [1, 2, 3]
    """
    queue: Queue[tuple[Block | None, BaseException | None]] = Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for block in blocks:
                if stop.is_set():
                    return
                queue.put((block, None))
            queue.put((None, None))
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put((None, exc))

    worker = threading.Thread(target=read, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            block, error = queue.get()
            if error is not None:
                raise error
            if block is None:
                return
            yield block
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked put finish, then the thread ends
            try:
                queue.get_nowait()
            except Empty:
                worker.join(0.01)


def load_table(
    spec: TableSpec,
    path: Path,
    day: date,
    *,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> Loaded:
    """Read and convert ``path`` as ``spec`` says; every bad value becomes a reject."""
    path = Path(path)
    keys_parts: list[pa.Array] = []
    rows: list[IntArray] = []
    parts: dict[str, list[Array | pa.Array]] = {f.name: [] for f in spec.fields}
    bads: list[BoolArray] = []
    rejects: list[Reject] = []
    caches: dict[str, Cache] = {f.name: new_cache(f) for f in spec.fields}
    blocks = prefetch(
        read_blocks(path, spec.columns, encoding=encoding, sheet=spec.sheet, progress=progress)
    )
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for block in blocks:
            n = block.table.num_rows
            bad = np.zeros(n, dtype=np.bool_)
            key, problems = keys(block.table.column(spec.key))
            _record(rejects, bad, path.name, block.first_row, spec.key, problems)
            keys_parts.append(key)
            # Arrow and NumPy release the GIL: columns convert side by side
            converted = pool.map(
                lambda f, t=block.table: convert_column(f, t.column(f.column), day, caches[f.name]),
                spec.fields,
            )
            for f, column in zip(spec.fields, converted, strict=True):
                _record(rejects, bad, path.name, block.first_row, f.column, column.problems)
                parts[f.name].append(column.values)
            rows.append(np.arange(block.first_row, block.first_row + n, dtype=np.int64))
            bads.append(bad)
    columns: dict[str, Array | pa.Array] = {}
    for name, chunks in parts.items():
        if chunks and isinstance(chunks[0], pa.Array):
            columns[name] = pa.concat_arrays(chunks)
        else:
            columns[name] = np.concatenate(chunks) if chunks else np.zeros(0)
    return Loaded(
        file=path.name,
        key=pa.concat_arrays(keys_parts) if keys_parts else pa.array([], pa.string()),
        row=np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
        columns=columns,
        bad=np.concatenate(bads) if bads else np.zeros(0, dtype=np.bool_),
        rejects=rejects,
    )
