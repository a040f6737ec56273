"""``allocator classify`` killed with SIGKILL at random moments, then ``--resume``d.

After each kill the result directory is absent, or complete and verified (the new result,
or with ``--force`` the previous one). ``classify --resume`` then finishes the run from
its work directory, into the same bytes as an uninterrupted run: every file but
``manifest.json`` and the volatile fields of ``summary.json``
(:data:`allocator.pipeline.VOLATILE`).
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from allocator.api.ruleset import RuleSet
from allocator.data.writer import write_dataset
from allocator.outputs import atomic_output, verify_dir
from allocator.outputs.atomic import temporary_sibling
from allocator.pipeline import VOLATILE, RunOptions, classify_dataset
from tests.faults.killing import (
    SEED,
    Trial,
    describe,
    kill_during,
    plan,
    snapshot,
    timed_run,
    work_dirs,
)
from tests.faults.processes import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

DAY = "2025-06-01"
TRIALS = 7
NO_DECISIONS = RunOptions(decisions="none")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mazandaran, 162,000 households in 33 partitions."""
    data = tmp_path_factory.mktemp("faults") / "data"
    with atomic_output(data, kind="dataset", data_seed=0) as work:
        write_dataset("mazandaran", 0, work, row_group_households=5000)
    return data


def test_a_killed_classify_resumes_to_the_same_bytes(
    data: Path, tmp_path: Path, ruleset: RuleSet
) -> None:
    classify = ["classify", str(data), "--date", DAY]
    runs = tmp_path / "runs"
    runs.mkdir()
    reference = runs / "reference"
    timing = timed_run([*classify, "--out", str(reference)], work_dirs(runs))
    expected = snapshot(reference, VOLATILE)
    previous = tmp_path / "previous"  # another complete result, for the --force trials
    classify_dataset(data, previous, ruleset, date.fromisoformat(DAY), options=NO_DECISIONS)
    before = snapshot(previous, VOLATILE)
    kills, partitions_done = [], []
    for trial in plan(timing, TRIALS):
        out = runs / f"trial-{trial.index}"
        work = temporary_sibling(out)
        force = trial.index % 3 == 2
        if force:
            shutil.copytree(previous, out)
        args = [*classify, "--out", str(out), *(["--force"] if force else [])]
        kill = kill_during(args, trial, work_dirs(runs))
        kills.append(kill)
        where = f"{describe([kill])} (force={force})"
        if out.exists():  # else nothing: killed before publishing (or between its renames)
            assert verify_dir(out) == [], where
            assert snapshot(out, VOLATILE) in ((expected, before) if force else (expected,)), where
        partitions_done.append(len(list(work.glob("parts/summary-*.json"))))
        run_cli(*classify, "--out", str(out), "--resume", *(["--force"] if out.exists() else []))
        assert not work.exists(), where
        assert verify_dir(out) == [], where
        assert snapshot(out, VOLATILE) == expected, where
    print(f"\nclassify {timing}\n{describe(kills)}\npartitions done at the kill: {partitions_done}")
    assert sum(k.after_work_began for k in kills) >= TRIALS // 3, describe(kills)
    assert any(0 < n < 33 for n in partitions_done), partitions_done  # some resumed midway
    run_cli("verify", str(runs / "trial-0"))


def _processes() -> dict[int, tuple[int, str]]:
    """Every process's parent and state, from Linux ``/proc``."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        found[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return found


def _descendants(pid: int) -> set[int]:
    """The processes started by ``pid``, their children, and so on."""
    children: dict[int, list[int]] = {}
    for child, (parent, _) in _processes().items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    return {p for p, (_, state) in _processes().items() if p in pids and state != "Z"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_dask_classify_leaves_no_workers_and_resumes(
    data: Path, tmp_path: Path, ruleset: RuleSet
) -> None:
    """One trial on the Dask engine, killed while it writes: its worker processes end with
    it, and the resumed result (on Dask again) has the bytes of a local run."""
    pytest.importorskip("distributed")
    reference = tmp_path / "reference"
    classify_dataset(data, reference, ruleset, date.fromisoformat(DAY))
    out = tmp_path / "out"
    args = ["classify", str(data), "--date", DAY, "--engine", "dask", "--out", str(out)]
    started: set[int] = set()

    def watch(pid: int) -> None:
        started.update(_descendants(pid))

    trial = Trial(0, round(random.Random(SEED).uniform(0.5, 2.5), 3), from_work=True)
    kill = kill_during(args, trial, work_dirs(tmp_path), watch=watch)
    print(f"\ndask {describe([kill])}; processes it had started: {len(started)}")
    waited = time.monotonic()
    while _alive(started) and time.monotonic() < waited + 20:
        time.sleep(0.1)
    assert not _alive(started), f"processes of the killed classify still run: {_alive(started)}"
    print(f"they ended {time.monotonic() - waited:.1f} s after the kill")
    assert not out.exists() or verify_dir(out) == []
    run_cli(*args, "--resume", *(["--force"] if out.exists() else []))
    assert verify_dir(out) == []
    assert snapshot(out, VOLATILE) == snapshot(reference, VOLATILE)
