"""The declared rule model: what the rule files say, typed, with no engine code.

The loader (:mod:`allocator.loading`) builds these objects from ``rules/``; the engines
(:mod:`allocator.backends`) compile them. Nothing here evaluates anything at scale.
"""

from allocator.api.parameters import Parameter, ParameterSet, ParameterValue
from allocator.api.ruleset import RuleSet
from allocator.api.services import (
    Condition,
    Priority,
    PriorityTerm,
    Provenance,
    Service,
    Source,
)
from allocator.api.variables import Aggregation, DerivedVariable

__all__ = [
    "Aggregation",
    "Condition",
    "DerivedVariable",
    "Parameter",
    "ParameterSet",
    "ParameterValue",
    "Priority",
    "PriorityTerm",
    "Provenance",
    "RuleSet",
    "Service",
    "Source",
]
