"""Households and members joined by the agency's key, checked as families, numbered.

A household is kept only when its own row and all its members' rows are valid, its key is
unique in its file, its neighborhood is known, and it has 1 to 30 members with exactly one
head; otherwise it is rejected with every reason that applies, and its members with it. A
member row whose key names no household is rejected on its own; a national ID that appears
twice in the members file rejects the later row (the same person registered twice). Kept
households are numbered 1, 2, … in the order of the households file; their members follow
in the same order, each household's in the order of the members file.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from allocator.domain import nationalid
from allocator.domain.enums import ENUM_TYPES
from allocator.domain.household import MAX_MEMBERS
from allocator.importing.load import Loaded, Reject
from allocator.importing.numbers import Numbers, numbers_of, usable
from allocator.types import BoolArray, IntArray

_HEAD = ENUM_TYPES["relation"].index("head")
_NO_DISABILITY = ENUM_TYPES["disability_type"].index("none")
_NO_SEVERITY = ENUM_TYPES["severity"].index("none")


@dataclass
class Assembled:
    """What is written: kept households and members (in order), and every reject.

    Attributes:
        households: row index into the households file's :class:`Loaded` of each kept one.
        members: row index into the members file's :class:`Loaded`, grouped by household.
        member_household: the new ``household_id`` of each member of ``members``.
        rejects: every reject of both files, households' joined reasons included.
        rejected_households: households of the file that were not kept.
    """

    households: IntArray
    members: IntArray
    member_household: IntArray
    rejects: list[Reject]
    rejected_households: int


def _as_numbers(*columns: pa.Array) -> list[pa.Array] | None:
    """The string columns as int64 (nulls kept) when that keeps equality: every present value
    is 1 to 18 ASCII digits, and either all have one length or none has a leading zero (so
    that ``"007"`` and ``"7"`` stay apart); ``None`` otherwise. Integers hash and compare
    several times faster than strings.

    Examples:
        >>> [a.to_pylist() for a in _as_numbers(pa.array(["12", None]), pa.array(["3"]))]
        [[12, None], [3]]
        >>> _as_numbers(pa.array(["07", "7"])) is None
        True
    """
    return usable([numbers_of(column) for column in columns])


def _numbers(loaded: Loaded, name: str, column: pa.Array) -> Numbers | None:
    """The :class:`Numbers` of ``column``, as cast while loading when it was."""
    found = loaded.numbers.get(name)
    return found if found is not None else numbers_of(column)


def _first_number(values: pa.Array) -> IntArray:
    """:func:`_first_index` of an int64 column, by sorting (Arrow's hash of millions of
    distinct integers is several times slower than NumPy's sort).

    Examples:
        >>> _first_number(pa.array([5, 3, None, 5, 3, 5])).tolist()
        [0, 1, -1, 0, 1, 0]
    """
    n = len(values)
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    where = np.flatnonzero(valid)
    numbers = values.fill_null(0).to_numpy(zero_copy_only=False)[where]
    out: IntArray = np.full(n, -1, dtype=np.int64)
    ordered = np.sort(numbers)
    if not np.any(ordered[1:] == ordered[:-1]):  # no value twice: the usual case
        out[where] = where
        return out
    order = np.argsort(numbers, kind="stable")  # equal values keep their file order
    starts = np.ones(len(order), dtype=np.bool_)
    starts[1:] = numbers[order[1:]] != numbers[order[:-1]]
    group_first = order[np.flatnonzero(starts)]
    first = np.empty(len(order), dtype=np.int64)
    first[order] = group_first[np.cumsum(starts) - 1]
    out[where] = where[first]
    return out


def _first_index(values: pa.Array, numbers: Numbers | None = None) -> IntArray:
    """For each value, the row of its first occurrence (``-1`` for nulls); ``numbers``: the
    values as cast while loading, if they were.

    Examples:
        >>> _first_index(pa.array(["a", "b", None, "a"])).tolist()
        [0, 1, -1, 0]
    """
    if pa.types.is_string(values.type):
        found = usable([numbers if numbers is not None else numbers_of(values)])
        if found is not None:
            return _first_number(found[0])
    unique = pc.unique(values.drop_null()) if values.null_count else pc.unique(values)
    if len(unique) == len(values) - values.null_count:  # no value twice: the usual case
        rows: IntArray = np.arange(len(values), dtype=np.int64)
        if values.null_count:
            rows[values.is_null().to_numpy(zero_copy_only=False)] = -1
        return rows
    found = pc.fill_null(pc.index_in(values, value_set=unique), -1)
    position = found.to_numpy(zero_copy_only=False).astype(np.int64)
    first = np.full(len(unique), len(values), dtype=np.int64)
    valid = position >= 0
    np.minimum.at(first, position[valid], np.flatnonzero(valid))
    out: IntArray = np.full(len(values), -1, dtype=np.int64)
    out[valid] = first[position[valid]]
    return out


def _household_of(households: Loaded, members: Loaded) -> IntArray:
    """Row of each member's household in the households file (``-1``: none)."""
    numbers = usable(
        [_numbers(members, "key", members.key), _numbers(households, "key", households.key)]
    )
    if numbers is not None and not numbers[0].null_count and not numbers[1].null_count:
        # sorted keys and a binary search: the first row of each household key, as index_in
        wanted = numbers[0].to_numpy()
        keys_np = numbers[1].to_numpy()
        if not len(keys_np):
            return np.full(len(wanted), -1, dtype=np.int64)
        if np.all(keys_np[1:] > keys_np[:-1]):  # the file sorted by case file: no sort
            order, ordered = None, keys_np
        else:
            order = np.argsort(keys_np, kind="stable")
            ordered = keys_np[order]
        # a household's members are usually one run of rows: search each run once
        head = np.ones(len(wanted), dtype=np.bool_)
        head[1:] = wanted[1:] != wanted[:-1]
        heads = wanted[head]
        at = np.minimum(np.searchsorted(ordered, heads), len(ordered) - 1)
        row = at if order is None else order[at]
        found = np.where(ordered[at] == heads, row, -1).astype(np.int64)
        each: IntArray = found[np.cumsum(head) - 1]
        return each
    member_key, household_key = numbers if numbers is not None else (members.key, households.key)
    found = pc.fill_null(pc.index_in(member_key, value_set=household_key), -1)
    rows: IntArray = found.to_numpy(zero_copy_only=False).astype(np.int64)
    return rows


def _member_checks(
    members: Loaded,
    rejects: list[Reject],
    column: dict[str, str],
    first_ids: Future[IntArray] | None,
) -> None:
    m = members
    if "disability_type" in m.columns and "disability_severity" in m.columns:
        mismatch = (np.asarray(m.columns["disability_type"]) == _NO_DISABILITY) != (
            np.asarray(m.columns["disability_severity"]) == _NO_SEVERITY
        )
        for i in np.flatnonzero(mismatch & ~m.bad).tolist():
            rejects.append(
                (
                    m.file,
                    int(m.row[i]),
                    column["disability_severity"],
                    "",
                    "disability type and severity disagree (both none or both set)",
                )
            )
        m.bad |= mismatch
    ids = m.columns.get("national_id")
    if isinstance(ids, pa.Array) and first_ids is not None:
        first = first_ids.result()
        again = (first >= 0) & (first != np.arange(len(ids)))
        for i in np.flatnonzero(again).tolist():
            rejects.append(
                (
                    m.file,
                    int(m.row[i]),
                    column["national_id"],
                    nationalid.mask(str(ids[i].as_py())),
                    f"the same national ID is in row {int(m.row[first[i]])}",
                )
            )
        m.bad |= again


def assemble(
    households: Loaded,
    members: Loaded,
    neighborhood_ids: IntArray,
    columns: dict[str, str],
    constants: dict[str, object],
) -> Assembled:
    """Join, check and number (see the module doc); ``columns`` names the agency's column of
    each field, for the rejects."""
    h, m = households, members
    with ThreadPoolExecutor(max_workers=1) as pool:  # the IDs' duplicates meanwhile
        ids = m.columns.get("national_id")
        first_ids = (
            pool.submit(_first_index, ids, m.numbers.get("national_id"))
            if isinstance(ids, pa.Array) and len(ids) and ids.null_count < len(ids)
            else None
        )
        result = _assemble(h, m, neighborhood_ids, columns, constants, first_ids)
    h.numbers.clear()  # the integer keys and IDs are not written: their memory goes now
    m.numbers.clear()
    return result


def _assemble(
    h: Loaded,
    m: Loaded,
    neighborhood_ids: IntArray,
    columns: dict[str, str],
    constants: dict[str, object],
    first_ids: Future[IntArray] | None,
) -> Assembled:
    rejects = h.rejects + m.rejects
    # the join first, while the IDs' duplicates are found in the other thread (it reads
    # only keys; the checks below append their rejects in the same order as before)
    owner = _household_of(h, m)
    n = len(h)
    reasons: dict[int, list[str]] = defaultdict(list)  # only rejected households
    first = _first_index(h.key, h.numbers.get("key"))
    duplicate = (first >= 0) & (first != np.arange(n))
    counts = np.bincount(first[first >= 0], minlength=n)
    for i in np.flatnonzero(duplicate | (counts > 1)).tolist():
        reasons[i].append(f"case file {h.key[i].as_py()} appears more than once in {h.file}")
    if "neighborhood_id" in h.columns:
        nb = np.asarray(h.columns["neighborhood_id"])
        unknown = ~np.isin(nb, neighborhood_ids) & ~h.bad
    else:
        nb_id = int(constants.get("neighborhood_id", 0))  # type: ignore[call-overload]
        unknown = np.full(n, nb_id not in set(neighborhood_ids.tolist()))
    for i in np.flatnonzero(unknown).tolist():
        value = h.columns["neighborhood_id"][i] if "neighborhood_id" in h.columns else nb_id
        rejects.append(
            (
                h.file,
                int(h.row[i]),
                columns.get("neighborhood_id", ""),
                str(value),
                "unknown neighborhood",
            )
        )
    _member_checks(m, rejects, columns, first_ids)
    for i in np.flatnonzero(owner < 0).tolist():
        rejects.append(
            (
                m.file,
                int(m.row[i]),
                columns["members.key"],
                str(m.key[i].as_py()),
                f"no household with this case file in {h.file}",
            )
        )
    found = owner >= 0
    sizes = np.bincount(owner[found], minlength=n)
    relation = np.asarray(m.columns["relation"]) if "relation" in m.columns else None
    if relation is not None:
        heads = np.bincount(owner[found & (relation == _HEAD)], minlength=n)
    else:
        heads = np.full(n, sizes if constants.get("relation") == "head" else 0)
    bad_member = np.bincount(owner[found & m.bad], minlength=n)
    for i in np.flatnonzero(bad_member).tolist():
        reasons[i].append(f"{bad_member[i]} rejected member row(s) in {m.file}")
    for i in np.flatnonzero(sizes == 0).tolist():
        reasons[i].append(f"no member in {m.file}")
    for i in np.flatnonzero(sizes > MAX_MEMBERS).tolist():
        reasons[i].append(f"{sizes[i]} members, more than {MAX_MEMBERS}")
    for i in np.flatnonzero((heads != 1) & (sizes > 0)).tolist():
        reasons[i].append(f"{heads[i]} members with relation head, not exactly one")
    for i, why in sorted(reasons.items()):
        if why:
            rejects.append(
                (
                    h.file,
                    int(h.row[i]),
                    columns["households.key"],
                    str(h.key[i].as_py()),
                    "; ".join(why),
                )
            )
    keep: BoolArray = ~(
        h.bad
        | unknown
        | (bad_member > 0)
        | (sizes == 0)
        | (sizes > MAX_MEMBERS)
        | (heads != 1)
        | duplicate
        | (counts > 1)
    )
    new_id = np.cumsum(keep) * keep  # 1, 2, … for kept households, 0 for the others
    member_new = np.where(found, new_id[np.maximum(owner, 0)], 0)
    kept_members = np.flatnonzero(member_new > 0)
    order = np.argsort(member_new[kept_members], kind="stable")
    kept_members = kept_members[order]
    return Assembled(
        households=np.flatnonzero(keep),
        members=kept_members,
        member_household=member_new[kept_members],
        rejects=rejects,
        rejected_households=int(n - keep.sum()),
    )
