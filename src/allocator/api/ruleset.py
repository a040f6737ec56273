"""The loaded ruleset: variables in evaluation order, services, parameters, version, hash.

Examples:
    >>> from allocator.loading import load_ruleset
    >>> rs = load_ruleset(default_rules_dir())
    >>> rs.name, len(rs.hash)
    ('national', 64)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from allocator.api.parameters import ParameterSet
from allocator.api.services import Service
from allocator.api.variables import DerivedVariable
from allocator.domain.valuetypes import ValueType


def default_rules_dir() -> Path:
    """The shipped national ruleset: ``rules/national`` of the project, or the installed copy."""
    here = Path(__file__).resolve()
    for base in (here.parents[3], here.parents[1]):
        candidate = base / "rules" / "national"
        if (candidate / "ruleset.yaml").is_file():
            return candidate
    return here.parents[3] / "rules" / "national"


@dataclass(frozen=True)
class RuleSet:
    """Everything the engines need, already checked.

    Attributes:
        variables: derived variables in an order where each comes after what it reads.
        inputs: the input variables' types, per entity.
    """

    name: str
    version: str
    title: str
    hash: str
    source: str
    variables: tuple[DerivedVariable, ...]
    services: tuple[Service, ...]
    parameters: ParameterSet
    inputs: dict[str, dict[str, ValueType]]

    @cached_property
    def service_by_id(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @cached_property
    def variable_by_id(self) -> dict[tuple[str, str], DerivedVariable]:
        return {(v.entity, v.id): v for v in self.variables}

    def type_of(self, entity: str, name: str) -> ValueType:
        """The type of a variable (input or derived) of ``entity``."""
        if name in self.inputs[entity]:
            return self.inputs[entity][name]
        return self.variable_by_id[(entity, name)].type

    def identity(self) -> dict[str, str]:
        """What every decision records about the rules that made it."""
        return {"ruleset": self.name, "version": self.version, "hash": self.hash}
