"""Engines that run a :class:`~allocator.api.RuleSet`.

- :mod:`allocator.backends.durable`: one household at a time on durable-rules, explained;
- :mod:`allocator.backends.vector`: many households at once as NumPy arrays.

Both are compiled from the same parsed rules; ``tests/parity`` proves they agree.
"""
