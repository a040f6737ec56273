"""Classify a data directory partition by partition into an atomic, resumable result directory.

Layout of the result (``OUT``)::

    run.json                       what the run is (data, ruleset, date, options); no time
    parts/decisions-00000.parquet  per input row group (absent with decisions "none")
    parts/rejects-00000.parquet    rejected households and orphan member rows
    parts/demand-00000.parquet     that partition's demand
    parts/why_not-00000.parquet    that partition's why-not counts
    parts/casefiles-00000.parquet  that partition's case files
    parts/summary-00000.json       that partition's counts; written last, marks it done
    demand.parquet                 per (neighborhood, service, tier, agency), all partitions
    why_not.parquet                per (neighborhood, service, failed condition)
    services.parquet               the service catalogue
    casefiles.parquet              case files (one per household) per (neighborhood, agency)
    summary.json                   counts, eligibility by province, and the run's timing
    manifest.json                  every file with its size, rows and SHA-256

Everything is written into the hidden work directory ``.OUT.tmp`` and published by a rename
(:func:`allocator.outputs.atomic_output`). A failed or killed run leaves that work directory;
``resume=True`` continues it, skipping partitions whose summary exists, once ``run.json``
shows the same run. Any other run discards it. Only ``summary.json`` (``seconds``,
``households_per_second``, ``engine``) and ``manifest.json`` (``created_at``, ``command``,
the checksum of ``summary.json``) differ between runs; every other file is byte-identical
whether the run was interrupted, resumed, or run by another engine.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.backends.registry import backend
from allocator.calendar import fiscal_year, to_jalali
from allocator.domain.tables import HOUSEHOLDS_FILE
from allocator.outputs import atomic_output
from allocator.outputs.atomic import check_target, temporary_sibling

from .casefiles import CASEFILES_FILE
from .catalogue import services_table
from .neighborhoods import NeighborhoodTable
from .options import RunOptions, check_resumable, data_seed, run_identity, write_run_file
from .partition import (
    PARTS,
    DamagedFileError,
    PartitionJob,
    neighborhoods_of,
    part_path,
    read_parquet,
    write_json,
    write_parquet,
)
from .reduce import reduce_casefiles, reduce_demand, reduce_summaries, reduce_why_not
from .runners import LocalRunner, Runner

#: Files at the top of a result directory (besides ``parts/`` and ``manifest.json``).
OUTPUTS = (
    "run.json",
    "demand.parquet",
    "why_not.parquet",
    "services.parquet",
    CASEFILES_FILE,
    "summary.json",
)
#: Fields of ``summary.json`` that change from run to run; everything else is reproducible.
VOLATILE = ("seconds", "households_per_second", "engine")
#: Progress callback: (partitions done, partitions in all, households done).
Progress = Callable[[int, int, int], None]


def classify_dataset(
    data_dir: Path,
    out_dir: Path,
    ruleset: RuleSet,
    day: date,
    *,
    options: RunOptions | None = None,
    force: bool = False,
    resume: bool = False,
    runner: Runner | None = None,
    threads: int = 2,
    progress: Progress | None = None,
    command: list[str] | None = None,
) -> dict[str, Any]:
    """Classify every household of ``data_dir`` into the result directory ``out_dir``.

    Args:
        options: backend and decisions layout (default: vector, compact).
        force: replace an existing ``out_dir``.
        resume: continue the work directory of an interrupted run with the same identity.
        runner: who runs the partitions (default: :class:`LocalRunner` with ``threads``).
        progress: called after each partition (a test can raise there to simulate a crash).
        command: the command line recorded in the manifest (default: ``sys.argv``).

    Returns:
        The content of ``summary.json``.

    Raises:
        DataError: a table or column is missing or mistyped (nothing is written then), or a
            work directory to resume was made by a different run.
        OutputExistsError: ``out_dir`` exists and ``force`` is not set (with ``resume``, a
            published result of this same run is not an error: its summary is returned,
            with ``"already_complete": True``).
        ParameterNotCoveredError: a parameter has no value on ``day``.
    """
    started = time.perf_counter()
    options = options or RunOptions()
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    groups, neighborhoods = _check_inputs(data_dir, ruleset, day)
    if not backend(options.backend).capabilities.threads:
        threads = 1  # e.g. durable-rules keeps global state: one household at a time
    runner = runner or LocalRunner(threads)
    identity = run_identity(data_dir, ruleset, day, options, groups)
    if resume and not force:
        finished = completed_summary(out_dir, identity)
        if finished is not None:  # e.g. killed just after publishing: nothing left to do
            return finished
    check_target(out_dir, force)
    work = temporary_sibling(out_dir)
    if work.exists() and not resume:
        shutil.rmtree(work)
    try:
        with atomic_output(
            out_dir,
            kind="classification",
            force=force,
            resume=True,  # keep the work directory of a failed run for a later --resume
            command=command if command is not None else sys.argv,
            ruleset_hash=ruleset.hash,
            data_seed=data_seed(data_dir),
            manifest_extra=lambda tmp: _manifest_extra(tmp, groups, options),
        ) as tmp:
            job = PartitionJob(data_dir.resolve(), ruleset, day, options, tmp.resolve())
            summaries = _run_partitions(job, identity, groups, runner, progress, resume)
            summary = _reduce(tmp, ruleset, neighborhoods, summaries)
            summary.update(_run_fields(data_dir, ruleset, day, options, runner, summary, started))
            write_json(summary, tmp / "summary.json")
    except DamagedFileError:
        # A damaged input: the partitions done so far cannot be resumed into a whole
        # result once the file is replaced (its identity changes), so nothing is kept.
        shutil.rmtree(work, ignore_errors=True)
        raise
    return summary


def _check_inputs(data_dir: Path, ruleset: RuleSet, day: date) -> tuple[int, NeighborhoodTable]:
    """Fail before anything is written: the tables and columns, the neighborhoods, and the
    parameters on ``day``. The number of partitions (row groups) and the neighborhoods."""
    from .schema import open_tables

    files = open_tables(data_dir)
    groups = files[HOUSEHOLDS_FILE].num_row_groups
    neighborhoods = neighborhoods_of(data_dir)  # checked, and cached for the partitions
    ruleset.parameters.at(day)  # fails if a parameter is not covered
    return groups, neighborhoods


def _run_fields(
    data_dir: Path,
    ruleset: RuleSet,
    day: date,
    options: RunOptions,
    runner: Runner,
    summary: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    """What ``summary.json`` says about the run itself: rules, date, options, timing."""
    seconds = time.perf_counter() - started
    return {
        "ruleset": ruleset.identity(),
        "date": day.isoformat(),
        "date_jalali": to_jalali(day),
        "fiscal_year": fiscal_year(day),
        "backend": options.backend,
        "decisions": options.decisions,
        "data_dir": str(data_dir),
        "engine": runner.name,
        "seconds": round(seconds, 3),
        "households_per_second": round(summary["households_read"] / seconds) if seconds else None,
    }


def _manifest_extra(work_dir: Path, groups: int, options: RunOptions) -> dict[str, Any]:
    """The manifest's own fields, read from the finished ``summary.json``."""
    import json

    summary = json.loads((work_dir / "summary.json").read_text(encoding="utf-8"))
    return {
        "counts": {
            "read": summary["households_read"],
            "classified": summary["households_classified"],
            "rejected": summary["households_rejected"],
        },
        "partitions": groups,
        "options": options.to_dict(),
    }


def completed_summary(out_dir: Path, identity: dict[str, Any]) -> dict[str, Any] | None:
    """The summary of ``out_dir`` when it is a published result of the run ``identity``.

    Raises:
        DataError: ``out_dir`` is a published classification of a different run.
    """
    import json

    from allocator.outputs.manifest import MANIFEST

    if not (out_dir / MANIFEST).is_file() or temporary_sibling(out_dir).exists():
        return None
    if not check_resumable(out_dir, identity):
        return None
    try:
        summary: dict[str, Any] = json.loads((out_dir / "summary.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    summary["already_complete"] = True
    return summary


def _run_partitions(
    job: PartitionJob,
    identity: dict[str, Any],
    groups: int,
    runner: Runner,
    progress: Progress | None,
    resume: bool,
) -> list[dict[str, Any]]:
    """Run every partition not done yet; the summaries of all, in partition order."""
    import json

    tmp = job.work_dir
    resumed = resume and check_resumable(tmp, identity)
    if not resumed:
        for path in list(tmp.iterdir()):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        write_run_file(tmp, identity)
    parts = tmp / PARTS
    parts.mkdir(exist_ok=True)
    for stray in parts.glob(".*.tmp"):
        stray.unlink()
    done: dict[int, dict[str, Any]] = {}
    for i in range(groups):
        path = part_path(tmp, "summary", i)
        if path.is_file():
            done[i] = json.loads(path.read_text(encoding="utf-8"))
    households = sum(s["households_read"] for s in done.values())
    todo = [i for i in range(groups) if i not in done]
    for summary in runner.run(job, todo):
        done[summary["partition"]] = summary
        households += summary["households_read"]
        if progress:
            progress(len(done), groups, households)
    return [done[i] for i in range(groups)]


def _reduce(
    tmp: Path,
    ruleset: RuleSet,
    neighborhoods: NeighborhoodTable,
    summaries: list[dict[str, Any]],
) -> dict[str, Any]:
    """Write the run-wide tables from the part files; the reproducible part of the summary."""
    indices = range(len(summaries))

    def demand() -> None:
        parts = [read_parquet(part_path(tmp, "demand", i)) for i in indices]
        write_parquet(reduce_demand(ruleset, neighborhoods, parts), tmp / "demand.parquet")

    def why_not() -> None:
        parts = [read_parquet(part_path(tmp, "why_not", i)) for i in indices]
        write_parquet(reduce_why_not(ruleset, neighborhoods, parts), tmp / "why_not.parquet")
        write_parquet(services_table(ruleset), tmp / "services.parquet")
        parts = [read_parquet(part_path(tmp, "casefiles", i)) for i in indices]
        write_parquet(reduce_casefiles(neighborhoods, parts), tmp / CASEFILES_FILE)

    # The two reductions are independent: run them side by side (the cores are idle now).
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(demand), pool.submit(why_not)]:
            done.result()
    return reduce_summaries(ruleset, neighborhoods, summaries)
