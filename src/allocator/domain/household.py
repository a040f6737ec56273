"""The two entities rules apply to: a household and its members (pydantic v2, strict).

Input arrives as JSON (a file, an HTTP body) and is validated by :func:`parse_household`,
which turns any problem into a :class:`~allocator.errors.InputError` naming the field.

Examples:
    >>> hh = parse_household({"household_id": 7, "neighborhood_id": 1, "income": 0,
    ...     "members": [{"age": 40, "sex": "female", "relation": "head"}]})
    >>> hh.members[0].disability_type.value
    'none'
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from allocator.domain import nationalid
from allocator.domain.enums import (
    Agency,
    DisabilityType,
    Housing,
    Imprisonment,
    Relation,
    Severity,
    Sex,
)
from allocator.errors import InputError

#: Bounds that reject absurd values (monthly toman amounts, ages in years).
MAX_AMOUNT = 10**12
MAX_AGE = 120
MAX_MEMBERS = 30

Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
Flag = Annotated[bool, Field(default=False)]


class Member(BaseModel):
    """A person in a household."""

    # hide_input_in_errors: a validation error never repeats a national ID in clear.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, hide_input_in_errors=True)

    age: Annotated[int, Field(ge=0, le=MAX_AGE, description="Age in completed years")]
    sex: Sex
    relation: Relation = Field(description="Relation to the head of household")
    insured: Flag = Field(default=False, description="Has health insurance")
    disability_type: DisabilityType = DisabilityType.NONE
    disability_severity: Severity = Severity.NONE
    hard_to_treat_disease: Flag = Field(default=False, description="Special/incurable disease")
    in_school: Flag = Field(default=False, description="Enrolled in school")
    employed: Flag = False
    drug_addiction: Flag = False
    street_child: Flag = Field(default=False, description="Working or street child")
    waste_picker: Flag = False
    woman_at_risk: Flag = False
    imprisoned: Imprisonment = Field(
        default=Imprisonment.NONE, description="In prison, and for which kind of crime"
    )
    national_id: str | None = Field(
        default=None,
        description="Iranian national ID (10 digits, check digit verified); optional",
    )

    @field_validator("national_id")
    @classmethod
    def _national_id_valid(cls, value: str | None) -> str | None:
        if value is not None and (reason := nationalid.problem(value)) is not None:
            raise ValueError(reason)  # masked: the ID never appears in clear
        return value

    @model_validator(mode="after")
    def _disability_consistent(self) -> Self:
        has_type = self.disability_type is not DisabilityType.NONE
        has_severity = self.disability_severity is not Severity.NONE
        if has_type != has_severity:
            raise ValueError(
                "disability_type and disability_severity must both be 'none' or both be set"
            )
        return self


class Household(BaseModel):
    """A family, the unit the programs serve (seed 001: family-centred)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, hide_input_in_errors=True)

    household_id: Annotated[int, Field(ge=1, le=2**62)]
    neighborhood_id: Annotated[int, Field(ge=1, le=2**31)]
    income: Amount = Field(default=0, description="Monthly household income, toman")
    assets: Amount = Field(default=0, description="Net assets, toman")
    housing: Housing = Housing.TENANT
    case_agency: Agency = Field(
        default=Agency.NONE, description="Agency that already holds the household's case file"
    )
    continuous_pension: Flag = Field(default=False, description="Receives a continuous pension")
    members: Annotated[list[Member], Field(min_length=1, max_length=MAX_MEMBERS)]

    @model_validator(mode="after")
    def _one_head(self) -> Self:
        heads = sum(m.relation is Relation.HEAD for m in self.members)
        if heads != 1:
            raise ValueError(
                f"a household has exactly one member with relation 'head', not {heads}"
            )
        return self


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "household"


def parse_household(data: str | bytes | dict[str, Any]) -> Household:
    """Validate a household from JSON text or a JSON-like dict.

    Raises:
        InputError: naming the first offending field, e.g. ``members[0].age``.

    Examples:
        >>> parse_household({"household_id": 1, "neighborhood_id": 1,
        ...     "members": [{"age": -3, "sex": "male", "relation": "head"}]})
        Traceback (most recent call last):
        ...
        allocator.errors.InputError: members[0].age: Input should be greater than or equal to 0
    """
    text = json.dumps(data) if isinstance(data, dict) else data
    try:
        return Household.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = _field_path(tuple(first["loc"]))
        raise InputError(f"{field}: {first['msg']}", field=field) from None
