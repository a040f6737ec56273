"""The durable-rules backend: explained single decisions."""

from allocator.backends.durable.engine import DurableBackend

__all__ = ["DurableBackend"]
