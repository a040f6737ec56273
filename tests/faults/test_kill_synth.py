"""``allocator synth`` killed with SIGKILL at random moments leaves no partial data set.

After each kill the output directory is absent, or a complete data set that verifies (the
new one, or with ``--force`` the previous one); a rerun then writes the same bytes as an
uninterrupted run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allocator.data.writer import write_dataset
from allocator.outputs import atomic_output, verify_dir
from allocator.outputs.atomic import temporary_sibling
from tests.faults.killing import describe, kill_during, plan, snapshot, timed_run, work_dirs
from tests.faults.processes import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: Mazandaran in row groups of 1,000: 162,000 households, about 1.2 s of writing.
SYNTH = ["synth", "--preset", "mazandaran", "--seed", "2", "--row-group", "1000"]
TRIALS = 6


def test_a_killed_synth_leaves_nothing_partial_and_reruns_to_the_same_bytes(
    tmp_path: Path,
) -> None:
    reference = tmp_path / "reference"
    timing = timed_run([*SYNTH, "--out", str(reference)], work_dirs(tmp_path))
    expected = snapshot(reference)
    previous = tmp_path / "previous"  # another complete data set, for the --force trials
    with atomic_output(previous, kind="dataset", data_seed=2) as work:
        write_dataset("tiny", 2, work)
    before = snapshot(previous)
    kills = []
    for trial in plan(timing, TRIALS):
        out = tmp_path / f"trial-{trial.index}"
        force = trial.index % 3 == 2
        if force:
            shutil.copytree(previous, out)
        args = [*SYNTH, "--out", str(out), *(["--force"] if force else [])]
        kill = kill_during(args, trial, work_dirs(tmp_path))
        kills.append(kill)
        where = f"{describe([kill])} (force={force})"
        if out.exists():  # else nothing: killed before publishing (or between its renames)
            assert verify_dir(out) == [], where
            assert snapshot(out) in ((expected, before) if force else (expected,)), where
        run_cli(*SYNTH, "--out", str(out), *(["--force"] if out.exists() else []))
        assert not temporary_sibling(out).exists(), where
        assert verify_dir(out) == [], where
        assert snapshot(out) == expected, where
    print(f"\nsynth {timing}\n{describe(kills)}")
    assert sum(k.after_work_began for k in kills) >= TRIALS // 3, describe(kills)
    run_cli("verify", str(tmp_path / "trial-0"))
