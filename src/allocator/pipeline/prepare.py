"""One row group of households and members: checked, invalid rows set aside, made a Batch.

A household is rejected, with the first reason of :data:`REASONS` that applies, when one of
its values is missing or out of range, its neighborhood is unknown, it has no member or not
exactly one head, or one of its members is invalid. A member row whose ``household_id`` is not
among its row group's households is rejected on its own (``orphan member``). Rejected rows
are excluded from classification.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from allocator.backends.batch import Batch, enum_codes, offsets_from_index
from allocator.domain.household import MAX_AGE, MAX_AMOUNT, MAX_MEMBERS
from allocator.domain.inputs import MEMBER_INPUTS
from allocator.types import Array, BoolArray, IntArray

from .columns import enum_column, numeric_column
from .neighborhoods import NeighborhoodTable

#: Why a row is rejected, by code (``0``: valid); when several apply, the first one is given.
REASONS: tuple[str, ...] = (
    "",
    "missing value",
    "household_id out of range",
    "duplicate household_id",
    "unknown neighborhood_id",
    "negative income",
    "negative assets",
    "amount above 10^12",
    "unknown housing or case_agency value",
    "no member",
    f"more than {MAX_MEMBERS} members",
    "not exactly one head",
    "member: missing value",
    f"member: age out of range 0-{MAX_AGE}",
    "member: unknown enum value",
    "member: disability type and severity disagree",
    "orphan member (household_id not in its row group's households)",
)
ORPHAN = len(REASONS) - 1
_HEAD = enum_codes("relation")["head"]
_NO_DISABILITY = enum_codes("disability_type")["none"]
_NO_SEVERITY = enum_codes("severity")["none"]


@dataclass
class Prepared:
    """A row group made ready: the batch of valid households and what was rejected.

    Attributes:
        batch: the valid households and their members.
        neighborhood_row: row in the neighborhood table of each household of ``batch``.
        read: households in the row group.
        rejected_ids: household ids of the rejected households, then of orphan member rows.
        rejected_reasons: reason code (index into :data:`REASONS`) of each rejected row.
    """

    batch: Batch
    neighborhood_row: IntArray
    read: int
    rejected_ids: IntArray
    rejected_reasons: Array

    @property
    def rejected_households(self) -> int:
        return int(np.count_nonzero(self.rejected_reasons != ORPHAN))


def _household_rows(
    ids: IntArray, member_ids: IntArray
) -> tuple[IntArray | None, BoolArray, IntArray | None]:
    """Row of each member's household (``-1``: none), which households share an id, and
    the number of members of each household.

    In the usual layout, every household has its run of members, in household order: the
    rows are then not built (``None``; they are ``np.repeat(np.arange(n), lengths)``).
    Otherwise the lengths are ``None``.
    """
    n = len(ids)
    if n == 0:
        return np.full(len(member_ids), -1, dtype=np.int64), np.zeros(n, dtype=np.bool_), None
    duplicate = np.zeros(n, dtype=np.bool_)
    order: IntArray | None = None
    sorted_ids = ids
    if not np.all(ids[1:] > ids[:-1]):
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        same = sorted_ids[1:] == sorted_ids[:-1]
        duplicate[order[1:][same]] = True
        duplicate[order[:-1][same]] = True
    if len(member_ids) == 0:
        return np.zeros(0, dtype=np.int64), duplicate, None
    # Members come grouped by household: look each run of equal ids up once.
    starts = np.flatnonzero(member_ids[1:] != member_ids[:-1]) + 1
    starts = np.concatenate([np.zeros(1, dtype=starts.dtype), starts])
    run_ids = member_ids[starts]
    lengths = np.diff(np.append(starts, len(member_ids)))
    if order is None and len(run_ids) == n and np.array_equal(run_ids, ids):
        return None, duplicate, lengths  # the usual layout
    pos = np.minimum(np.searchsorted(sorted_ids, run_ids), n - 1)
    found = sorted_ids[pos] == run_ids
    run_rows = np.where(found, pos if order is None else order[pos], -1)
    return np.repeat(run_rows, lengths), duplicate, None


def _heads(is_head: BoolArray, sizes: IntArray) -> IntArray:
    """Heads per household when members come in household runs of ``sizes`` (one cumsum).

    Examples:
        >>> _heads(np.array([True, False, True, True]), np.array([2, 0, 2])).tolist()
        [1, 0, 2]
    """
    counts = np.zeros(len(is_head) + 1, dtype=np.int32)
    np.cumsum(is_head, dtype=np.int32, out=counts[1:])
    ends = np.cumsum(sizes)
    heads: IntArray = (counts[ends] - counts[ends - sizes]).astype(np.int64)
    return heads


def _apply(reason: Array, marks: list[tuple[int, BoolArray]]) -> None:
    for code, mask in sorted(marks, reverse=True):
        reason[mask] = code


@dataclass
class _Households:
    """The household columns of a row group and which of their values are bad."""

    hid: IntArray
    nid: IntArray
    nb_row: IntArray  # row in the neighborhood table (-1: unknown)
    columns: dict[str, Array]  # the household inputs of the batch
    missing: BoolArray  # a value is missing
    bad_enum: BoolArray  # housing or case agency is not a known value


def _read_households(households: pa.Table, neighborhoods: NeighborhoodTable) -> _Households:
    """The household columns as arrays, with the masks of missing and unknown values."""
    hid, null_id = numeric_column(households.column("household_id"), np.int64)
    nid, null_nid = numeric_column(households.column("neighborhood_id"), np.int64)
    income, null_income = numeric_column(households.column("income"), np.int64)
    assets, null_assets = numeric_column(households.column("assets"), np.int64)
    pension, null_pension = numeric_column(households.column("continuous_pension"), np.bool_)
    housing, bad_housing = enum_column(households.column("housing"), "housing")
    case_agency, bad_case = enum_column(households.column("case_agency"), "agency")
    columns = {
        "income": income,
        "assets": assets,
        "housing": housing,
        "case_agency": case_agency,
        "continuous_pension": pension,
    }
    missing = null_id | null_nid | null_income | null_assets | null_pension
    return _Households(
        hid, nid, neighborhoods.locate(nid), columns, missing, bad_housing | bad_case
    )


@dataclass
class _Members:
    """The member columns of a row group and which of their rows are bad."""

    hid: IntArray
    null_hid: BoolArray
    columns: dict[str, Array]  # the member inputs of the batch
    missing: BoolArray
    unknown: BoolArray  # an enum value is not a known one
    bad_age: BoolArray
    mismatch: BoolArray  # disability type and severity disagree

    @property
    def any_bad(self) -> bool:
        return bool(np.any(self.missing | self.bad_age | self.unknown | self.mismatch))


def _read_members(members: pa.Table) -> _Members:
    """The member columns as arrays, with the masks of bad rows."""
    m_hid, m_null_hid = numeric_column(members.column("household_id"), np.int64)
    m_cols: dict[str, Array] = {}
    m_missing = np.zeros(len(m_hid), dtype=np.bool_)
    m_unknown = np.zeros(len(m_hid), dtype=np.bool_)
    for name, vtype in MEMBER_INPUTS.items():
        column = members.column(name)
        if vtype.enum is not None:
            m_cols[name], bad = enum_column(column, vtype.enum)
            m_unknown |= bad
        else:
            m_cols[name], bad = numeric_column(column, np.bool_ if vtype.kind == "bool" else None)
            if column.null_count:
                m_missing |= bad
    age = m_cols["age"]
    bad_age = (age < 0) | (age > MAX_AGE)
    m_cols["age"] = age.astype(np.int16, copy=False)
    mismatch = (m_cols["disability_type"] == _NO_DISABILITY) != (
        m_cols["disability_severity"] == _NO_SEVERITY
    )
    return _Members(m_hid, m_null_hid, m_cols, m_missing, m_unknown, bad_age, mismatch)


@dataclass
class _Membership:
    """Which household each member row belongs to.

    Attributes:
        row: household row of each member (``-1``: none); ``None`` in the usual layout
            (every household has its run of members, in household order, none orphan).
        in_order: members of each household when they come in that layout, else ``None``.
        duplicate: which households share their id with another.
        orphan: member rows without a household.
        no_orphan: the members are in the usual layout and none is orphan.
    """

    n: int
    row: IntArray | None
    in_order: IntArray | None
    duplicate: BoolArray
    orphan: BoolArray
    no_orphan: bool

    def owners(self) -> IntArray:
        """The household row of each valid member."""
        if self.row is None:
            assert self.in_order is not None
            return np.repeat(np.arange(self.n), self.in_order)
        return self.row if self.no_orphan else self.row[~self.orphan]


def _link(hid: IntArray, members: _Members) -> _Membership:
    """Each member row's household (see :func:`_household_rows`)."""
    n = len(hid)
    row, duplicate, in_order = _household_rows(hid, members.hid)
    if row is None:  # the usual layout: members of household i are its i-th run
        assert in_order is not None
        orphan = members.null_hid
        if members.null_hid.any():
            row = np.repeat(np.arange(n), in_order)
    else:
        orphan = (row < 0) | members.null_hid
    no_orphan = in_order is not None and not members.null_hid.any()
    return _Membership(n, row, in_order, duplicate, orphan, no_orphan)


def _reject_reasons(h: _Households, m: _Members, link: _Membership) -> tuple[Array, IntArray]:
    """The reason code of each household (``0``: valid), and its number of members."""
    n = link.n
    valid_member = ~link.orphan
    any_bad = m.any_bad
    if link.no_orphan and link.in_order is not None:
        sizes = link.in_order
        heads = _heads(m.columns["relation"] == _HEAD, sizes)
        owner = np.zeros(0, dtype=np.int64) if not any_bad else link.owners()
    else:
        owner = link.owners()
        sizes = np.bincount(owner, minlength=n)
        relation = m.columns["relation"][valid_member]
        heads = np.bincount(owner[relation == _HEAD], minlength=n)

    def any_member(mask: BoolArray) -> BoolArray:
        if not any_bad:  # valid data: skip the four member -> household passes
            return np.zeros(n, dtype=np.bool_)
        return np.bincount(owner[mask[valid_member]], minlength=n) > 0

    hid, income, assets = h.hid, h.columns["income"], h.columns["assets"]
    reason = np.zeros(n, dtype=np.int8)
    _apply(
        reason,
        [
            (1, h.missing),
            (2, (hid < 1) | (hid > 2**62)),
            (3, link.duplicate),
            (4, h.nb_row < 0),
            (5, income < 0),
            (6, assets < 0),
            (7, (income > MAX_AMOUNT) | (assets > MAX_AMOUNT)),
            (8, h.bad_enum),
            (9, sizes == 0),
            (10, sizes > MAX_MEMBERS),
            (11, (heads != 1) & (sizes > 0)),
            (12, any_member(m.missing)),
            (13, any_member(m.bad_age)),
            (14, any_member(m.unknown)),
            (15, any_member(m.mismatch)),
        ],
    )
    return reason, sizes


def _valid_batch(
    h: _Households,
    m: _Members,
    link: _Membership,
    keep: BoolArray,
    sizes: IntArray,
    neighborhoods: NeighborhoodTable,
) -> tuple[Batch, IntArray]:
    """The batch of the households kept and their members; each one's neighborhood row.

    When nothing is rejected and the members are in household order, the columns are
    used as they are; otherwise the kept rows are taken, members in household order.
    """
    household_cols = dict(h.columns)
    m_cols = m.columns
    nb_row, hid, nid = h.nb_row, h.hid, h.nid
    row = link.row
    in_place = bool(keep.all()) and not link.orphan.any()
    if in_place and (link.no_orphan or (row is not None and np.all(row[1:] >= row[:-1]))):
        offsets = np.concatenate([[0], np.cumsum(sizes)])
    else:
        if row is None:
            row = link.owners()
        kept_member = ~link.orphan & keep[np.maximum(row, 0)]
        member_rows = np.flatnonzero(kept_member)
        new_index = np.cumsum(keep) - 1
        member_household = new_index[row[member_rows]]
        if not np.all(member_household[1:] >= member_household[:-1]):
            order = np.argsort(member_household, kind="stable")
            member_rows, member_household = member_rows[order], member_household[order]
        household_cols = {k: v[keep] for k, v in household_cols.items()}
        m_cols = {k: v[member_rows] for k, v in m_cols.items()}
        nb_row, hid, nid = nb_row[keep], hid[keep], nid[keep]
        offsets = offsets_from_index(member_household, len(hid))
    for name, values in neighborhoods.facts.items():
        household_cols[name] = values[nb_row]
    batch = Batch(
        household_id=hid,
        neighborhood_id=nid,
        household=household_cols,
        member=m_cols,
        offsets=offsets,
    )
    return batch, nb_row


def prepare(households: pa.Table, members: pa.Table, neighborhoods: NeighborhoodTable) -> Prepared:
    """Check a row group and build the batch of its valid households (see the module doc)."""
    h = _read_households(households, neighborhoods)
    m = _read_members(members)
    link = _link(h.hid, m)
    reason, sizes = _reject_reasons(h, m, link)
    batch, nb_row = _valid_batch(h, m, link, reason == 0, sizes, neighborhoods)
    rejected = np.flatnonzero(reason != 0)
    orphans = np.flatnonzero(link.orphan)
    return Prepared(
        batch=batch,
        neighborhood_row=nb_row,
        read=len(h.hid),
        rejected_ids=np.concatenate([h.hid[rejected], m.hid[orphans]]),
        rejected_reasons=np.concatenate(
            [reason[rejected], np.full(len(orphans), ORPHAN, dtype=np.int8)]
        ),
    )
