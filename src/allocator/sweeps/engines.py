"""Where the variants run: in this process one after another, or on a Dask cluster.

Both engines take the same tasks and give back the same results; the Dask engine ships
the demand to every worker once (``client.scatter(..., broadcast=True)``) and each task
builds its own model from it.

Examples:
    >>> LocalEngine().name, DaskEngine(n_workers=2).name
    ('local', 'dask')
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from allocator.optimize import Demand
from allocator.sweeps.task import VariantResult, VariantTask, solve_variant

#: Called with each result as it arrives (for a progress bar).
Done = Callable[[VariantResult], None]


class SweepEngine(Protocol):
    """Runs every task on the demand and returns the results in task order."""

    name: str

    def map(
        self, demand: Demand, tasks: Sequence[VariantTask], done: Done | None = None
    ) -> list[VariantResult]: ...


class LocalEngine:
    """Solve the variants in this process, one after another."""

    name = "local"

    def map(
        self, demand: Demand, tasks: Sequence[VariantTask], done: Done | None = None
    ) -> list[VariantResult]:
        results = []
        for task in tasks:
            result = solve_variant(demand, task)
            if done is not None:
                done(result)
            results.append(result)
        return results


class DaskEngine:
    """Solve the variants on Dask workers.

    Args:
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster`` of ``n_workers`` single-threaded worker processes for the
            sweep and closes it afterwards.
        n_workers: worker processes of the local cluster.
        client: an existing client to use (and not close), e.g. a test's shared cluster.
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, n_workers: int = 2, client: Any = None
    ) -> None:
        self.scheduler = scheduler
        self.n_workers = n_workers
        self.client = client

    def map(
        self, demand: Demand, tasks: Sequence[VariantTask], done: Done | None = None
    ) -> list[VariantResult]:
        if self.client is not None:
            return _run_on(self.client, demand, tasks, done)
        distributed: Any = importlib.import_module("distributed")  # the optional 'dask' extra
        if self.scheduler is not None:
            with distributed.Client(self.scheduler) as client:
                return _run_on(client, demand, tasks, done)
        with (
            distributed.LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            return _run_on(client, demand, tasks, done)


def _run_on(
    client: Any, demand: Demand, tasks: Sequence[VariantTask], done: Done | None
) -> list[VariantResult]:
    as_completed: Any = importlib.import_module("distributed").as_completed

    shared = client.scatter(demand, broadcast=True)
    prefix = f"variant-{uuid.uuid4().hex[:8]}"  # unique per sweep on a shared client
    by_key: dict[str, VariantTask] = {f"{prefix}-{t.index}": t for t in tasks}
    futures = [
        client.submit(solve_variant, shared, task, pure=False, key=key)
        for key, task in by_key.items()
    ]
    results: dict[int, VariantResult] = {}
    for future in as_completed(futures):
        task = by_key[str(future.key)]
        try:
            result: Any = future.result()
        except Exception as exc:  # the worker died or could not run the task
            result = VariantResult(task.index, task.values, None, f"dask: {exc!r}", 0.0)
        if done is not None:
            done(result)
        results[task.index] = result
    return [results[t.index] for t in tasks]
