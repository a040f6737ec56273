"""The two entities rules apply to: a household and its members (pydantic v2, strict).

Input arrives as JSON (a file, an HTTP body) and is validated by :func:`parse_household`,
which turns every problem at once into one :class:`~allocator.errors.InputError` naming
each field.

No silent defaults: a field whose absence would read as need is required, so a household
without ``income`` or ``assets`` is refused ("income: required") rather than read as
income 0 (deep poverty). What may be left out is what reads as "no such fact": a risk flag
(drug addiction, street child, ...), a disability, imprisonment, a case file, a pension,
health insurance, schooling, a job are "no" when absent, as an unticked box on a form;
housing is "tenant" (rules only ask whether a household is homeless).

Examples:
    >>> hh = parse_household({"household_id": 7, "neighborhood_id": 1, "income": 0,
    ...     "assets": 0, "members": [{"age": 40, "sex": "female", "relation": "head"}]})
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

_DISABILITY = "disability_type and disability_severity must both be 'none' or both be set"
_ONE_HEAD = "a household has exactly one member with relation 'head', not {}"

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
            raise ValueError(_DISABILITY)
        return self


class Household(BaseModel):
    """A family, the unit the programs serve (seed 001: family-centred)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, hide_input_in_errors=True)

    household_id: Annotated[int, Field(ge=1, le=2**62)]
    neighborhood_id: Annotated[int, Field(ge=1, le=2**31)]
    income: Amount = Field(description="Monthly household income, toman (required: 0 if none)")
    assets: Amount = Field(description="Net assets, toman (required: 0 if none)")
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
            raise ValueError(_ONE_HEAD.format(heads))
        return self


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "household"


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "required"
    return str(error["msg"]).removeprefix("Value error, ")


def _cross_field(data: Any) -> list[tuple[str, str]]:
    """The checks of the model validators, on raw data whose fields failed (pydantic runs
    those validators only on valid fields): so they are reported together with the rest."""
    found: list[tuple[str, str]] = []
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, list) or not members:
        return found
    people = [m for m in members if isinstance(m, dict)]
    heads = sum(m.get("relation") == Relation.HEAD.value for m in people)
    if heads != 1 and len(people) == len(members):
        found.append(("household", _ONE_HEAD.format(heads)))
    for i, m in enumerate(members):
        if isinstance(m, dict):
            no_type = m.get("disability_type", "none") == "none"
            no_severity = m.get("disability_severity", "none") == "none"
            if no_type != no_severity:
                found.append((f"members[{i}]", _DISABILITY))
    return found


def household_if_valid(text: str | bytes) -> Household | None:
    """The household that the JSON ``text`` holds, if it is valid exactly as written;
    ``None`` otherwise, with no message built (:func:`parse_household` says what is wrong).

    The model is strict: a value is taken only as its own JSON type (``2400.0`` is not an
    integer here), so a text valid as written means the same after any rewriting.

    Examples:
        >>> body = ('{"household_id": 1, "neighborhood_id": 1, "income": 0, "assets": 0,'
        ...         ' "members": [{"age": 40, "sex": "female", "relation": "head"}]}')
        >>> household_if_valid(body).income, household_if_valid(body.replace("0,", "0.0,"))
        (0, None)
    """
    try:
        return Household.model_validate_json(text)
    except ValidationError:
        return None


def parse_household(data: str | bytes | dict[str, Any]) -> Household:
    """Validate a household from JSON text or a JSON-like dict.

    Raises:
        InputError: naming every offending field, e.g. ``members[0].age``; ``errors``
            holds each ``(field, message)``, the message all of them.

    Examples:
        >>> parse_household({"household_id": 1, "neighborhood_id": 1, "income": 0,
        ...     "members": [{"age": -3, "sex": "male", "relation": "head"}]})
        Traceback (most recent call last):
        ...
        allocator.errors.InputError: 2 problems: assets: required; members[0].age: Input ...
    """
    text = json.dumps(data) if isinstance(data, dict) else data
    try:
        return Household.model_validate_json(text)
    except ValidationError as exc:
        found = [(_field_path(tuple(e["loc"])), _message(e)) for e in exc.errors(include_url=False)]
    raw: Any = data
    if not isinstance(data, dict):
        try:
            raw = json.loads(data)
        except ValueError:
            raw = None
    found += [p for p in _cross_field(raw) if p not in found]
    lines = [f"{field}: {message}" for field, message in found]
    text = lines[0] if len(lines) == 1 else f"{len(lines)} problems: " + "; ".join(lines)
    raise InputError(text, field=found[0][0], errors=found) from None
