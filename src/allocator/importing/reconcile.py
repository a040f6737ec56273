"""Merge several agencies' data sets into one, each person and household once (by national ID).

The rules (``docs/import.md`` explains them with examples):

1. **Who is the same.** Two members are the same person when they carry the same national ID.
   Households that share a person are the same family: households linked through shared
   people, across all sources, form one *group*.
2. **Which agency leads.** Sources are ranked in the order given (``--prefer`` reorders
   them). In each group the best-ranked source that has a household in it *leads*: its
   households, with their members and fields, are kept as they are, so a family split into
   one household by one agency and two by another follows the leading agency.
3. **People only others know** (a member with a national ID that no household of the
   leading source has) join the leading household that shares the most people with their
   own household, with their own record; their relation is kept when both households have
   the same head, else it becomes ``other``. Members without a national ID of a household
   that is not leading cannot be told apart from the leader's and are not added; they are
   counted in the summary.
4. **Conflicts.** Each other household is compared with the leading household it joined:
   every differing household field (income, assets, housing, neighborhood, pension, case
   agency), different members, a different split, and every differing field of a person in
   both, is a conflict row with both sources and both values; the leading value is kept.
   The case agency is the exception: a case file held by any agency is a fact, so when the
   leader says ``none`` the first other agency's value is kept.
5. **Case files.** Every household of every source is recorded with the merged household it
   went into (``case_files.parquet``). A merged household no case-file-holding source has
   and whose case agency is ``none`` is *known to nobody's case files*: it is flagged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from allocator.domain import nationalid
from allocator.importing.sources import Source

HOUSEHOLD_COMPARED = (
    "neighborhood_id",
    "income",
    "assets",
    "housing",
    "continuous_pension",
    "case_agency",
)
MEMBER_SKIPPED = ("household_id", "national_id", "relation")
Ref = tuple[int, int]  # (source index, household row)


@dataclass
class Merged:
    """The merged households (fields and members) and everything the report needs."""

    households: list[dict[str, Any]] = field(default_factory=list)
    members: list[list[dict[str, Any]]] = field(default_factory=list)
    case_files: list[tuple[int, str, str, bool]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    uncovered: list[int] = field(default_factory=list)
    groups_merged: int = 0
    unidentified_dropped: int = 0


class _Groups:
    """Union-find over households."""

    def __init__(self) -> None:
        self.parent: dict[Ref, Ref] = {}

    def find(self, x: Ref) -> Ref:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: Ref, b: Ref) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _ids(members: list[dict[str, Any]]) -> set[str]:
    return {m["national_id"] for m in members if m["national_id"]}


def _head(members: list[dict[str, Any]]) -> str | None:
    return next((m["national_id"] for m in members if m["relation"] == "head"), None)


def _conflict(
    merged: Merged,
    hid: int,
    field_name: str,
    person: str,
    a: tuple[str, Any],
    b: tuple[str, Any],
) -> None:
    merged.conflicts.append(
        {
            "household_id": hid,
            "field": field_name,
            "person": person,
            "source_a": a[0],
            "value_a": str(a[1]),
            "source_b": b[0],
            "value_b": str(b[1]),
            "kept": str(a[1]),
            "case_file_a": "",
            "case_file_b": "",
        }
    )


def _groups(sources: list[Source]) -> dict[Ref, list[Ref]]:
    groups = _Groups()
    first_seen: dict[str, Ref] = {}
    for s in sources:
        for row, members in enumerate(s.members):
            for nid in _ids(members):
                if nid in first_seen:
                    groups.union(first_seen[nid], (s.index, row))
                else:
                    first_seen[nid] = (s.index, row)
    out: dict[Ref, list[Ref]] = defaultdict(list)
    for s in sources:
        for row in range(len(s)):
            out[groups.find((s.index, row))].append((s.index, row))
    return out


def reconcile(sources: list[Source]) -> Merged:
    """Merge ``sources`` (best-ranked first) by the rules of the module doc."""
    by_index = {s.index: s for s in sources}
    rank = {s.index: r for r, s in enumerate(sources)}
    merged = Merged()
    groups = sorted(_groups(sources).values(), key=lambda g: min((rank[r[0]], r[1]) for r in g))
    for group in groups:
        lead = min(rank[s] for s, _ in group)
        leaders = [r for r in group if rank[r[0]] == lead]
        others = [r for r in group if rank[r[0]] != lead]
        if len(group) > 1:
            merged.groups_merged += 1
        _merge_group(merged, by_index, leaders, others)
    return merged


def _merge_group(
    merged: Merged, by_index: dict[int, Source], leaders: list[Ref], others: list[Ref]
) -> None:
    start = len(merged.households) + 1
    first_case_file = len(merged.case_files)
    seen: set[str] = set()
    new_ids: dict[Ref, int] = {}
    for offset, (s, row) in enumerate(leaders):
        source = by_index[s]
        hid = start + offset
        kept = []
        for m in source.members[row]:
            nid = m["national_id"]
            if nid and nid in seen:  # the same person twice in the leading source
                _conflict(
                    merged,
                    hid,
                    "person in two households",
                    nationalid.mask(nid),
                    (source.name, "another household"),
                    (source.name, source.case_files[row]),
                )
                continue
            if nid:
                seen.add(nid)
            kept.append(dict(m))
        merged.households.append(dict(source.households[row]))
        merged.members.append(kept)
        new_ids[(s, row)] = hid
    for s, row in others:
        _join(merged, by_index, leaders, new_ids, (s, row), seen)
    _splits(merged, by_index, leaders, others, start)
    for ref, hid in new_ids.items():
        source = by_index[ref[0]]
        merged.case_files.append(
            (hid, source.name, source.case_files[ref[1]], source.holds_case_files)
        )
    # a household moved into a leader keeps its case file there
    for ref in others:
        source = by_index[ref[0]]
        hid = new_ids.get(ref) or _target(by_index, leaders, ref, start)
        merged.case_files.append(
            (hid, source.name, source.case_files[ref[1]], source.holds_case_files)
        )
    # the group's households are new, so only its own case files can hold them
    held = {c[0] for c in merged.case_files[first_case_file:] if c[3]}
    for hid in range(start, start + len(leaders)):
        if hid not in held and merged.households[hid - 1]["case_agency"] == "none":
            merged.uncovered.append(hid)


def _splits(
    merged: Merged, by_index: dict[int, Source], leaders: list[Ref], others: list[Ref], start: int
) -> None:
    """A conflict for each source that splits the group into another number of households."""
    lead = by_index[leaders[0][0]]
    per_source: dict[int, list[int]] = defaultdict(list)
    for s, row in others:
        per_source[s].append(row)
    for s, rows in per_source.items():
        if len(rows) != len(leaders):
            source = by_index[s]
            _conflict(
                merged,
                start,
                "household split",
                "",
                (
                    lead.name,
                    f"{len(leaders)} household(s): "
                    + ", ".join(lead.case_files[r] for _, r in leaders),
                ),
                (
                    source.name,
                    f"{len(rows)} household(s): " + ", ".join(source.case_files[r] for r in rows),
                ),
            )


def _target(by_index: dict[int, Source], leaders: list[Ref], ref: Ref, start: int) -> int:
    """The leading household sharing most people with ``ref`` (the first on a tie)."""
    ids = _ids(by_index[ref[0]].members[ref[1]])
    shared = [len(ids & _ids(by_index[s].members[r])) for s, r in leaders]
    return start + max(range(len(leaders)), key=lambda i: (shared[i], -i))


def _join(
    merged: Merged,
    by_index: dict[int, Source],
    leaders: list[Ref],
    new_ids: dict[Ref, int],
    ref: Ref,
    seen: set[str],
) -> None:
    source = by_index[ref[0]]
    start = min(new_ids.values())
    hid = _target(by_index, leaders, ref, start)
    lead_ref = leaders[hid - start]
    lead_source = by_index[lead_ref[0]]
    first_conflict = len(merged.conflicts)
    lead_hh, other_hh = merged.households[hid - 1], source.households[ref[1]]
    a_name, b_name = lead_source.name, source.name
    for name in HOUSEHOLD_COMPARED:
        if lead_hh[name] != other_hh[name]:
            _conflict(merged, hid, name, "", (a_name, lead_hh[name]), (b_name, other_hh[name]))
            if name == "case_agency" and lead_hh[name] == "none":
                merged.households[hid - 1] = {**lead_hh, "case_agency": other_hh[name]}
                merged.conflicts[-1]["kept"] = str(other_hh[name])
    lead_members = lead_source.members[lead_ref[1]]
    own = source.members[ref[1]]
    lead_ids, own_ids = _ids(lead_members), _ids(own)
    if lead_ids != own_ids or len(lead_members) != len(own):
        only_a = ", ".join(sorted(nationalid.mask(i) for i in lead_ids - own_ids)) or "-"
        only_b = ", ".join(sorted(nationalid.mask(i) for i in own_ids - lead_ids)) or "-"
        _conflict(
            merged,
            hid,
            "members",
            "",
            (a_name, f"{len(lead_members)} members; only here: {only_a}"),
            (b_name, f"{len(own)} members; only here: {only_b}"),
        )
    by_id = {m["national_id"]: m for m in merged.members[hid - 1] if m["national_id"]}
    same_head = _head(lead_members) is not None and _head(lead_members) == _head(own)
    for m in own:
        nid = m["national_id"]
        if nid is None:
            merged.unidentified_dropped += 1
            continue
        if nid in by_id:
            for name, value in m.items():
                if name not in MEMBER_SKIPPED and by_id[nid][name] != value:
                    _conflict(
                        merged,
                        hid,
                        f"member.{name}",
                        nationalid.mask(nid),
                        (a_name, by_id[nid][name]),
                        (b_name, value),
                    )
        elif nid not in seen:
            relation = m["relation"] if same_head and m["relation"] != "head" else "other"
            merged.members[hid - 1].append({**m, "relation": relation})
            seen.add(nid)
    for conflict in merged.conflicts[first_conflict:]:
        conflict["case_file_a"] = lead_source.case_files[lead_ref[1]]
        conflict["case_file_b"] = source.case_files[ref[1]]
