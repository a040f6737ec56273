"""Explained single decisions: the explanation every explaining engine shares, and the
Python engine, which evaluates the rule model itself."""

from allocator.backends.explained.engine import ExplainedBackend, PythonBackend

__all__ = ["ExplainedBackend", "PythonBackend"]
