"""Who runs the partitions of a classification: threads of this process, or a Dask cluster.

A runner takes a :class:`~.partition.PartitionJob` and the partition indices still to do, and
yields each partition's summary as it completes (in any order). Both run the same job, so
they write the same part files.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import Any, Protocol

from .partition import PartitionJob, worker_rss_mb


class Runner(Protocol):
    """Runs partitions and yields their summaries as they complete."""

    name: str

    def run(self, job: PartitionJob, partitions: Sequence[int]) -> Iterator[dict[str, Any]]: ...


class LocalRunner:
    """Partitions in ``threads`` threads of this process (NumPy and Arrow release the GIL).

    At most ``threads`` partitions are in flight, so memory stays bounded by that many row
    groups.
    """

    name = "local"

    def __init__(self, threads: int = 2) -> None:
        self.threads = max(1, threads)

    def run(self, job: PartitionJob, partitions: Sequence[int]) -> Iterator[dict[str, Any]]:
        if self.threads == 1 or len(partitions) <= 1:
            for index in partitions:
                yield job(index)
            return
        todo = list(partitions)
        # Partitions already keep the cores busy: Arrow's own reading threads would only
        # compete with them.
        job = replace(job, read_threads=False)
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            running: set[Future[dict[str, Any]]] = set()
            try:
                while todo or running:
                    while todo and len(running) < self.threads:
                        running.add(pool.submit(job, todo.pop(0)))
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in sorted(finished, key=lambda f: f.result()["partition"]):
                        yield future.result()
            finally:
                for future in running:
                    future.cancel()


class DaskRunner:
    """One Dask task per partition, on a cluster at ``address`` or a local one.

    Without an address a :class:`distributed.LocalCluster` of ``workers`` worker processes
    (one thread each) is started for the run and closed after it. The job (ruleset and
    options) is scattered to every worker once; each task then ships only a partition index.
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        self.address = address
        self.workers = workers
        self.worker_peak_rss_mb: dict[str, float] = {}

    def run(self, job: PartitionJob, partitions: Sequence[int]) -> Iterator[dict[str, Any]]:
        distributed: Any = importlib.import_module("distributed")  # the optional 'dask' extra

        cluster = None
        if self.address is None:
            cluster = distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
            client = distributed.Client(cluster)
        else:
            client = distributed.Client(self.address)
        try:
            yield from self._run(client, distributed.as_completed, job, partitions)
            self.worker_peak_rss_mb = client.run(worker_rss_mb)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    @staticmethod
    def _run(
        client: Any, as_completed: Any, job: PartitionJob, partitions: Sequence[int]
    ) -> Iterator[dict[str, Any]]:
        if not partitions:
            return
        run = uuid.uuid4().hex[:12]  # keys unique to this run on a shared scheduler
        shared = client.scatter(job, broadcast=True)
        futures = [client.submit(_call, shared, i, key=f"classify-{run}-{i}") for i in partitions]
        try:
            for future in as_completed(futures):
                summary: dict[str, Any] = future.result()
                yield summary
        finally:
            client.cancel(futures)


def _call(job: PartitionJob, index: int) -> dict[str, Any]:
    return job(index)


def runner_for(engine: str, threads: int, scheduler: str | None, workers: int) -> Runner:
    """The runner of ``--engine`` (``local`` or ``dask``)."""
    if engine == "local":
        return LocalRunner(threads)
    if engine == "dask":
        return DaskRunner(scheduler, workers)
    from allocator.errors import DataError

    raise DataError(f"--engine: unknown engine {engine!r} (local or dask)")
