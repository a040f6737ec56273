"""``allocator run`` killed with SIGKILL at random moments leaves no partial run or cache entry.

Most trials start from an empty cache (``$ALLOCATOR_CACHE``), so the kill can land while
the run builds its cached data set and classification as well as while it writes the run.
After each kill the run directory is absent or complete and verified (with ``--force``,
possibly the previous run), and so is every entry of the cache. A rerun on the same cache
then completes with the same files as an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from allocator.outputs import verify_dir
from allocator.outputs.atomic import temporary_sibling
from tests.conftest import ROOT
from tests.faults.killing import Busy, describe, kill_during, plan, snapshot, timed_run, work_dirs
from tests.faults.processes import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: The tiny data set (2,000 households), cached data and classification, a fast solve.
SCENARIO = ROOT / "scenarios" / "over-constrained.yaml"
#: Fields of a run's summary.json that change between runs: timings, and ``source``, the
#: classification's path in the cache (which differs from one cache directory to another).
RUN_VOLATILE = ("build_seconds", "solve_seconds", "stage_seconds", "source")
TRIALS = 7


def _cache(cache: Path) -> tuple[dict[str, str], Busy]:
    env = {**os.environ, "ALLOCATOR_CACHE": str(cache)}
    return env, work_dirs(cache / "data", cache / "classifications")


def _cache_entries(cache: Path) -> list[Path]:
    return [p for p in cache.glob("*/*") if not p.name.startswith(".")]


def test_a_killed_run_leaves_no_partial_run_or_cache_entry(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    reference = runs / "reference"
    env, cache_busy = _cache(tmp_path / "cache-reference")
    args = ["run", str(SCENARIO), "--out"]
    busy_ref = work_dirs(runs)
    timing = timed_run([*args, str(reference)], lambda: busy_ref() or cache_busy(), env, tmp_path)
    expected = snapshot(reference, RUN_VOLATILE)
    kills = []
    for trial in plan(timing, TRIALS):
        out = runs / f"trial-{trial.index}"
        cache = tmp_path / f"cache-{trial.index}"
        force = trial.index % 3 == 2
        if force:  # a previous complete run
            shutil.copytree(reference, out)
        env, cache_busy = _cache(cache)
        busy_run = work_dirs(runs)

        def busy() -> bool:
            return busy_run() or cache_busy()  # noqa: B023  (used within the iteration)

        command = [*args, str(out), *(["--force"] if force else [])]
        kill = kill_during(command, trial, busy, env, tmp_path)
        kills.append(kill)
        where = f"{describe([kill])} (force={force})"
        if out.exists():  # else nothing: killed before publishing (or between its renames)
            assert verify_dir(out) == [], where
            assert snapshot(out, RUN_VOLATILE) == expected, where
        for entry in _cache_entries(cache):
            assert verify_dir(entry) == [], f"{entry}: {where}"
        rerun = [*args, str(out), *(["--force"] if out.exists() else [])]
        run_cli(*rerun, env=env, cwd=tmp_path)
        assert not temporary_sibling(out).exists(), where
        assert not busy(), f"a work directory was left in the cache: {where}"
        assert verify_dir(out) == [], where
        assert snapshot(out, RUN_VOLATILE) == expected, where
        assert len(_cache_entries(cache)) == 2, where
    print(f"\nrun {timing}\n{describe(kills)}")
    assert sum(k.after_work_began for k in kills) >= TRIALS // 3, describe(kills)
    run_cli("verify", str(runs / "trial-0"))
