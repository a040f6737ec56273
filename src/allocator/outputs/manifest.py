"""``manifest.json``: every file of a result directory with its size, rows and SHA-256.

Examples:
    >>> d = tmp_path  # a fresh directory (pytest's fixture)
    >>> _ = (d / "a.txt").write_text("hello")
    >>> m = build_manifest(d, kind="demo", command=["allocator", "demo"])
    >>> m["files"][0]["path"], m["files"][0]["sha256"][:8]
    ('a.txt', '2cf24dba')
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from allocator import __version__

MANIFEST = "manifest.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parquet_rows(path: Path) -> int | None:
    """Row count from a Parquet footer (``None`` for other files)."""
    if path.suffix != ".parquet":
        return None
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def build_manifest(
    directory: Path,
    *,
    kind: str,
    command: list[str] | None = None,
    ruleset_hash: str | None = None,
    data_seed: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Describe every file under ``directory`` (the manifest itself excluded)."""
    paths = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)

    def describe(path: Path) -> dict[str, Any]:
        return {
            "path": path.relative_to(directory).as_posix(),
            "bytes": path.stat().st_size,
            "rows": parquet_rows(path),
            "sha256": sha256_of(path),
        }

    # Hashing releases the GIL: two threads hash a large result (hundreds of MB) in half
    # the time; the order of the files stays the sorted one.
    with ThreadPoolExecutor(max_workers=2) as pool:
        files = list(pool.map(describe, paths))
    return {
        "kind": kind,
        "allocator_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command if command is not None else sys.argv,
        "ruleset_hash": ruleset_hash,
        "data_seed": data_seed,
        "files": files,
        **(extra or {}),
    }


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_manifest(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    return data
