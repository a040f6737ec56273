"""Read an agency's CSV or Excel file as blocks of string columns, whatever its size.

CSV goes through ``pyarrow.csv.open_csv`` (streamed in blocks of :data:`BLOCK_BYTES`, every
column read as text: the converters of :mod:`allocator.importing.convert` decide what a value
means); ``.xlsx`` through python-calamine, a sheet row by row, :data:`XLSX_ROWS` rows a block.
Column names are matched after :func:`~allocator.importing.digits.normalize_text`. Each block
comes with the spreadsheet row number of its first row (the header is row 1), so that a
reject names the row a caseworker sees.

Examples:
    >>> path = tmp_path / "h.csv"  # tmp_path: a fresh directory (pytest's fixture)
    >>> _ = path.write_text("کد,درآمد\\n۱,۱۰۰\\n2,\\n", encoding="utf-8")
    >>> [(b.first_row, b.table.to_pydict()) for b in read_blocks(path, ["درآمد", "کد"])]
    [(2, {'درآمد': ['۱۰۰', None], 'کد': ['۱', '2']})]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from allocator.errors import DataError
from allocator.importing.digits import normalize_text

BLOCK_BYTES = 32 << 20
#: Bytes of a UTF-8 CSV file parsed as one piece (pieces are parsed side by side).
PIECE_BYTES = 16 << 20
XLSX_ROWS = 50_000
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

#: Called with the bytes (CSV) or rows (Excel) read so far.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Block:
    """A block of a file: string columns named as the mapping names them."""

    first_row: int
    table: pa.Table


def _resolve(path: Path, header: list[str], columns: list[str]) -> dict[str, str]:
    """The file's own name of each wanted (normalized) column; every missing one is named."""
    found = {normalize_text(str(name)): str(name) for name in header}
    missing = [c for c in columns if c not in found]
    if missing:
        raise DataError(
            f"{path.name}: no column {', '.join(repr(c) for c in missing)} "
            f"(the file has: {', '.join(repr(h) for h in header)})",
            table=path.name,
            column=missing[0],
        )
    return {c: found[c] for c in columns}


class _Counting:
    """A binary file that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw, self._progress, self._done = raw, progress, 0
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._done += len(data)
        if self._progress is not None:
            self._progress(self._done)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def _csv_blocks(
    path: Path, columns: list[str], encoding: str, progress: Progress | None
) -> Iterator[Block]:
    read = pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding=encoding)
    try:
        probe_options = pacsv.ReadOptions(block_size=1 << 16, encoding=encoding)
        with pacsv.open_csv(path, read_options=probe_options) as probe:
            header = probe.schema.names
        names = _resolve(path, header, columns)
        convert = pacsv.ConvertOptions(
            column_types={names[c]: pa.string() for c in columns},
            include_columns=[names[c] for c in columns],
            strings_can_be_null=True,
            null_values=[""],
        )
        row = 2
        with path.open("rb") as raw:
            reader = pacsv.open_csv(
                _Counting(raw, progress), read_options=read, convert_options=convert
            )
            for batch in reader:
                table = pa.Table.from_batches([batch]).rename_columns(columns)
                yield Block(row, table)
                row += batch.num_rows
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: not a readable CSV file ({exc})", table=path.name) from None


def _header_end(path: Path) -> int | None:
    """Offset of the first byte after the header line (ended by ``\\n``, ``\\r\\n`` or
    ``\\r``, as pyarrow ends lines); ``None`` when an odd number of quotes before it may
    hide a line end in a quoted name (the file is then read by the streaming reader)."""
    with path.open("rb") as raw:
        head = b""
        while chunk := raw.read(1 << 16):
            head += chunk
            ends = [at for at in (head.find(b"\n"), head.find(b"\r")) if at >= 0]
            if ends and min(ends) + 1 < len(head):
                break
    ends = [at for at in (head.find(b"\n"), head.find(b"\r")) if at >= 0]
    if not ends:
        return len(head)
    end = min(ends)
    if head[:end].count(b'"') % 2:
        return None
    return end + 2 if head[end : end + 2] == b"\r\n" else end + 1


def _parse_piece(data: bytes, names: list[str], columns: list[str], wanted: list[str]) -> pa.Table:
    # a quoted value may run past the cut: read the file whole (NumPy counts 3x faster)
    if np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 0x22) % 2:
        raise pa.ArrowInvalid("a quoted value may span two pieces")
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(
            column_names=names, use_threads=False, block_size=len(data) + 1
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in wanted},
            include_columns=wanted,
            strings_can_be_null=True,
            null_values=[""],
        ),
    )
    return table.rename_columns(columns)


def csv_pieces(
    path: Path, columns: list[str], progress: Progress | None = None
) -> Iterator[Callable[[], pa.Table]]:
    """A UTF-8 CSV file's body cut at line ends into pieces of about :data:`PIECE_BYTES`,
    each parsed (every wanted column as text, ``None`` for empty) when called, so that a
    thread pool parses pieces side by side (pyarrow releases the GIL). The cuts fall at line
    ends, as pyarrow's own reader cuts its blocks (it assumes no newline inside a value); a
    piece with an odd number of quotes (a quoted value that a cut may have split) raises
    ``pyarrow.ArrowInvalid``, so that the caller reads the file with the streaming reader.

    Raises:
        DataError: the header is unreadable or lacks a column; a piece raises
            ``pyarrow.ArrowInvalid`` when called if it is not valid CSV.
    """
    path = Path(path)
    try:
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)) as probe:
            header = probe.schema.names
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: not a readable CSV file ({exc})", table=path.name) from None
    names = _resolve(path, header, columns)
    wanted = [names[c] for c in columns]
    start = _header_end(path)
    if start is None:
        yield partial(_parse_piece, b'"', header, columns, wanted)  # read as a whole
        return
    with path.open("rb") as raw:
        raw.seek(start)
        done, rest = start, b""
        while True:
            chunk = raw.read(PIECE_BYTES)
            done += len(chunk)
            data = rest + chunk
            if not chunk:
                if data:
                    yield partial(_parse_piece, data, header, columns, wanted)
                break
            cut = data.rfind(b"\n")
            if cut < 0:
                cut = data.rfind(b"\r")
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1 :]
            piece = data[: cut + 1]
            if progress is not None:
                progress(done - len(rest))
            yield partial(_parse_piece, piece, header, columns, wanted)
        if progress is not None:
            progress(done)


def _cell(value: Any) -> str | None:
    """A spreadsheet cell as text: whole numbers without ``.0``, dates as ``YYYY-MM-DD``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _excel_blocks(
    path: Path, columns: list[str], sheet: str | None, progress: Progress | None
) -> Iterator[Block]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        if sheet is not None and sheet not in book.sheet_names:
            raise DataError(
                f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(book.sheet_names)})",
                table=path.name,
            )
        rows = iter(book.get_sheet_by_name(sheet or book.sheet_names[0]).iter_rows())
        header = [_cell(v) or "" for v in next(rows, [])]
    except DataError:
        raise
    except Exception as exc:  # calamine raises its own error types for unreadable files
        raise DataError(
            f"{path.name}: not a readable Excel file ({exc})", table=path.name
        ) from None
    names = _resolve(path, header, columns)
    positions = [header.index(names[c]) for c in columns]
    first, done = 2, 0
    chunk: list[list[str | None]] = [[] for _ in columns]
    for values in rows:
        for out, pos in zip(chunk, positions, strict=True):
            out.append(_cell(values[pos]) if pos < len(values) else None)
        if len(chunk[0]) == XLSX_ROWS:
            arrays = [pa.array(c, pa.string()) for c in chunk]
            yield Block(first, pa.Table.from_arrays(arrays, names=columns))
            first, done = first + XLSX_ROWS, done + XLSX_ROWS
            chunk = [[] for _ in columns]
            if progress is not None:
                progress(done)
    if chunk[0]:
        arrays = [pa.array(c, pa.string()) for c in chunk]
        yield Block(first, pa.Table.from_arrays(arrays, names=columns))


def read_blocks(
    path: Path,
    columns: list[str],
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Iterator[Block]:
    """The wanted ``columns`` of a CSV or Excel file, in blocks of strings (nulls for empty).

    Raises:
        DataError: the file is missing or unreadable, or lacks a column (all are named).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file", table=path.name)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_blocks(path, columns, sheet, progress)
    return _csv_blocks(path, columns, encoding, progress)
