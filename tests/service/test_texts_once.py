"""A condition's texts come once per service; decisions recorded with them on every trace
still replay as the same decision."""

from __future__ import annotations

import copy
import json
from typing import Any

from allocator.decisions.forms import TEXTS
from allocator.service.store import NewDecision
from tests.service.conftest import DAY, Service, household


def _with_texts_on_every_trace(output: dict[str, Any]) -> dict[str, Any]:
    """The layout decisions were recorded in before (texts repeated per trace)."""
    old = copy.deepcopy(output)
    for service in old["services"]:
        said = {c["id"]: c for c in service.pop("conditions")}
        for detail in service["details"]:
            for trace in detail["conditions"]:
                trace.update({k: said[trace["id"]][k] for k in TEXTS})
    return old


def test_each_service_says_its_conditions_once(service: Service) -> None:
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    services = r.json()["services"]
    members = [s for s in services if s["entity"] == "member"]
    assert members and all(len(s["details"]) == 3 for s in members)
    for s in services:
        said = {c["id"]: c for c in s["conditions"]}
        assert all(said[c]["expression"] for c in said)
        for detail in s["details"]:
            for trace in detail["conditions"]:
                assert trace["id"] in said
                assert not set(TEXTS) & set(trace), trace
    refused = next(s for s in services if s["service_id"] == "financial_continuous")
    assert any(c["source"].startswith("Seed") for c in refused["conditions"])


def test_a_decision_recorded_with_texts_on_every_trace_replays_the_same(
    service: Service,
) -> None:
    posted = service.client.post(
        f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth()
    ).json()
    row = service.state.store.get(posted["decision_id"])
    assert row is not None
    old = _with_texts_on_every_trace(json.loads(row["output_json"]))
    assert len(json.dumps(old)) > len(row["output_json"])
    recorded = service.state.store.append(
        NewDecision(
            "old-layout", row["household_id"], row["neighborhood_id"], row["custodian"],
            service.state.ruleset.identity(), row["decision_date"],
            json.loads(row["input_json"]), old, [],
        )
    )  # fmt: skip
    r = service.client.get(
        f"/v1/decisions/{recorded['decision_id']}/replay", headers=service.auth()
    )
    assert r.status_code == 200, r.text
    assert r.json()["same"] is True and r.json()["changed_services"] == []
