"""Write a reconciliation: the merged data set, its case files and the conflict report.

``OUT`` is a normal data set (``households``, ``members`` with national IDs,
``neighborhoods``, ``metadata.json``) that ``allocator classify`` reads, plus:

- ``case_files.parquet``: every household of every source and the merged household it went
  into (household_id, source, case_file, holds_case_files);
- ``conflicts.parquet`` and ``conflicts.csv``: one row per differing field (household_id,
  field, person (masked national ID), source_a, value_a, source_b, value_b, kept);
- ``uncovered.parquet``: the merged households known to nobody's case files;
- ``summary.json`` and ``summary.md``: counts, conflicts per field, the sources in order.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from allocator.data.writer import COMPRESSION
from allocator.domain.tables import HOUSEHOLDS_FILE, HOUSEHOLDS_SCHEMA, MEMBERS_FILE
from allocator.importing.reconcile import Merged
from allocator.importing.sources import Source
from allocator.importing.write import CASE_FILES_SCHEMA, MEMBERS_WITH_ID, _disk_schema, _writer

CONFLICT_FIELDS = (
    "household_id",
    "field",
    "person",
    "source_a",
    "value_a",
    "source_b",
    "value_b",
    "kept",
    "case_file_a",
    "case_file_b",
)
CONFLICTS_SCHEMA = pa.schema(
    [pa.field("household_id", pa.int64())] + [pa.field(n, pa.string()) for n in CONFLICT_FIELDS[1:]]
)


def _rows_table(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    # from_pylist converts row dicts in C++, about three times as fast as columns built here
    return pa.Table.from_pylist(rows, schema=schema).cast(_disk_schema(schema))


def write_merged(
    directory: Path,
    merged: Merged,
    sources: list[Source],
    neighborhoods: Path,
    row_group_households: int = 1_000_000,
) -> dict[str, Any]:
    """Write ``merged`` into ``directory``; the summary (also written)."""
    pq.write_table(
        pq.read_table(neighborhoods), directory / "neighborhoods.parquet", compression=COMPRESSION
    )
    n = len(merged.households)
    members = 0
    with (
        _writer(directory / HOUSEHOLDS_FILE, HOUSEHOLDS_SCHEMA) as h_out,
        _writer(directory / MEMBERS_FILE, MEMBERS_WITH_ID) as m_out,
    ):
        for start in range(0, max(n, 1), row_group_households):
            stop = min(start + row_group_households, n)
            h_rows = [
                {**h, "household_id": i + 1}
                for i, h in enumerate(merged.households[start:stop], start)
            ]
            m_rows = [
                {**m, "household_id": i + 1}
                for i, ms in enumerate(merged.members[start:stop], start)
                for m in ms
            ]
            members += len(m_rows)
            h_table = _rows_table(HOUSEHOLDS_SCHEMA, h_rows)
            m_table = _rows_table(MEMBERS_WITH_ID, m_rows)
            h_out.write_table(h_table, row_group_size=max(h_table.num_rows, 1))
            m_out.write_table(m_table, row_group_size=max(m_table.num_rows, 1))
    case_rows = sorted(merged.case_files)
    pq.write_table(
        pa.Table.from_pydict(
            {f.name: [r[i] for r in case_rows] for i, f in enumerate(CASE_FILES_SCHEMA)},
            schema=CASE_FILES_SCHEMA,
        ),
        directory / "case_files.parquet",
        compression=COMPRESSION,
    )
    conflicts = pa.Table.from_pydict(
        {name: [c[name] for c in merged.conflicts] for name in CONFLICT_FIELDS},
        schema=CONFLICTS_SCHEMA,
    )
    pq.write_table(conflicts, directory / "conflicts.parquet", compression=COMPRESSION)
    pacsv.write_csv(conflicts, directory / "conflicts.csv")
    pq.write_table(
        pa.table({"household_id": pa.array(np.array(merged.uncovered, dtype=np.int64))}),
        directory / "uncovered.parquet",
        compression=COMPRESSION,
    )
    summary = {
        "sources": [
            {
                "rank": r + 1,
                "name": s.name,
                "directory": str(s.directory),
                "households": len(s),
                "members": sum(len(m) for m in s.members),
                "holds_case_files": s.holds_case_files,
            }
            for r, s in enumerate(sources)
        ],
        "households": n,
        "members": members,
        "households_merged_from_several": merged.groups_merged,
        "members_without_national_id_not_merged": merged.unidentified_dropped,
        "conflicts": len(merged.conflicts),
        "conflicts_by_field": dict(sorted(Counter(c["field"] for c in merged.conflicts).items())),
        "uncovered_households": len(merged.uncovered),
    }
    (directory / "metadata.json").write_text(
        json.dumps(
            {"generator": "allocator.reconcile", "counts": {"households": n, "members": members}},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    (directory / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (directory / "summary.md").write_text(summary_markdown(summary, merged), encoding="utf-8")
    return summary


def summary_markdown(summary: dict[str, Any], merged: Merged, shown: int = 50) -> str:
    """The summary for a person: sources, counts, conflicts by field, the first conflicts."""
    lines = [
        "# Reconciliation",
        "",
        "| rank | source | households | members | case files |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in summary["sources"]:
        lines.append(
            f"| {s['rank']} | {s['name']} | {s['households']:,} | {s['members']:,} | "
            f"{'yes' if s['holds_case_files'] else 'no'} |"
        )
    lines += [
        "",
        f"- {summary['households']:,} households, {summary['members']:,} people after merging",
        f"- {summary['households_merged_from_several']:,} households were registered by more "
        "than one source (or twice by one)",
        f"- {summary['uncovered_households']:,} households are known to nobody's case files "
        "(`uncovered.parquet`)",
        f"- {summary['members_without_national_id_not_merged']:,} members without a national "
        "ID in a non-leading household were not added",
        f"- {summary['conflicts']:,} conflicts (`conflicts.csv`)",
        "",
        "| field | conflicts |",
        "| --- | --- |",
        *(f"| {k} | {v:,} |" for k, v in summary["conflicts_by_field"].items()),
        "",
    ]
    if merged.conflicts:
        lines += [
            "| household | field | person | source A | value A | source B | value B | kept "
            "| case file A | case file B |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in merged.conflicts[:shown]:
            lines.append("| " + " | ".join(str(c[k]) for k in CONFLICT_FIELDS) + " |")
    return "\n".join(lines) + "\n"


def reconcile_datasets(
    directories: list[Path],
    out: Path,
    *,
    force: bool = False,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Reconcile the data sets ``directories`` (best-ranked first) into ``out``, atomically.

    Raises:
        DataError: fewer than two data sets, an unreadable one, or different neighborhoods.
    """
    from allocator.errors import DataError
    from allocator.importing.reconcile import reconcile
    from allocator.importing.sources import neighborhoods_file, read_source
    from allocator.outputs import atomic_output
    from allocator.outputs.atomic import check_target

    if len(directories) < 2:
        raise DataError("reconcile needs at least two data sets")
    check_target(Path(out), force)
    neighborhoods = neighborhoods_file(directories)
    sources = [read_source(i, d) for i, d in enumerate(directories)]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise DataError(f"two data sets have the same source name: {', '.join(names)}")
    merged = reconcile(sources)
    with atomic_output(Path(out), kind="dataset", force=force, command=command) as tmp:
        summary = write_merged(tmp, merged, sources, neighborhoods)
    return summary
