"""How a decision's text is kept in SQLite: compressed, as a standard LZ4 frame.

An explained decision is about 50 KB of JSON, and SQLite writes every byte twice (to its
write-ahead log, then into the database file): on this machine that was an eighth of the
service's CPU time a decision, in the kernel copying pages (``perf``,
``docs/notes/h16memory.md``). Compressed with LZ4 it is about 10 KB, in about 20 us.

What is hashed into the chain, served and verified is the text, exactly as before: only
the stored value differs. On SQLite the service stores ``output_json`` as a BLOB holding
an LZ4 frame of the text's UTF-8 (``lz4 -d`` reads it); :class:`StoredText`, the column's
type, gives the text back to every query. A row stored as text (by an earlier version,
or by hand) reads as it is, so old databases need no migration. PostgreSQL keeps the
column as text and compresses it itself (``SET COMPRESSION lz4``).

Examples:
    >>> text = '{"why_not": "درآمد بالاتر از خط فقر"}' * 100
    >>> packed = pack(text.encode())
    >>> packed[:4] == FRAME_MAGIC and len(packed) < len(text.encode()) // 10
    True
    >>> unpack(packed) == text and unpack(text) == text
    True
    >>> unpack(b"not a frame").startswith(CORRUPT)
    True
"""

from __future__ import annotations

from typing import Any

import lz4.frame
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

#: The first bytes of every LZ4 frame.
FRAME_MAGIC = b"\x04\x22\x4d\x18"
#: What a stored value that is not a readable frame reads as: text that is no JSON and
#: hashes to nothing recorded, so that ``audit verify`` names the row as altered.
CORRUPT = "\ufffd not a readable LZ4 frame: "


def pack(utf8: bytes) -> bytes:
    """The stored form of a text given as its UTF-8."""
    return bytes(lz4.frame.compress(utf8, store_size=True))


def unpack(stored: str | bytes) -> str:
    """The text of a stored value (a text as it is; a frame decompressed)."""
    if isinstance(stored, str):
        return stored
    try:
        return bytes(lz4.frame.decompress(stored)).decode("utf-8")
    except (RuntimeError, ValueError) as exc:  # lz4's errors, or not UTF-8
        return f"{CORRUPT}{len(stored)} bytes ({type(exc).__name__})"


class StoredText(TypeDecorator[str]):
    """A text column whose value may be stored as an LZ4 frame (:func:`pack`): reads
    give the text either way. Writes through SQLAlchemy store text as given; the audit
    writer stores frames (``allocator.service.appender``)."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unpack(value)
