"""Decisions and their explanations: what both engines answer, as plain data."""

from allocator.decisions.model import (
    ConditionTrace,
    Decision,
    EntityDecision,
    Fact,
    PriorityTrace,
    ServiceDecision,
    TermTrace,
)

__all__ = [
    "ConditionTrace",
    "Decision",
    "EntityDecision",
    "Fact",
    "PriorityTrace",
    "ServiceDecision",
    "TermTrace",
]
