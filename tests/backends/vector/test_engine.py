"""The vector backend on batches: results by household, parameters at the date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from allocator.api.ruleset import RuleSet
from allocator.backends.batch import Batch
from allocator.backends.vector import VectorBackend
from allocator.domain import Household, Neighborhood, parse_household
from allocator.errors import ParameterNotCoveredError
from tests.conftest import DAY


def _household(hid: int, **extra: object) -> Household:
    members = [
        {"age": 40, "sex": "female", "relation": "head"},
        {
            "age": 3,
            "sex": "male",
            "relation": "child",
            "disability_type": "visual",
            "disability_severity": "severe",
        },
    ]
    return parse_household(
        {
            "household_id": hid,
            "neighborhood_id": 1,
            "income": 0,
            "assets": 0,
            "members": members,
            **extra,
        }
    )


def test_member_service_summary(ruleset: RuleSet, target_neighborhood: Neighborhood) -> None:
    backend = VectorBackend(ruleset)
    batch = Batch.from_models(
        [_household(1), _household(2, housing="homeless")],
        {1: target_neighborhood},
    )
    result = backend.classify(batch, DAY)
    visual = result.services["rehab_visual"]
    assert visual.eligible.tolist() == [True, True]
    assert visual.units.tolist() == [1, 1]
    assert visual.tier.tolist() == [1, 1]
    assert visual.score.tolist() == [10 + 50 + 20 + 10] * 2
    shelter = result.services["shelter"]
    assert shelter.eligible.tolist() == [False, True]
    assert shelter.failed.tolist() == [0, -1]
    assert np.array_equal(result.case_file, [True, True])


def test_uncovered_date_raises(ruleset: RuleSet, target_neighborhood: Neighborhood) -> None:
    batch = Batch.from_models([_household(1)], {1: target_neighborhood})
    with pytest.raises(ParameterNotCoveredError):
        VectorBackend(ruleset).classify(batch, date(2019, 1, 1))


def test_take_keeps_members_with_their_households(
    ruleset: RuleSet, target_neighborhood: Neighborhood
) -> None:
    batch = Batch.from_models([_household(1), _household(2)], {1: target_neighborhood})
    sub = batch.take(np.array([1]))
    assert sub.household_id.tolist() == [2]
    assert sub.offsets.tolist() == [0, 2]
    assert sub.member["age"].tolist() == [40, 3]
