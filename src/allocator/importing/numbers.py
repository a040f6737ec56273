"""String columns of digits (case files, national IDs) as int64, where that keeps equality.

Integers hash, sort and compare several times faster than strings, so the joins and the
duplicate searches of :mod:`~allocator.importing.assemble` use them when they may: every
present value is 1 to 18 ASCII digits, and either all values have one length or none has a
leading zero (so that ``"007"`` and ``"7"`` stay apart). Whether that holds is known only
for the whole of the columns compared, but each piece of a file is cast as it is loaded
(:func:`numbers_of`, in the loading threads) with what decides it (its shortest and
longest value, a leading zero), and the pieces are put together (:func:`joined`) and
decided on (:func:`usable`) afterwards: the same arrays and the same decision as casting
the whole columns at once.

Examples:
    >>> a, b = numbers_of(pa.array(["12", None])), numbers_of(pa.array(["3"]))
    >>> [x.to_pylist() for x in usable([a, b])]
    [[12, None], [3]]
    >>> usable([numbers_of(pa.array(["07"])), numbers_of(pa.array(["7"]))]) is None
    True
    >>> pieces = [numbers_of(pa.array(["07"])), numbers_of(pa.array(["08", None]))]
    >>> [x.to_pylist() for x in usable([joined(pieces)])]
    [[7, 8, None]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Numbers:
    """A string column cast to int64 (nulls kept), with what decides whether the cast keeps
    equality: the lengths of its shortest and longest present value (none when all are
    null) and whether a value longer than one digit starts with ``0``."""

    values: pa.Array
    lengths: frozenset[int]
    leading_zero: bool


def numbers_of(whole: pa.Array) -> Numbers | None:
    """``whole`` (strings) as :class:`Numbers` when every present value is 1 to 18 ASCII
    digits; ``None`` otherwise."""
    if isinstance(whole, pa.ChunkedArray):
        whole = whole.combine_chunks()
    column = whole.drop_null() if whole.null_count else whole  # null slots may hold bytes
    n = len(column)
    if not n:
        return Numbers(pc.cast(whole, pa.int64()), frozenset(), False)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset : column.offset + n + 1
    ]
    size = np.diff(offsets)
    data = np.frombuffer(column.buffers()[2] or b"", dtype=np.uint8)
    data = data[offsets[0] : offsets[-1]]
    shortest, longest = int(size.min()), int(size.max())
    # every byte 0-9: two reductions, no temporary array
    if shortest < 1 or longest > 18 or data.min() < 48 or data.max() > 57:
        return None
    starts = (offsets[:-1] - offsets[0])[size > 1]
    leading_zero = bool(np.any(data[starts] == 48))
    return Numbers(pc.cast(whole, pa.int64()), frozenset({shortest, longest}), leading_zero)


def joined(parts: Sequence[Numbers | None]) -> Numbers | None:
    """The :class:`Numbers` of the concatenation of the pieces ``parts`` are of (``None``
    when one of them is)."""
    found = [p for p in parts if p is not None]
    if len(found) < len(parts):
        return None
    values = pa.concat_arrays([p.values for p in found]) if found else pa.array([], pa.int64())
    lengths = frozenset().union(*(p.lengths for p in found))
    return Numbers(values, lengths, any(p.leading_zero for p in found))


def usable(columns: Sequence[Numbers | None]) -> list[pa.Array] | None:
    """The int64 arrays of ``columns`` when comparing them keeps the equality of the strings
    (see the module doc); ``None`` otherwise."""
    found = [c for c in columns if c is not None]
    if len(found) < len(columns):
        return None
    lengths = frozenset().union(*(c.lengths for c in found))
    if len(lengths) > 1 and any(c.leading_zero for c in found):
        return None
    return [c.values for c in found]
