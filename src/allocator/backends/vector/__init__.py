"""The array backend: whole batches of households classified with NumPy operations."""

from allocator.backends.vector.batch import Batch
from allocator.backends.vector.engine import Plan, VectorBackend
from allocator.backends.vector.result import BatchResult, ServiceResult

__all__ = ["Batch", "BatchResult", "Plan", "ServiceResult", "VectorBackend"]
