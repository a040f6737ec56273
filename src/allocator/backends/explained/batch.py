"""An explaining backend behind the batch interface of a classification run.

:class:`ExplainedBatchEngine` turns each household of the batch back into a
:class:`~allocator.domain.Household` and asks an explaining backend (durable-rules, or the
Python engine) for its decision, one at a time: slow, but it produces the same
:class:`BatchResult` as the vector backend, so the two can be compared row for row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from allocator.api.ruleset import RuleSet
from allocator.backends.base import BackendName
from allocator.backends.batch import Batch
from allocator.backends.explained.engine import ExplainedBackend
from allocator.backends.result import BatchResult, ServiceResult
from allocator.decisions.model import Decision
from allocator.domain.enums import ENUM_TYPES
from allocator.domain.household import Household, parse_household
from allocator.domain.inputs import MEMBER_INPUTS
from allocator.domain.neighborhood import Neighborhood


def households_of(batch: Batch) -> list[Household]:
    """The batch's households as validated models (enum codes back to their names)."""
    hh = {k: v.tolist() for k, v in batch.household.items()}
    members = {k: v.tolist() for k, v in batch.member.items()}
    names = {k: ENUM_TYPES[vt.enum] for k, vt in MEMBER_INPUTS.items() if vt.enum is not None}
    offsets = batch.offsets.tolist()
    found = []
    for i, (hid, nid) in enumerate(
        zip(batch.household_id.tolist(), batch.neighborhood_id.tolist(), strict=True)
    ):
        rows = range(offsets[i], offsets[i + 1])
        people = [
            {k: names[k][members[k][j]] if k in names else members[k][j] for k in MEMBER_INPUTS}
            for j in rows
        ]
        found.append(
            parse_household(
                {
                    "household_id": hid,
                    "neighborhood_id": nid,
                    "income": hh["income"][i],
                    "assets": hh["assets"][i],
                    "housing": ENUM_TYPES["housing"][hh["housing"][i]],
                    "case_agency": ENUM_TYPES["agency"][hh["case_agency"][i]],
                    "continuous_pension": hh["continuous_pension"][i],
                    "members": people,
                }
            )
        )
    return found


class ExplainedBatchEngine:
    """Classifies a batch household by household with an explaining backend."""

    def __init__(
        self,
        ruleset: RuleSet,
        neighborhoods: Mapping[int, Neighborhood],
        backend: ExplainedBackend,
    ) -> None:
        self.ruleset = ruleset
        self.neighborhoods = neighborhoods
        self.backend = backend

    @property
    def name(self) -> BackendName:
        return self.backend.name

    def decisions(self, batch: Batch, day: date) -> list[Decision]:
        """The explained decision of every household of ``batch``."""
        return [
            self.backend.decide(h, self.neighborhoods[h.neighborhood_id], day)
            for h in households_of(batch)
        ]

    def classify(self, batch: Batch, day: date) -> BatchResult:
        return result_of(self.ruleset, batch, self.decisions(batch, day))


def result_of(ruleset: RuleSet, batch: Batch, decisions: list[Decision]) -> BatchResult:
    """Explained decisions in the array form of :class:`BatchResult`."""
    n = len(decisions)
    agency = {name: i for i, name in enumerate(ENUM_TYPES["agency"])}
    dense: dict[str, dict[str, Any]] = {
        s.id: {
            "eligible": np.zeros(n, dtype=np.bool_),
            "units": np.zeros(n, dtype=np.int16),
            "score": np.zeros(n, dtype=np.float64),
            "tier": np.zeros(n, dtype=np.int8),
            "agency": np.full(n, -1, dtype=np.int8),
            "failed": np.full(n, -1, dtype=np.int8),
        }
        for s in ruleset.services
    }
    index = {s.id: {c.id: i for i, c in enumerate(s.conditions)} for s in ruleset.services}
    case_file = np.zeros(n, dtype=np.bool_)
    case_agency = np.full(n, -1, dtype=np.int8)
    for row, decision in enumerate(decisions):
        for sd in decision.services:
            columns = dense[sd.service_id]
            columns["eligible"][row] = sd.eligible
            columns["units"][row] = sd.units
            columns["score"][row] = sd.need_score or 0.0
            columns["tier"][row] = sd.tier or 0
            columns["agency"][row] = agency[sd.agency] if sd.agency is not None else -1
            if sd.failed_condition is not None:
                columns["failed"][row] = index[sd.service_id][sd.failed_condition]
        case_file[row] = decision.case_file
        if decision.case_file_agency is not None:
            case_agency[row] = agency[decision.case_file_agency]
    services = {k: ServiceResult.from_dense(**v) for k, v in dense.items()}
    return BatchResult(
        household_id=batch.household_id,
        neighborhood_id=batch.neighborhood_id,
        sizes=batch.sizes,
        services=services,
        case_file=case_file,
        case_file_agency=case_agency,
    )
