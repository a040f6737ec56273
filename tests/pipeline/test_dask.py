"""The Dask engine: one task per partition on real worker processes, the same bytes as local.

One :class:`distributed.LocalCluster` (two worker processes, one thread each) is started for
the session and shared by the tests, which reach it through ``DaskRunner(address)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from allocator.api.ruleset import RuleSet
from allocator.outputs import verify_dir
from allocator.pipeline import DaskRunner, RunOptions, classify_dataset
from tests.conftest import DAY
from tests.pipeline.test_resume import Crash, crash_after, snapshot

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def scheduler() -> Iterator[str]:
    cluster: Any = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def test_dask_writes_the_same_bytes_as_local(
    tiny_groups: Path, tmp_path: Path, ruleset: RuleSet, scheduler: str
) -> None:
    local = tmp_path / "local"
    classify_dataset(tiny_groups, local, ruleset, DAY)
    runner = DaskRunner(scheduler)
    out = tmp_path / "dask"
    summary = classify_dataset(tiny_groups, out, ruleset, DAY, runner=runner)
    assert summary["engine"] == "dask" and summary["row_groups"] == 7
    assert len(list((out / "parts").glob("decisions-*.parquet"))) == 7
    assert snapshot(out) == snapshot(local)
    assert verify_dir(out) == []
    assert len(runner.worker_peak_rss_mb) == 2


def test_a_local_crash_resumes_on_dask(
    tiny_groups: Path, tmp_path: Path, ruleset: RuleSet, scheduler: str
) -> None:
    options = RunOptions(decisions="wide")
    reference = tmp_path / "reference"
    classify_dataset(tiny_groups, reference, ruleset, DAY, options=options)
    out = tmp_path / "out"
    with pytest.raises(Crash):
        classify_dataset(
            tiny_groups, out, ruleset, DAY, options=options, progress=crash_after(2), threads=1
        )
    runner = DaskRunner(scheduler)
    classify_dataset(tiny_groups, out, ruleset, DAY, options=options, runner=runner, resume=True)
    assert snapshot(out) == snapshot(reference)


def test_cli_engine_dask(tiny_groups: Path, tmp_path: Path, scheduler: str) -> None:
    from typer.testing import CliRunner

    from allocator.cli.app import _register, app

    _register()
    out = tmp_path / "out"
    args = ["classify", str(tiny_groups), "--out", str(out), "--date", DAY.isoformat()]
    done = CliRunner().invoke(app, [*args, "--engine", "dask", "--scheduler", scheduler])
    assert done.exit_code == 0, done.output
    assert verify_dir(out) == []


def test_own_local_cluster(clean_dir: Path, tmp_path: Path, ruleset: RuleSet) -> None:
    runner = DaskRunner(workers=2)
    summary = classify_dataset(clean_dir, tmp_path / "out", ruleset, DAY, runner=runner)
    assert summary["households_classified"] == 3
    assert len(runner.worker_peak_rss_mb) == 2
