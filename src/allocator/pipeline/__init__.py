"""Bulk classification of a data directory: read, check, classify, aggregate, write."""

from allocator.pipeline.engines import DurableBatchEngine, Engine, classify_batch
from allocator.pipeline.prepare import REASONS, Prepared, prepare
from allocator.pipeline.run import OUTPUTS, classify_dataset, engine_for

__all__ = [
    "OUTPUTS",
    "REASONS",
    "DurableBatchEngine",
    "Engine",
    "Prepared",
    "classify_batch",
    "classify_dataset",
    "engine_for",
    "prepare",
]
