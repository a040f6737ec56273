"""A killed run resumes from its work directory into the same bytes as an uninterrupted run.

Every file of the result is compared byte for byte except ``manifest.json`` (creation time,
command line, checksum of ``summary.json``) and ``summary.json``, whose only differing fields
are :data:`allocator.pipeline.VOLATILE` (timing and engine).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet
from allocator.errors import DataError
from allocator.outputs import verify_dir
from allocator.pipeline import VOLATILE, classify_dataset
from tests.conftest import DAY


class Crash(Exception):
    """Stands for the process being killed."""


def crash_after(k: int) -> object:
    def progress(done: int, _total: int, _households: int) -> None:
        if done >= k:
            raise Crash

    return progress


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file's bytes, but ``manifest.json``; ``summary.json`` without volatile fields."""
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel == "manifest.json":
            continue
        data = path.read_bytes()
        if rel == "summary.json":
            summary = {k: v for k, v in json.loads(data).items() if k not in VOLATILE}
            data = json.dumps(summary, sort_keys=True).encode()
        files[rel] = data
    return files


@pytest.mark.parametrize("threads", [1, 2])
def test_resume_after_a_crash_is_byte_identical(
    tiny_groups: Path, tmp_path: Path, ruleset: RuleSet, threads: int
) -> None:
    reference = tmp_path / "reference"
    classify_dataset(tiny_groups, reference, ruleset, DAY, threads=threads)
    out = tmp_path / "out"
    with pytest.raises(Crash):
        classify_dataset(tiny_groups, out, ruleset, DAY, threads=threads, progress=crash_after(3))
    work = tmp_path / ".out.tmp"
    assert not out.exists() and work.is_dir()
    done = sorted(p.name for p in (work / "parts").glob("summary-*.json"))
    assert 3 <= len(done) < 7
    summary = classify_dataset(tiny_groups, out, ruleset, DAY, threads=threads, resume=True)
    assert not work.exists()
    assert summary["row_groups"] == 7
    assert summary["households_read"] == 2000
    assert snapshot(out) == snapshot(reference)
    assert verify_dir(out) == []


def test_resume_refuses_another_run(tiny_groups: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    out = tmp_path / "out"
    with pytest.raises(Crash):
        classify_dataset(tiny_groups, out, ruleset, DAY, threads=1, progress=crash_after(1))
    other_day = DAY + timedelta(days=1)
    with pytest.raises(DataError, match="date"):
        classify_dataset(tiny_groups, out, ruleset, other_day, resume=True)
    assert not out.exists()
    # Without --resume the leftover is discarded and the run starts afresh.
    classify_dataset(tiny_groups, out, ruleset, other_day, threads=1)
    assert verify_dir(out) == []


def test_resume_without_leftover_runs_everything(
    clean_dir: Path, tmp_path: Path, ruleset: RuleSet
) -> None:
    summary = classify_dataset(clean_dir, tmp_path / "out", ruleset, DAY, resume=True)
    assert summary["households_read"] == 3
