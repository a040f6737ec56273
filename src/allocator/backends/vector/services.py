"""One service evaluated for a batch: conditions, first failure, score, tier, units, agency.

A household-level service is decided per household. A member-level service is decided per
member and summarized per household as :mod:`allocator.decisions.model` describes: eligible
if any member is, ``units`` the number of eligible members, the best eligible member's score
and its tier, and otherwise the latest first-failing condition over the members. Scores are
computed only for eligible entities, on a subset of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.api.services import Service
from allocator.backends.result import ServiceResult
from allocator.types import Array

from .compile import Compiled, Compiler
from .frame import Frame
from .layout import Layout


@dataclass
class ServicePlan:
    """A service's compiled expressions."""

    service: Service
    conditions: list[Compiled]
    terms: list[tuple[Compiled, Compiled]]
    agency: Compiled

    @classmethod
    def build(cls, service: Service, compiler: Compiler) -> ServicePlan:
        entity = service.entity
        return cls(
            service=service,
            conditions=[compiler.compile(c.expr, entity) for c in service.conditions],
            terms=[
                (compiler.compile(t.when, entity), compiler.compile(t.points, entity))
                for t in service.priority.terms
            ],
            agency=compiler.compile(service.agency, "household", "agency"),
        )

    def passed(self, frame: Frame) -> Array:
        """How many leading conditions each entity meets (all of them: eligible), int8."""
        count = np.zeros(frame.n, dtype=np.int8)
        prefix: Array | None = None
        for condition in self.conditions:
            holds = condition.full(frame, np.bool_)
            prefix = holds.copy() if prefix is None else np.logical_and(prefix, holds, out=prefix)
            np.add(count, prefix, out=count, casting="unsafe")
        return count

    def score(self, frame: Frame) -> Array:
        """Need score of every entity of ``frame``: base plus the points of terms that hold."""
        score = np.full(frame.n, self.service.priority.base, dtype=np.float64)
        for when, points in self.terms:
            applies = when.full(frame, np.bool_)
            if points.is_const:  # 0 or the points: adding 0.0 leaves the score unchanged
                score += applies * np.float64(points.const)
            else:
                score += np.where(applies, points(frame), 0)
        return score

    def tier(self, score: Array) -> Array:
        """Tier of each score, as ``Priority.tier_of`` (the first threshold reached wins)."""
        thresholds = self.service.priority.tier_thresholds
        tier = np.full(len(score), len(thresholds) + 1, dtype=np.int8)
        # Thresholds do not increase (the loader checks), so a score reaching threshold i
        # reaches every later one: the tier is one more than the thresholds not reached.
        for threshold in thresholds:
            tier -= score >= threshold
        return tier

    def evaluate(self, households: Frame, members: Frame, layout: Layout) -> ServiceResult:
        """The household-level result for every household of the batch (in layout order)."""
        k = len(self.conditions)
        n = households.n
        if self.service.entity == "household":
            passed = self.passed(households)
            met = passed == k
            failed = np.where(met, np.int8(-1), passed)
            rows = np.flatnonzero(met)
            units = np.ones(len(rows), dtype=np.int16)
            scores = self._score_rows(households, rows)
        else:
            passed = self.passed(members)
            met = passed == k
            furthest = layout.reduce(np.maximum, passed, np.int8(k))
            failed = np.where(furthest == k, np.int8(-1), furthest)
            member_rows = np.flatnonzero(met)
            if len(member_rows) == 0:
                nobody = ServiceResult.empty(n)
                nobody.failed = failed
                return nobody
            eligible = members.subset(member_rows)
            assert eligible.up_index is not None
            owner = eligible.up_index
            if len(member_rows) * 8 < members.n:  # few members: count by owner
                rows, counts = np.unique(owner, return_counts=True)
                units = counts.astype(np.int16)
            else:
                all_units = layout.sum(met, np.int16)
                rows = np.flatnonzero(all_units)
                units = all_units[rows]
            scores = layout.best(member_rows, owner, self.score(eligible))[rows]
        if self.agency.is_const:
            agency = np.full(len(rows), self.agency.const, dtype=np.int8)
        else:
            agency = self.agency.full(households, np.int8)[rows]
        return ServiceResult(
            failed=failed,
            rows=rows,
            units_at=units,
            score_at=scores,
            tier_at=self.tier(scores),
            agency_at=agency,
        )

    def _score_rows(self, households: Frame, rows: Array) -> Array:
        """Scores of households ``rows``: on the whole frame when most are there (no gather)."""
        if len(rows) == 0:
            return np.zeros(0)
        if len(rows) * 3 > households.n:
            return self.score(households)[rows]
        return self.score(households.subset(rows))
