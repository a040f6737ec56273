"""Bulk classification of a data directory: read, check, classify, aggregate, write."""

from allocator.pipeline.options import DECISION_LAYOUTS, RunOptions
from allocator.pipeline.partition import PartitionJob, classify_partition, engine_of
from allocator.pipeline.prepare import REASONS, Prepared, prepare
from allocator.pipeline.run import OUTPUTS, VOLATILE, classify_dataset
from allocator.pipeline.runners import DaskRunner, LocalRunner, Runner, runner_for

__all__ = [
    "DECISION_LAYOUTS",
    "OUTPUTS",
    "REASONS",
    "VOLATILE",
    "DaskRunner",
    "LocalRunner",
    "PartitionJob",
    "Prepared",
    "RunOptions",
    "Runner",
    "classify_dataset",
    "classify_partition",
    "engine_of",
    "prepare",
    "runner_for",
]
