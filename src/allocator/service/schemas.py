"""Response models: they document the API in its OpenAPI document.

The household (request) and the decision (response of ``POST /v1/eligibility``) reuse the
domain's own schemas, added to the document by :mod:`allocator.service.openapi`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every 4xx/5xx body."""

    error: str = Field(description="What is wrong, in words")
    field: str = Field(description="Path of the offending field, e.g. members[0].age, or ''")
    code: str = Field(description="A stable reason code, e.g. invalid-input, too-large")


class RulesetIdentity(BaseModel):
    ruleset: str
    version: str
    hash: str


class DecisionRecord(BaseModel):
    """A recorded decision: its exact input and output, ruleset and chain links."""

    decision_id: str
    seq: int
    recorded_at: str
    household_id: int
    neighborhood_id: int
    custodian: str = Field(description="Agency in custody of the household's neighborhood")
    date: str = Field(description="Decision date, YYYY-MM-DD")
    ruleset: RulesetIdentity
    input: dict[str, Any] = Field(description="The household as evaluated")
    output: dict[str, Any] = Field(description="The decision (see Decision)")
    prev_hash: str
    hash: str


class DecisionSummary(BaseModel):
    decision_id: str
    recorded_at: str
    date: str
    neighborhood_id: int
    ruleset: RulesetIdentity
    eligible_services: list[str]
    case_file: bool


class HouseholdDecisions(BaseModel):
    household_id: int
    decisions: list[DecisionSummary] = Field(description="Newest first")


class Replay(BaseModel):
    """A stored decision re-evaluated with the ruleset in force now."""

    decision_id: str
    same: bool = Field(description="The new output equals the stored one")
    same_ruleset: bool
    recorded_ruleset: RulesetIdentity
    current_ruleset: RulesetIdentity
    changed_services: list[str] = Field(description="Services whose decision changed")
    output: dict[str, Any] = Field(description="The new decision")


class ServiceCounts(BaseModel):
    eligible: int
    not_eligible: int
    tiers: dict[str, int] = Field(description="Eligible decisions by tier (1 most urgent)")


class Stats(BaseModel):
    """Aggregates only: no household appears here."""

    decisions: int
    services: dict[str, ServiceCounts]


class Health(BaseModel):
    status: str
