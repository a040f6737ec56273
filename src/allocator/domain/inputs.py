"""The input variables rules can read, per entity, and how to take them from the models.

A household's input variables include a few facts of its neighborhood (``urban``,
``custodian``, program membership), so that rules never look data up themselves.

Examples:
    >>> INPUT_VARIABLES["member"]["age"].kind
    'int'
    >>> INPUT_VARIABLES["household"]["custodian"].describe()
    'enum agency'
"""

from __future__ import annotations

from allocator.domain.enums import Program, Setting
from allocator.domain.household import Household, Member
from allocator.domain.neighborhood import Neighborhood
from allocator.domain.valuetypes import BOOL, INT, ValueType, enum_type
from allocator.types import ScalarValue

#: Program membership exposed to rules as household booleans.
PROGRAM_VARIABLES: dict[str, Program] = {
    "target_2020": Program.NEIGHBORHOODS_2020,
    "informal_settlement": Program.INFORMAL_SETTLEMENTS,
    "mazandaran_56": Program.MAZANDARAN_56,
}

HOUSEHOLD_INPUTS: dict[str, ValueType] = {
    "income": INT,
    "assets": INT,
    "housing": enum_type("housing"),
    "case_agency": enum_type("agency"),
    "continuous_pension": BOOL,
    "urban": BOOL,
    "custodian": enum_type("agency"),
    **{name: BOOL for name in PROGRAM_VARIABLES},
}

MEMBER_INPUTS: dict[str, ValueType] = {
    "age": INT,
    "sex": enum_type("sex"),
    "relation": enum_type("relation"),
    "insured": BOOL,
    "disability_type": enum_type("disability_type"),
    "disability_severity": enum_type("severity"),
    "hard_to_treat_disease": BOOL,
    "in_school": BOOL,
    "employed": BOOL,
    "drug_addiction": BOOL,
    "street_child": BOOL,
    "waste_picker": BOOL,
    "woman_at_risk": BOOL,
    "imprisoned": enum_type("imprisonment"),
}

INPUT_VARIABLES: dict[str, dict[str, ValueType]] = {
    "household": HOUSEHOLD_INPUTS,
    "member": MEMBER_INPUTS,
}


def household_inputs(household: Household, neighborhood: Neighborhood) -> dict[str, ScalarValue]:
    """The household's input variables as plain Python values (enums as their names)."""
    values: dict[str, ScalarValue] = {
        "income": household.income,
        "assets": household.assets,
        "housing": household.housing.value,
        "case_agency": household.case_agency.value,
        "continuous_pension": household.continuous_pension,
        "urban": neighborhood.setting is Setting.URBAN,
        "custodian": neighborhood.custodian.value,
    }
    for name, program in PROGRAM_VARIABLES.items():
        values[name] = neighborhood.is_target(program)
    return values


def member_inputs(member: Member) -> dict[str, ScalarValue]:
    """The member's input variables as plain Python values (enums as their names)."""
    values: dict[str, ScalarValue] = {}
    for name in MEMBER_INPUTS:
        raw = getattr(member, name)
        values[name] = raw.value if hasattr(raw, "value") else raw
    return values


#: Units of the input variables that have one (explanations show values with them).
INPUT_UNITS: dict[str, str] = {"income": "toman per month", "assets": "toman", "age": "years"}
