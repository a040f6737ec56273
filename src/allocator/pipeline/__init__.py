"""Bulk classification of a data directory: read, check, classify, aggregate, write."""

from allocator.pipeline.engines import DurableBatchEngine, Engine, classify_batch
from allocator.pipeline.options import DECISION_LAYOUTS, RunOptions
from allocator.pipeline.partition import PartitionJob, classify_partition
from allocator.pipeline.prepare import REASONS, Prepared, prepare
from allocator.pipeline.run import OUTPUTS, VOLATILE, classify_dataset, engine_for
from allocator.pipeline.runners import DaskRunner, LocalRunner, Runner, runner_for

__all__ = [
    "DECISION_LAYOUTS",
    "OUTPUTS",
    "REASONS",
    "VOLATILE",
    "DaskRunner",
    "DurableBatchEngine",
    "Engine",
    "LocalRunner",
    "PartitionJob",
    "Prepared",
    "RunOptions",
    "Runner",
    "classify_batch",
    "classify_dataset",
    "classify_partition",
    "engine_for",
    "prepare",
    "runner_for",
]
