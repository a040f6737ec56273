"""End-to-end runs of a scenario: data -> classification -> demand -> model -> plan -> files.

Examples:
    >>> from allocator.runs import stage_demand, solve, write_run  # the three stages
"""

from allocator.runs.demand_stage import DemandStage, demand_from, stage_demand
from allocator.runs.write import fairness_price, run_summary, solve, write_run

#: Former names (``pipeline`` has its own ``prepare``/``Prepared``): kept until callers move.
Prepared = DemandStage
prepare = stage_demand

__all__ = [
    "DemandStage",
    "Prepared",
    "demand_from",
    "fairness_price",
    "prepare",
    "run_summary",
    "solve",
    "stage_demand",
    "write_run",
]
