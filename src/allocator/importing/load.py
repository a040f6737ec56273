"""Read one of an agency's files block by block into typed columns and its rejects.

:func:`load_table` streams the file (:mod:`~allocator.importing.readers`), converts each block
(:mod:`~allocator.importing.convert`) and keeps only the converted columns, so memory follows
the schema's few bytes a row, not the text of the file.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import numpy as np
import pyarrow as pa

from allocator.importing.convert import Cache, Problem, convert_column, new_cache
from allocator.importing.identifiers import keys
from allocator.importing.mapping import TableSpec
from allocator.importing.numbers import Numbers, joined, numbers_of
from allocator.importing.readers import EXCEL_SUFFIXES, Block, Progress, csv_pieces, read_blocks
from allocator.types import Array, BoolArray, IntArray

#: Threads parsing and converting blocks side by side.
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
    #: ``key`` and the national IDs cast to integers while loading (see
    #: :mod:`~allocator.importing.numbers`), when they are digits; absent: not cast
    numbers: dict[str, Numbers | None] = field(default_factory=dict)

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


@dataclass
class _Part:
    """One block converted: its keys, columns, bad rows and rejects (rows from 0)."""

    rows: int
    key: pa.Array
    columns: dict[str, Array | pa.Array]
    problems: list[tuple[str, list[Problem]]]
    numbers: dict[str, Numbers | None]


def _convert(spec: TableSpec, table: pa.Table, day: date, caches: dict[str, Cache]) -> _Part:
    key, problems = keys(table.column(spec.key))
    found = [(spec.key, problems)]
    columns: dict[str, Array | pa.Array] = {}
    # keys and IDs cast to integers here, side by side, not later by the assembly alone
    numbers = {"key": numbers_of(key)}
    for f in spec.fields:
        column = convert_column(f, table.column(f.column), day, caches[f.name])
        found.append((f.column, column.problems))
        columns[f.name] = column.values
        if f.kind == "national_id" and isinstance(column.values, pa.Array):
            numbers[f.name] = numbers_of(column.values)
    return _Part(table.num_rows, key, columns, found, numbers)


def _in_order(
    pool: ThreadPoolExecutor, work: Callable[[Callable[[], pa.Table]], _Part], pieces: Iterator[Any]
) -> Iterator[_Part]:
    """``work`` of each piece, in order, at most ``THREADS + 1`` pieces in flight."""
    pending: deque[Future[_Part]] = deque()
    try:
        for piece in pieces:
            pending.append(pool.submit(work, piece))
            if len(pending) > THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


class _NotCsv(Exception):
    """A piece of a CSV file failed to parse: the file is read again the streaming way."""


def load_table(
    spec: TableSpec,
    path: Path,
    day: date,
    *,
    encoding: str = "utf-8",
    progress: Progress | None = None,
) -> Loaded:
    """Read and convert ``path`` as ``spec`` says; every bad value becomes a reject.

    A UTF-8 CSV file is cut into pieces (:func:`~allocator.importing.readers.csv_pieces`)
    that threads parse and convert side by side; should a piece not parse, the file is read
    again with the streaming reader, which reports the error as it always has. Other files
    (Excel, other encodings) are read block by block, the next block while one converts.
    """
    path = Path(path)
    is_csv = path.suffix.lower() not in EXCEL_SUFFIXES and path.is_file()
    if is_csv and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        try:
            return _load(spec, path, day, csv_pieces(path, spec.columns, progress), True)
        except _NotCsv:
            pass
    blocks = prefetch(
        read_blocks(path, spec.columns, encoding=encoding, sheet=spec.sheet, progress=progress)
    )
    return _load(spec, path, day, ((lambda b=b: b.table) for b in blocks), False)


def _load(
    spec: TableSpec, path: Path, day: date, pieces: Iterator[Any], parsed_here: bool
) -> Loaded:
    caches: dict[str, Cache] = {f.name: new_cache(f) for f in spec.fields}

    def work(piece: Callable[[], pa.Table]) -> _Part:
        try:
            table = piece()
        except pa.ArrowInvalid:
            if parsed_here:
                raise _NotCsv from None
            raise
        return _convert(spec, table, day, caches)

    keys_parts: list[pa.Array] = []
    parts: dict[str, list[Array | pa.Array]] = {f.name: [] for f in spec.fields}
    bads: list[BoolArray] = []
    rejects: list[Reject] = []
    numbers: dict[str, list[Numbers | None]] = {}
    first_row = 2
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for part in _in_order(pool, work, pieces):
            bad = np.zeros(part.rows, dtype=np.bool_)
            for column, problems in part.problems:
                _record(rejects, bad, path.name, first_row, column, problems)
            keys_parts.append(part.key)
            for name, values in part.columns.items():
                parts[name].append(values)
            bads.append(bad)
            for name, cast in part.numbers.items():
                numbers.setdefault(name, []).append(cast)
            first_row += part.rows
    columns: dict[str, Array | pa.Array] = {}
    for name, chunks in parts.items():
        if chunks and isinstance(chunks[0], pa.Array):
            columns[name] = pa.concat_arrays(chunks)
        else:
            columns[name] = np.concatenate(chunks) if chunks else np.zeros(0)
    return Loaded(
        file=path.name,
        key=pa.concat_arrays(keys_parts) if keys_parts else pa.array([], pa.string()),
        row=np.arange(2, first_row, dtype=np.int64),
        columns=columns,
        bad=np.concatenate(bads) if bads else np.zeros(0, dtype=np.bool_),
        rejects=rejects,
        numbers={name: joined(casts) for name, casts in numbers.items()},
    )
