"""The JSON documents the API returns, built from stored rows and the ruleset.

Examples:
    >>> stats_document(3, [("food", True, 1, 2), ("food", False, None, 1)])
    {'decisions': 3, 'services': {'food': {'eligible': 2, 'not_eligible': 1, 'tiers': {'1': 2}}}}
"""

from __future__ import annotations

from typing import Any

from allocator.api.ruleset import RuleSet
from allocator.api.services import Service
from allocator.calendar import to_jalali
from allocator.expressions import unparse
from allocator.service.store import Row, decode


def ruleset_of(row: Row) -> dict[str, str]:
    """The ruleset identity recorded with a decision."""
    return {
        "ruleset": row["ruleset_name"],
        "version": row["ruleset_version"],
        "hash": row["ruleset_hash"],
    }


def decision_record(row: Row) -> dict[str, Any]:
    """Everything recorded about one decision: enough to re-evaluate and to audit it."""
    stored_input, stored_output = decode(row)
    return {
        "decision_id": row["decision_id"],
        "seq": row["seq"],
        "recorded_at": row["created_at"],
        "household_id": row["household_id"],
        "neighborhood_id": row["neighborhood_id"],
        "custodian": row["custodian"],
        "date": row["decision_date"],
        "ruleset": ruleset_of(row),
        "input": stored_input,
        "output": stored_output,
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


def decision_summary(row: Row) -> dict[str, Any]:
    """One line of a household's history."""
    _, output = decode(row)
    services = output.get("services", [])
    return {
        "decision_id": row["decision_id"],
        "recorded_at": row["created_at"],
        "date": row["decision_date"],
        "neighborhood_id": row["neighborhood_id"],
        "ruleset": ruleset_of(row),
        "eligible_services": [s["service_id"] for s in services if s.get("eligible")],
        "case_file": bool(output.get("case_file")),
    }


def _service_document(service: Service) -> dict[str, Any]:
    p = service.provenance
    return {
        "id": service.id,
        "name": service.name,
        "name_fa": service.name_fa,
        "entity": service.entity,
        "description": service.description,
        "agency": unparse(service.agency),
        "unit_cost": service.unit_cost,
        "opens_case_file": service.opens_case_file,
        "provenance": {
            "program": p.program,
            "seed": p.seed,
            "clause": p.clause,
            "text": p.describe(),
        },
        "conditions": [
            {
                "id": c.id,
                "expression": c.text,
                "explain": c.explain,
                "explain_fa": c.explain_fa,
                "source": c.source.describe() if c.source else "",
            }
            for c in service.conditions
        ],
        "priority": {
            "base": service.priority.base,
            "terms": [
                {"id": t.id, "when": t.text, "points": unparse(t.points), "explain": t.explain}
                for t in service.priority.terms
            ],
            "tier_thresholds": list(service.priority.tier_thresholds),
        },
    }


def rules_document(ruleset: RuleSet) -> dict[str, Any]:
    """The ruleset in force: identity, services with provenance and conditions, parameters."""
    return {
        "ruleset": ruleset.name,
        "version": ruleset.version,
        "title": ruleset.title,
        "hash": ruleset.hash,
        "services": [_service_document(s) for s in ruleset.services],
        "parameters": [
            {
                "name": p.name,
                "description": p.description,
                "unit": p.unit,
                "reference": p.reference,
                "assumption": p.assumption,
                "source": p.source.describe() if p.source else "",
                "values": [
                    {
                        "start": v.start.isoformat(),
                        "end": v.end.isoformat() if v.end else None,
                        "start_jalali": to_jalali(v.start),
                        "end_jalali": to_jalali(v.end) if v.end else None,
                        "value": v.value,
                    }
                    for v in p.values
                ],
            }
            for p in ruleset.parameters.parameters.values()
        ],
    }


def stats_document(total: int, groups: list[tuple[str, bool, int | None, int]]) -> dict[str, Any]:
    """Counts of decisions by service, eligibility and tier (no individual data)."""
    services: dict[str, dict[str, Any]] = {}
    for service_id, eligible, tier, count in groups:
        entry = services.setdefault(service_id, {"eligible": 0, "not_eligible": 0, "tiers": {}})
        if eligible:
            entry["eligible"] += count
            key = str(tier) if tier is not None else "none"
            entry["tiers"][key] = entry["tiers"].get(key, 0) + count
        else:
            entry["not_eligible"] += count
    return {"decisions": total, "services": services}
