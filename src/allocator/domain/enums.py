"""Closed vocabularies of the domain, shared by the models, rules and data files.

Every enum is a ``StrEnum``: the rule files compare against the values' names, the
bulk engine stores their position in :data:`ENUM_TYPES` as a small integer code.

Examples:
    >>> Agency.WELFARE_ORGANIZATION.value
    'welfare_organization'
    >>> ENUM_TYPES["housing"].index("homeless")
    3
"""

from __future__ import annotations

from enum import StrEnum


class Agency(StrEnum):
    """Who holds a case file or delivers a service (seed 000's four agencies, plus none/other)."""

    NONE = "none"
    RELIEF_COMMITTEE = "relief_committee"
    WELFARE_ORGANIZATION = "welfare_organization"
    IMAM_ORDER = "imam_order"
    RED_CRESCENT = "red_crescent"
    OTHER = "other"


#: The four support agencies that can hold custody of a neighborhood (seed 000).
CUSTODIANS: tuple[Agency, ...] = (
    Agency.RELIEF_COMMITTEE,
    Agency.WELFARE_ORGANIZATION,
    Agency.IMAM_ORDER,
    Agency.RED_CRESCENT,
)


class Housing(StrEnum):
    """Housing status of a household."""

    OWNER = "owner"
    TENANT = "tenant"
    INFORMAL = "informal"
    HOMELESS = "homeless"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Relation(StrEnum):
    """Relation of a member to the head of household."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


class DisabilityType(StrEnum):
    """Disability types of seed 002's profile."""

    NONE = "none"
    PHYSICAL_MOTOR = "physical_motor"
    INTELLECTUAL = "intellectual"
    VISUAL = "visual"
    HEARING = "hearing"
    CHRONIC_MENTAL = "chronic_mental"
    SPEECH = "speech"


class Severity(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Imprisonment(StrEnum):
    """Whether a member is in prison, and for which kind of crime (seed 003)."""

    NONE = "none"
    UNINTENTIONAL = "unintentional"
    INTENTIONAL = "intentional"


class Setting(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class Program(StrEnum):
    """Programs a neighborhood can be a target of."""

    NEIGHBORHOODS_2020 = "neighborhoods_2020"
    INFORMAL_SETTLEMENTS = "informal_settlements"
    MAZANDARAN_56 = "mazandaran_56"


#: Every enum type by the name the rule language knows it by, values in code order.
ENUM_TYPES: dict[str, tuple[str, ...]] = {
    "agency": tuple(a.value for a in Agency),
    "housing": tuple(h.value for h in Housing),
    "sex": tuple(s.value for s in Sex),
    "relation": tuple(r.value for r in Relation),
    "disability_type": tuple(d.value for d in DisabilityType),
    "severity": tuple(s.value for s in Severity),
    "imprisonment": tuple(i.value for i in Imprisonment),
}
