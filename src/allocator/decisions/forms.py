"""Recorded decisions in the current JSON form, whatever form they were recorded in.

Decisions recorded before the condition texts were given once per service carry each
condition's ``expression``, ``explain``, ``explain_fa`` and ``source`` on every trace (of
every member). :func:`texts_once` moves them to the service's ``conditions``, as a
decision is written today, so that a replay compares what was decided, not the layout.

Examples:
    >>> old = {"services": [{"service_id": "s", "details": [{"conditions": [
    ...     {"id": "poor", "expression": "income < 10", "explain": "Poor",
    ...      "explain_fa": "فقیر", "source": "Seed 000", "status": "failed"}]}]}]}
    >>> new = texts_once(old)
    >>> [c["expression"] for c in new["services"][0]["conditions"]]
    ['income < 10']
    >>> new["services"][0]["details"][0]["conditions"]
    [{'id': 'poor', 'status': 'failed'}]
    >>> texts_once(new) == new
    True
"""

from __future__ import annotations

import copy
from typing import Any

#: The texts of a condition, in the order the service's ``conditions`` give them.
TEXTS = ("expression", "explain", "explain_fa", "source")


def texts_once(output: dict[str, Any]) -> dict[str, Any]:
    """``output`` with its condition texts once per service (a copy when it changes)."""
    services = output.get("services", [])
    if not any("conditions" not in s for s in services):
        return output
    output = copy.deepcopy(output)
    for service in output["services"]:
        said: dict[str, dict[str, Any]] = {}
        for detail in service.get("details", []):
            for trace in detail.get("conditions", []):
                text = {name: trace.pop(name) for name in TEXTS if name in trace}
                said.setdefault(trace["id"], {"id": trace["id"], **text})
        service["conditions"] = list(said.values())
        # the JSON's key order: ``conditions`` before ``details``, as written today
        service["details"] = service.pop("details", [])
    return output
