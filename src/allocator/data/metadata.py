"""What a written data set holds: :class:`DatasetInfo`, and its ``metadata.json``.

``metadata.json`` has no timestamp, so the same preset and seed give the same bytes.

Examples:
    >>> info = DatasetInfo("tiny", 0, Path("out"), 20, 2000, 6600, 2, 0.1)
    >>> [p.name for p in info.files][-1]
    'metadata.json'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from allocator.domain.tables import HOUSEHOLDS_FILE, MEMBERS_FILE, NEIGHBORHOODS_FILE

GENERATOR_VERSION = "2"  # 2: rates calibrated to seed 001 (issue 13)
METADATA_FILE = "metadata.json"
FILES = (NEIGHBORHOODS_FILE, HOUSEHOLDS_FILE, MEMBERS_FILE, METADATA_FILE)


@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`~allocator.data.writer.write_dataset` wrote (``seconds``: wall time)."""

    preset: str
    seed: int
    directory: Path
    neighborhoods: int
    households: int
    members: int
    row_groups: int
    seconds: float

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(self.directory / name for name in FILES)


def write_metadata(
    path: Path, info: DatasetInfo, row_group_households: int, compression: str
) -> None:
    """Write ``metadata.json`` for ``info`` at ``path``."""
    meta = {
        "generator": "allocator.data",
        "generator_version": GENERATOR_VERSION,
        "preset": info.preset,
        "seed": info.seed,
        "row_group_households": row_group_households,
        "row_groups": info.row_groups,
        "compression": compression,
        "counts": {
            "neighborhoods": info.neighborhoods,
            "households": info.households,
            "members": info.members,
        },
    }
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
