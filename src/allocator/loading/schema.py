"""The shape of each kind of rule file, as pydantic models (what YAML must look like).

Examples:
    >>> RawCondition.model_validate({"id": "poor", "when": "income < 10"}).when
    'income < 10'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from allocator.calendar import Day
from allocator.loading.yamlio import LINE_KEY

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _without_line(value: object) -> object:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != LINE_KEY}
    return value


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    line: int | None = Field(default=None, alias="__line__")


class RawProvenance(_Raw):
    program: str
    seed: str
    clause: str


class RawSource(_Raw):
    title: str
    clause: str = ""
    url: Annotated[str, Field(pattern=r"^(https?://\S+)?$")] = ""


class RawCondition(_Raw):
    id: Id
    when: str
    explain: str = ""
    explain_fa: str = ""
    source: RawSource | None = None


class RawTerm(_Raw):
    id: Id
    when: str
    points: int | float | str
    explain: str = ""


class RawPriority(_Raw):
    base: float = 0.0
    terms: list[RawTerm] = Field(default_factory=list)
    tiers: dict[Literal[1, 2, 3], float]

    @field_validator("tiers", mode="before")
    @classmethod
    def _drop_line(cls, value: object) -> object:
        return _without_line(value)


class RawService(_Raw):
    id: Id
    name: str
    name_fa: str = ""
    description: str = ""
    entity: Literal["household", "member"]
    agency: str = "default"
    unit_cost: Annotated[int, Field(ge=0)]
    opens_case_file: bool = False
    provenance: RawProvenance
    entitlement: RawProvenance | None = None  # a right, served in full (with its source)
    eligibility: Annotated[list[RawCondition], Field(min_length=1)]
    priority: RawPriority


class RawVariable(_Raw):
    id: Id
    entity: Literal["household", "member"]
    description: str = ""
    source: str = ""
    unit: str = ""
    formula: str | None = None
    aggregate: Literal["any", "count", "sum", "min", "max"] | None = None
    of: str | None = None
    where: str | None = None
    default: int | float | None = None


class RawParameterValue(_Raw):
    start: Day = Field(alias="from")
    end: Day | None = Field(default=None, alias="to")
    value: bool | int | float


class RawParameter(_Raw):
    description: str
    unit: str = ""
    reference: str
    assumption: bool = False
    source: RawSource | None = None
    values: Annotated[list[RawParameterValue], Field(min_length=1)]


class RulesetFile(_Raw):
    ruleset: Id
    version: str
    title: str = ""
    description: str = ""
    delivery: str


class ParametersFile(_Raw):
    parameters: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]*$")], RawParameter]

    @field_validator("parameters", mode="before")
    @classmethod
    def _drop_line(cls, value: object) -> object:
        return _without_line(value)


class VariablesFile(_Raw):
    variables: list[RawVariable]


class ServicesFile(_Raw):
    services: Annotated[list[RawService], Field(min_length=1)]
