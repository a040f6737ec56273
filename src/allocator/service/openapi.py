"""The OpenAPI document, with the domain's own Household and Decision schemas in it.

``POST /v1/eligibility`` reads its body itself (so that a bad household is reported with
:func:`~allocator.domain.parse_household`'s field path), so its schemas are added here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from allocator.api.ruleset import RuleSet
from allocator.decisions.model import Decision
from allocator.domain.household import Household
from allocator.errors import ParameterNotCoveredError

REF = "#/components/schemas/{model}"


def _add(components: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    for sub_name, sub in schema.pop("$defs", {}).items():
        components.setdefault(sub_name, sub)
    components[name] = schema


def domain_schemas() -> dict[str, Any]:
    """Household (request), Decision and RecordedDecision (response) schemas."""
    components: dict[str, Any] = {}
    _add(components, "Household", Household.model_json_schema(ref_template=REF))
    decision = TypeAdapter(Decision).json_schema(ref_template=REF, mode="serialization")
    _add(components, "Decision", decision)
    components["RecordedDecision"] = {
        "title": "RecordedDecision",
        "allOf": [
            {"$ref": "#/components/schemas/Decision"},
            {
                "type": "object",
                "required": ["decision_id", "recorded_at"],
                "properties": {
                    "decision_id": {"type": "string", "description": "Id in the audit log"},
                    "recorded_at": {"type": "string", "description": "UTC time, ISO 8601"},
                },
            },
        ],
    }
    return components


#: The validator's cross-field rules, stated in the schema (so that every request the
#: schema allows is accepted): a member's disability type and severity are both 'none'
#: (or absent) or both set; a household has exactly one head.
DISABILITY_PAIRED = {
    "anyOf": [
        {
            "properties": {
                "disability_type": {"const": "none"},
                "disability_severity": {"const": "none"},
            }
        },
        {
            "required": ["disability_type", "disability_severity"],
            "properties": {
                "disability_type": {"not": {"const": "none"}},
                "disability_severity": {"not": {"const": "none"}},
            },
        },
    ]
}
ONE_HEAD = {
    "contains": {
        "type": "object",
        "required": ["relation"],
        "properties": {"relation": {"const": "head"}},
    },
    "minContains": 1,
    "maxContains": 1,
}


def state_rules(components: dict[str, Any], neighborhood_ids: list[int]) -> None:
    """Add the validator's rules to the Household and Member schemas (in place).

    ``neighborhood_ids`` are those of the service's registry: a range when they are
    contiguous, else an enumeration.
    """
    member = components["Member"]
    member.update(DISABILITY_PAIRED)
    member["description"] = (
        member.get("description", "") + " disability_type and disability_severity are "
        "both 'none' (or absent) or both set."
    ).strip()
    national_id = member["properties"]["national_id"]
    for branch in national_id.get("anyOf", []):
        if branch.get("type") == "string":
            branch["pattern"] = "^[0-9]{10}$"
    national_id["description"] = (
        "Iranian national ID: ten ASCII digits, not all equal, the last a check digit of the "
        "other nine (s = sum of d_i * (10 - i), r = s mod 11; r if r < 2, else 11 - r); "
        "optional. JSON Schema cannot state the check digit: an ID that fails it is refused."
    )
    household = components["Household"]
    household["properties"]["members"].update(ONE_HEAD)
    household["properties"]["members"]["description"] = "Exactly one member is the head."
    ids = sorted(neighborhood_ids)
    prop = household["properties"]["neighborhood_id"]
    if ids and ids == list(range(ids[0], ids[-1] + 1)):
        prop["minimum"], prop["maximum"] = ids[0], ids[-1]
    elif ids:
        prop.pop("minimum", None)
        prop.pop("maximum", None)
        prop["enum"] = ids
    prop["description"] = "A neighborhood of the service's registry"


def covered_years(ruleset: RuleSet) -> list[int]:
    """The calendar years every parameter of ``ruleset`` covers from 1 January to 31 December.

    Examples:
        >>> from allocator.api.ruleset import default_rules_dir
        >>> from allocator.loading import load_ruleset
        >>> years = covered_years(load_ruleset(default_rules_dir()))
        >>> 2025 in years and 1999 not in years
        True
    """
    years = []
    for year in range(1900, 2200):
        first, last = date(year, 1, 1), date(year, 12, 31)
        try:
            for parameter in ruleset.parameters.parameters.values():
                parameter.at(first)
                parameter.at(last)
        except ParameterNotCoveredError:
            continue
        years.append(year)
    return years


def jalali_years(years: list[int]) -> list[int]:
    """The Jalali years whose every day lies in one of the (Gregorian) ``years``.

    Examples:
        >>> jalali_years([2021, 2022, 2023])
        [1400, 1401]
    """
    import jdatetime

    covered = set(years)
    found = []
    for jy in range(1300, 1600):
        first = jdatetime.date(jy, 1, 1).togregorian()
        last = jdatetime.date(jy + 1, 1, 1).togregorian() - timedelta(days=1)
        if first.year in covered and last.year in covered:
            found.append(jy)
    return found


def date_schema(years: list[int]) -> dict[str, Any]:
    """The schema of the decision date: a date within a fully covered year, Gregorian or
    Jalali (:mod:`allocator.calendar`: a year below 1700 is Jalali).

    Days are stated up to the 28th (Gregorian) or 29th (Jalali) so that the pattern admits
    only real dates; other days of those years are accepted too.
    """
    gregorian = "|".join(str(y) for y in years) or "0000"
    jalali = "|".join(str(y) for y in jalali_years(years)) or "0000"
    month = "(0[1-9]|1[0-2])"
    return {
        "type": "string",
        "pattern": f"^(({gregorian})-{month}-(0[1-9]|1[0-9]|2[0-8])"
        f"|({jalali})-{month}-(0[1-9]|[12][0-9]))$",
        "description": f"Decision date, YYYY-MM-DD, in {years[0]}–{years[-1]}, or a Jalali "
        "date of the years they cover (default: today)"
        if years
        else "Decision date (no year is covered by the parameters)",
    }


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the domain schemas (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            domain = domain_schemas()
            state_rules(domain, [n.neighborhood_id for n in app.state.service.registry])
            for name, schema in domain.items():
                schemas.setdefault(name, schema)
            post = document["paths"]["/v1/eligibility"]["post"]
            for parameter in post.get("parameters", []):
                if parameter["name"] == "date":
                    parameter["schema"] = date_schema(covered_years(app.state.service.ruleset))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
