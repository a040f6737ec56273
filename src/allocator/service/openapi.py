"""The OpenAPI document, with the domain's own Household and Decision schemas in it.

``POST /v1/eligibility`` reads its body itself (so that a bad household is reported with
:func:`~allocator.domain.parse_household`'s field path), so its schemas are added here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from allocator.decisions.model import Decision
from allocator.domain.household import Household

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
            for name, schema in domain_schemas().items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
