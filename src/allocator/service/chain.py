"""The audit log's hash chain: canonical JSON, row hashes, and the walk that verifies them.

Each decision row's ``hash`` is ``sha256(prev_hash + canonical JSON of its content)``, and
its ``prev_hash`` is the hash of the row before it (:data:`~allocator.service.tables.GENESIS`
for the first). Editing any recorded field breaks that row's hash; deleting or reordering
rows breaks the next row's ``prev_hash``.

Examples:
    >>> canonical_json({"b": 1, "a": "ü"})
    '{"a":"ü","b":1}'
    >>> row = {name: "x" for name in CHAINED_FIELDS} | {"seq": 1}
    >>> h = row_hash("0" * 64, row)
    >>> len(h), h == row_hash("0" * 64, row | {"household_id": 2})
    (64, False)
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from allocator.service.tables import GENESIS

#: The columns a row's hash covers (everything but ``prev_hash`` and ``hash`` themselves).
CHAINED_FIELDS = (
    "seq",
    "decision_id",
    "created_at",
    "household_id",
    "neighborhood_id",
    "custodian",
    "ruleset_name",
    "ruleset_version",
    "ruleset_hash",
    "decision_date",
    "input_json",
    "output_json",
)


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces and UTF-8 text: one text per value."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _orjson_dumps() -> Callable[[Any], bytes] | None:
    try:
        dumps: Callable[[Any], bytes] = importlib.import_module("orjson").dumps
    except ImportError:  # a dependency, but the standard library gives the same bytes
        return None
    return dumps


_DUMPS = _orjson_dumps()


def json_string(text: str) -> bytes:
    """The UTF-8 of ``text`` as a JSON string, exactly as :func:`canonical_json` writes it.

    orjson escapes the same characters the same way (the double quote, the backslash and
    the control characters; nothing else), several times faster than the standard
    library, which stays the fallback (and is used for lone surrogates, which orjson
    refuses: encoding them fails there too, as it always did).

    Examples:
        >>> text = 'say "ü"' + chr(92) + chr(10) + chr(31)
        >>> json_string(text) == canonical_json(text).encode()
        True
    """
    if _DUMPS is not None:
        try:
            return _DUMPS(text)
        except TypeError:  # orjson.JSONEncodeError: lone surrogates
            pass
    return json.dumps(text, ensure_ascii=False).encode()


def row_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of a decision row that follows a row whose hash is ``prev_hash``."""
    content = canonical_json({name: row[name] for name in CHAINED_FIELDS})
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def content_prefix(row: Mapping[str, Any]) -> str:
    """The canonical JSON of a row's chained fields up to ``seq``, which sorts last.

    The costly serialization is done once, before the row's place in the chain is known;
    :func:`hash_from_prefix` then gives exactly :func:`row_hash`.

    Examples:
        >>> row = {name: "x" for name in CHAINED_FIELDS} | {"seq": 5}
        >>> hash_from_prefix("0" * 64, content_prefix(row), 5) == row_hash("0" * 64, row)
        True
    """
    assert sorted(CHAINED_FIELDS)[-1] == "seq"
    content = canonical_json({name: row[name] for name in CHAINED_FIELDS if name != "seq"})
    return content[:-1] + ',"seq":'


_PREFIX_FIELDS = sorted(name for name in CHAINED_FIELDS if name != "seq")


def content_prefix_bytes(row: Mapping[str, Any]) -> bytes:
    """The UTF-8 of :func:`content_prefix`, written field by field: a text field (the
    decision's input and output JSON are tens of kilobytes) is escaped by
    :func:`json_string`, an integer as its digits, any other value by :func:`canonical_json`.

    Examples:
        >>> row = {name: "ü" for name in CHAINED_FIELDS} | {"household_id": 7, "seq": 5}
        >>> content_prefix_bytes(row) == content_prefix(row).encode()
        True
    """
    parts = [b"{"]
    for name in _PREFIX_FIELDS:
        value = row[name]
        parts.append(b'"' + name.encode() + b'":')
        if type(value) is str:
            parts.append(json_string(value))
        elif type(value) is int:  # its JSON is its decimal digits
            parts.append(str(value).encode())
        else:
            parts.append(canonical_json(value).encode())
        parts.append(b",")
    parts.append(b'"seq":')
    return b"".join(parts)


def hash_from_prefix(prev_hash: str, prefix: str | bytes, seq: int) -> str:
    """:func:`row_hash` of the row whose :func:`content_prefix` is ``prefix``.

    ``prefix`` may be given already UTF-8 encoded: the hash then only reads it, so that an
    append holding the chain's lock neither copies nor encodes the decision's text.

    Examples:
        >>> row = {name: "ü" for name in CHAINED_FIELDS} | {"seq": 5}
        >>> prefix = content_prefix(row)
        >>> hash_from_prefix("0" * 64, prefix.encode(), 5) == row_hash("0" * 64, row)
        True
    """
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(prefix if isinstance(prefix, bytes) else prefix.encode())
    digest.update(f"{seq}}}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What walking the chain found.

    Attributes:
        checked: rows checked before stopping (all of them when ``ok``).
        broken_seq: sequence number of the first broken row, if any.
        broken_decision_id: its decision id.
        reason: what is wrong with it.
    """

    checked: int
    broken_seq: int | None = None
    broken_decision_id: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} decision(s) verified"
        which = f" (decision {self.broken_decision_id})" if self.broken_decision_id else ""
        return f"audit chain broken at seq {self.broken_seq}{which}: {self.reason}"


def verify_rows(rows: Iterable[Mapping[str, Any]], head: tuple[int, str] | None) -> ChainReport:
    """Walk ``rows`` in sequence order and report the first broken link.

    Args:
        rows: decision rows ordered by ``seq``.
        head: the chain head's ``(seq, hash)``; the last row must match it.

    Examples:
        >>> r1 = {name: "a" for name in CHAINED_FIELDS} | {"seq": 1, "prev_hash": GENESIS}
        >>> r1["hash"] = row_hash(GENESIS, r1)
        >>> verify_rows([r1], (1, r1["hash"])).ok
        True
        >>> verify_rows([r1 | {"custodian": "b"}], None).describe()
        'audit chain broken at seq 1 (decision a): hash does not match the row content'
    """
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    for row in rows:
        seq = int(row["seq"])
        reason = ""
        if seq != prev_seq + 1:
            reason = f"sequence jumps from {prev_seq} to {seq} (rows missing)"
        elif row["prev_hash"] != prev_hash:
            reason = "prev_hash does not match the previous row's hash"
        elif row_hash(prev_hash, row) != row["hash"]:
            reason = "hash does not match the row content"
        if reason:
            return ChainReport(checked, seq, str(row["decision_id"]), reason)
        prev_hash, prev_seq, checked = str(row["hash"]), seq, checked + 1
    if head is not None and head != (prev_seq, prev_hash):
        return ChainReport(checked, head[0], None, "chain head does not match the last row")
    return ChainReport(checked)
