"""Where runs keep data sets and classifications they can reuse.

Synthetic data sets and classifications are expensive and deterministic, so a run stores
them once under the cache directory (``$ALLOCATOR_CACHE``, else ``~/.cache/allocator``),
each written atomically with its manifest, and later runs and sweeps reuse them.

Examples:
    >>> import os
    >>> os.environ["ALLOCATOR_CACHE"] = "/tmp/allocator-cache-doc"
    >>> cache_dir().as_posix()
    '/tmp/allocator-cache-doc'
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from allocator.api.ruleset import RuleSet
from allocator.outputs import atomic_output
from allocator.outputs.manifest import MANIFEST

#: A progress callback: a short description of the current step.
Step = Callable[[str], None]
#: A counted-progress callback: (stage, done, total, households so far or None); the
#: stages are "synth" (households written) and "classify" (partitions done).
Counts = Callable[[str, int, int, int | None], None]


def cache_dir() -> Path:
    root = os.environ.get("ALLOCATOR_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "allocator"


def synthetic_data(preset: str, seed: int, step: Step, counts: Counts | None = None) -> Path:
    """The data directory of a synthetic preset and seed, generated on first use."""
    from allocator.data import write_dataset
    from allocator.data.metadata import GENERATOR_VERSION

    # The generator's version is in the name: data of an older generator is never reused.
    final = cache_dir() / "data" / f"{preset}-seed{seed}-v{GENERATOR_VERSION}"
    if not (final / MANIFEST).is_file():
        step(f"generating synthetic data: preset {preset}, seed {seed}")
        final.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(final, kind="dataset", force=True, data_seed=seed) as tmp:
            write_dataset(
                preset,
                seed,
                tmp,
                progress=(lambda done, total: counts("synth", done, total, None))
                if counts
                else None,
            )
    return final


def data_identity(data_dir: Path) -> str:
    """What identifies a data directory's content: the checksums its manifest lists (not the
    manifest's own bytes, which hold a timestamp), else the files' sizes and times."""
    manifest = data_dir / MANIFEST
    if manifest.is_file():
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        listed = "|".join(f"{f['path']}:{f['sha256']}" for f in files)
        return hashlib.sha256(listed.encode()).hexdigest()
    stamps = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(data_dir.glob("*"))
    ]
    return hashlib.sha256("|".join([str(data_dir.resolve()), *stamps]).encode()).hexdigest()


def classification(
    data_dir: Path, ruleset: RuleSet, day: date, step: Step, counts: Counts | None = None
) -> Path:
    """The classification of ``data_dir`` by ``ruleset`` on ``day``, computed on first use."""
    from allocator.pipeline import classify_dataset

    key = hashlib.sha256(
        f"{data_identity(data_dir)}|{ruleset.hash}|{day.isoformat()}|vector|casefiles".encode()
    ).hexdigest()[:20]
    final = cache_dir() / "classifications" / key
    if not (final / MANIFEST).is_file():
        step(f"classifying {data_dir.name} on {day.isoformat()}")
        final.parent.mkdir(parents=True, exist_ok=True)
        classify_dataset(
            data_dir,
            final,
            ruleset,
            day,
            force=True,
            progress=(lambda done, total, hh: counts("classify", done, total, hh))
            if counts
            else None,
        )
    return final
