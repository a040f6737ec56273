"""Kill a real ``allocator`` process with SIGKILL at a chosen moment, and look at what it left.

A command is first run to completion to measure it: its whole duration, and when its hidden
work directory (``.NAME.tmp``, see :mod:`allocator.outputs.atomic`) first appeared. Trials
then kill it after seeded random delays spread evenly over that duration: half measured
from the start of the process (most land while Python imports or reads its input), half
from the moment the work directory appears (they land while results are being written).
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.faults.processes import allocator_command

#: The seed of every trial plan (change it to explore other moments).
SEED = 20250601
#: How often the work directory is looked for, in seconds.
POLL = 0.005

#: A check of "is the command writing now?" (a hidden work directory exists).
Busy = Callable[[], bool]


def work_dirs(*parents: Path) -> Busy:
    """True while any hidden ``.NAME.tmp`` directory exists in one of ``parents``."""

    def busy() -> bool:
        return any(p.is_dir() and any(p.glob(".*.tmp")) for p in parents)

    return busy


@dataclass(frozen=True)
class Timing:
    """An uninterrupted run: seconds in all, and seconds until its work directory appeared."""

    total: float
    work_start: float

    @property
    def work(self) -> float:
        return max(self.total - self.work_start, 0.05)


def _spawn(
    args: list[str], env: dict[str, str] | None, cwd: Path | None, err: IO[bytes]
) -> subprocess.Popen[bytes]:
    # stderr goes to a file, not a pipe: a full pipe would stall the process (progress bars).
    return subprocess.Popen(
        [*allocator_command(), *args], stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd
    )


def timed_run(
    args: list[str], busy: Busy, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Timing:
    """Run ``allocator ARGS`` to completion, watching for its work directory."""
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = _spawn(args, env, cwd, err)
        seen: float | None = None
        while proc.poll() is None:
            if seen is None and busy():
                seen = time.monotonic() - started
            time.sleep(POLL)
        total = time.monotonic() - started
        assert proc.returncode == 0, f"allocator {' '.join(args)}: {_read(err)}"
    return Timing(total, seen if seen is not None else total / 2)


def _read(err: IO[bytes]) -> str:
    err.seek(0)
    return err.read().decode(errors="replace")


@dataclass(frozen=True)
class Trial:
    """When to kill: ``delay`` seconds after the start, or after the work directory appears."""

    index: int
    delay: float
    from_work: bool


def plan(timing: Timing, n: int, seed: int = SEED) -> list[Trial]:
    """``n`` trials, half timed from the start and half from the work directory's appearance,
    each half stratified over its window (one random moment per equal slice) and shuffled."""
    rng = random.Random(seed)
    halves = [(False, timing.total, (n + 1) // 2), (True, timing.work, n // 2)]
    moments: list[tuple[float, bool]] = []
    for from_work, window, count in halves:
        slices = list(range(count))
        rng.shuffle(slices)
        moments += [(window * (s + rng.random()) / count, from_work) for s in slices]
    rng.shuffle(moments)
    return [Trial(i, round(d, 3), w) for i, (d, w) in enumerate(moments)]


@dataclass(frozen=True)
class Kill:
    """What a trial did: whether the kill landed after the work began, while a work directory
    existed, or not at all (the process had already finished)."""

    trial: Trial
    killed: bool
    after_work_began: bool  # a work directory had been seen before the signal
    while_writing: bool  # a work directory existed when the signal was sent
    at: float  # seconds after the start


def kill_during(
    args: list[str],
    trial: Trial,
    busy: Busy,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    watch: Callable[[int], None] | None = None,
) -> Kill:
    """Start ``allocator ARGS`` and SIGKILL it at the trial's moment; ``watch`` is called
    with its pid at each look before the kill."""
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = _spawn(args, env, cwd, err)
        began = False  # a work directory was seen before the kill
        try:
            deadline = started + 120
            while trial.from_work and not began and proc.poll() is None:
                began = busy()
                if time.monotonic() > deadline:
                    break
                if watch:
                    watch(proc.pid)
                time.sleep(POLL)
            moment = time.monotonic() + trial.delay
            while proc.poll() is None and time.monotonic() < moment:
                began = began or busy()
                if watch:
                    watch(proc.pid)
                time.sleep(min(POLL, max(moment - time.monotonic(), 0)))
            writing = busy()
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            at = time.monotonic() - started
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        killed = proc.returncode == -signal.SIGKILL
        assert killed or proc.returncode == 0, f"allocator {' '.join(args)}: {_read(err)}"
    return Kill(trial, killed, killed and (began or writing), killed and writing, round(at, 3))


def snapshot(directory: Path, volatile: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file's bytes but ``manifest.json``'s; ``summary.json`` without ``volatile``."""
    drop = set(volatile)
    files = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if rel == "manifest.json":
            continue
        data = path.read_bytes()
        if rel == "summary.json" and drop:
            summary = {k: v for k, v in json.loads(data).items() if k not in drop}
            data = json.dumps(summary, sort_keys=True).encode()
        files[rel] = data
    return files


def _phase(kill: Kill) -> str:
    if kill.while_writing:
        return " while writing"
    return " after the work began" if kill.after_work_began else ""


def describe(kills: list[Kill]) -> str:
    """One line per trial, for failure messages and ``-s`` output."""
    return "\n".join(
        f"trial {k.trial.index}: {'after work dir ' if k.trial.from_work else ''}"
        f"+{k.trial.delay:.3f}s -> {'killed' if k.killed else 'finished'} at {k.at:.3f}s"
        f"{_phase(k)}"
        for k in kills
    )
