"""``allocator verify DIR``: check a result directory against its manifest."""

from __future__ import annotations

import json
from pathlib import Path

from allocator.outputs.manifest import MANIFEST, parquet_rows, read_manifest, sha256_of


def verify_dir(directory: Path) -> list[str]:
    """Everything wrong with ``directory``; an empty list means it is whole.

    Checks that the manifest exists, that every listed file is present with its size,
    row count and SHA-256, that no unlisted file is present, and for a classification that
    households read = classified + rejected.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [f"{directory}: no such directory"]
    if not (directory / MANIFEST).is_file():
        return [f"{directory}: no {MANIFEST} (not a complete allocator result)"]
    try:
        manifest = read_manifest(directory)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [f"{MANIFEST}: unreadable ({exc})"]
    problems: list[str] = []
    listed = set()
    for entry in manifest.get("files", []):
        rel = entry["path"]
        listed.add(rel)
        path = directory / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        if path.stat().st_size != entry["bytes"]:
            problems.append(f"{rel}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{rel}: checksum differs from the manifest")
        elif entry.get("rows") is not None:
            try:
                rows = parquet_rows(path)
            except Exception as exc:  # an unreadable Parquet footer
                problems.append(f"{rel}: unreadable Parquet ({exc})")
                continue
            if rows != entry["rows"]:
                problems.append(f"{rel}: {rows} rows, manifest says {entry['rows']}")
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    counts = manifest.get("counts")
    if manifest.get("kind") == "classification" and isinstance(counts, dict):
        read, done, rejected = (counts.get(k) for k in ("read", "classified", "rejected"))
        if not (
            isinstance(read, int)
            and isinstance(done, int)
            and isinstance(rejected, int)
            and read == done + rejected
        ):
            problems.append(
                f"counts: households read ({read}) != classified ({done}) + rejected ({rejected})"
            )
    return problems
