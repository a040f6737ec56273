"""End-to-end runs of a scenario: data -> classification -> demand -> model -> plan -> files.

Examples:
    >>> from allocator.runs import prepare, solve, write_run  # the three stages
"""

from allocator.runs.prepare import Prepared, demand_from, prepare
from allocator.runs.write import run_summary, solve, write_run

__all__ = ["Prepared", "demand_from", "prepare", "run_summary", "solve", "write_run"]
