"""The array backend: whole batches of households classified with NumPy operations."""

from allocator.backends.vector.engine import Plan, VectorBackend

__all__ = ["Plan", "VectorBackend"]
