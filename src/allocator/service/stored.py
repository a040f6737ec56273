"""How a decision's text is stored: compressed against a dictionary of decisions alike.

An explained decision is about 50 KB of JSON, and most of it is the same from one decision
to the next: service names, conditions, their sources and reasons in two languages, the
keys. Stored as text, each one cost the database its full size (SQLite writes every byte
twice, to its log and its file; PostgreSQL compressed it on its own CPU and moved it into
a TOAST table in 2 KB chunks). Compressed with Zstandard against a *dictionary* (the texts
of a few sample decisions of the same ruleset, :class:`TextDictionary`) it is about 1.2
KB, in about 25 us: a 40th of the text, an eighth of what LZ4 alone gave (10 KB), and
small enough for PostgreSQL to keep it in the row (``docs/notes/h16dict.md``).

What is hashed into the chain, served, replayed and verified is the text, exactly as
before: only the stored value differs. A stored value is one of

* text: rows stored by earlier versions, or a PostgreSQL database whose column is still
  ``text`` (such a database keeps working unpacked);
* :data:`DICT_MAGIC`, the dictionary's SHA-256 (32 bytes), then a standard Zstandard
  frame (``zstd -d -D dictionary`` reads it, with the dictionary from the database's
  ``text_dictionaries`` table);
* a standard LZ4 frame (SQLite rows written between the two);
* the text's plain UTF-8 (a PostgreSQL column turned into ``bytea``).

Dictionaries are kept in the database (append-only, like the decisions), found by their
digest: a process that reads a value whose dictionary it has not seen asks the store of
the database it read it from (:func:`add_loader`). A value that cannot be read gives
:data:`CORRUPT` text, which is no JSON and hashes to nothing recorded, so ``audit verify``
names the row.

Examples:
    >>> text = '{"why_not": "درآمد بالاتر از خط فقر", "n": 1}' * 100
    >>> dictionary = TextDictionary(text.replace("1", "2").encode())
    >>> packed = dictionary.pack(text.encode())
    >>> packed[:4] == DICT_MAGIC and len(packed) < 100
    True
    >>> unpack(packed).startswith(CORRUPT)  # a dictionary this process does not know
    True
    >>> register(dictionary)
    >>> unpack(packed) == text and unpack(text) == text and unpack(text.encode()) == text
    True
    >>> unpack(bytes(lz4.frame.compress(text.encode()))) == text
    True
    >>> unpack(b"not a frame").startswith(CORRUPT)
    True
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Callable
from typing import Any

import lz4.frame
import zstandard
from sqlalchemy import Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

#: The first bytes of every LZ4 frame.
FRAME_MAGIC = b"\x04\x22\x4d\x18"
#: The first bytes of a value compressed against a dictionary (then its 32-byte digest).
DICT_MAGIC = b"\xa1zd1"
_HEAD = len(DICT_MAGIC) + 32
#: Zstandard's level: 1 is the fastest, and against a dictionary already as small as 3.
LEVEL = 1
#: What a stored value that cannot be read reads as: text that is no JSON and hashes to
#: nothing recorded, so that ``audit verify`` names the row as altered.
CORRUPT = "\ufffd not a readable stored text: "


class TextDictionary:
    """Sample texts that values are compressed against (a Zstandard raw-content
    dictionary), known by the SHA-256 of its content."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.digest = hashlib.sha256(content).digest()
        self._dict = zstandard.ZstdCompressionDict(
            content, dict_type=zstandard.DICT_TYPE_RAWCONTENT
        )
        self._dict.precompute_compress(level=LEVEL)
        self._local = threading.local()  # a compression context is not thread-safe

    @property
    def hexdigest(self) -> str:
        return self.digest.hex()

    def pack(self, utf8: bytes) -> bytes:
        """The stored form of a text given as its UTF-8."""
        compressor = getattr(self._local, "compressor", None)
        if compressor is None:
            compressor = self._local.compressor = zstandard.ZstdCompressor(
                dict_data=self._dict, write_content_size=True
            )
        return DICT_MAGIC + self.digest + compressor.compress(utf8)

    def unpack(self, frame: bytes) -> bytes:
        """The UTF-8 of a Zstandard frame compressed against this dictionary."""
        decompressor = getattr(self._local, "decompressor", None)
        if decompressor is None:
            decompressor = self._local.decompressor = zstandard.ZstdDecompressor(
                dict_data=self._dict
            )
        return bytes(decompressor.decompress(frame))


_known: dict[bytes, TextDictionary] = {}
#: Where a database's unknown dictionaries are looked for, by the dialect its engine reads
#: with (each engine has its own): the store of that database, by weak reference.
_loaders: weakref.WeakKeyDictionary[Any, weakref.WeakMethod[Callable[[bytes], bytes | None]]]
_loaders = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def register(dictionary: TextDictionary) -> None:
    """Make ``dictionary`` known to :func:`unpack` in this process."""
    with _registry_lock:
        _known.setdefault(dictionary.digest, dictionary)


def add_loader(source: object, load: Callable[[bytes], bytes | None]) -> None:
    """Ask ``load(digest)`` (a store's bound method, held weakly) for the content of a
    dictionary that values read through ``source`` (its engine's dialect) need."""
    with _registry_lock:
        _loaders[source] = weakref.WeakMethod(load)


def remove_loader(source: object) -> None:
    """Stop asking for ``source`` (its store is closed: its engine would open a
    connection again)."""
    with _registry_lock:
        _loaders.pop(source, None)


def _dictionary(digest: bytes, source: object | None) -> TextDictionary | None:
    found = _known.get(digest)
    if found is not None or source is None:
        return found
    with _registry_lock:
        method = _loaders.get(source)
    load = None if method is None else method()
    content = None if load is None else load(digest)
    if content is None or hashlib.sha256(content).digest() != digest:
        return None
    found = TextDictionary(content)
    register(found)
    return found


def unpack(stored: str | bytes | memoryview, source: object | None = None) -> str:
    """The text of a stored value (see the module's list); ``source``: the dialect of the
    engine it was read with, whose store is asked for a dictionary not known yet."""
    if isinstance(stored, str):
        return stored
    stored = bytes(stored)
    try:
        if stored[:4] == DICT_MAGIC:
            dictionary = _dictionary(stored[4:_HEAD], source)
            if dictionary is None:
                return f"{CORRUPT}{len(stored)} bytes (unknown dictionary)"
            return dictionary.unpack(stored[_HEAD:]).decode("utf-8")
        if stored[:4] == FRAME_MAGIC:
            return bytes(lz4.frame.decompress(stored)).decode("utf-8")
        if stored[:1] == b"{":  # plain UTF-8 (a column turned from text into bytea)
            return stored.decode("utf-8")
    except (RuntimeError, ValueError, zstandard.ZstdError) as exc:  # or not UTF-8
        return f"{CORRUPT}{len(stored)} bytes ({type(exc).__name__})"
    return f"{CORRUPT}{len(stored)} bytes (no known form)"


class StoredText(TypeDecorator[str]):
    """A column of texts that may be stored packed: ``bytea`` on PostgreSQL, untyped
    (text or BLOB) on SQLite. Reads give the text whatever was stored; writes through
    SQLAlchemy store the text (as UTF-8 on PostgreSQL), the audit writer stores packed
    values (``allocator.service.appender``)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(LargeBinary())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "postgresql" and isinstance(value, str):
            return value.encode("utf-8")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unpack(value, dialect)
