"""Engines that run a :class:`~allocator.api.RuleSet`.

- :mod:`allocator.backends.durable`: one household at a time on durable-rules, explained;
- :mod:`allocator.backends.vector`: many households at once as NumPy arrays, with the C
  kernel of :mod:`allocator.backends.native` when it can be built;
- :mod:`allocator.backends.batch` and :mod:`allocator.backends.result`: what every backend
  takes and answers (:class:`Batch`, :class:`BatchResult`);
- :mod:`allocator.backends.registry`: each backend by name, with what it supports.

Both are compiled from the same parsed rules; ``tests/parity`` proves they agree.
"""
