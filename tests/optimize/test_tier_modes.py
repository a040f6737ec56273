"""Weighted and lexicographic tier handling differ where weights trade tiers off.

Service A (tier 1) costs 20 million toman per household, service B (tier 2) 1 million;
budget 20 million. Weighted (1000/100): one A household is worth 1000, twenty B households
2000, so the weighted plan serves B. Lexicographic serves tier 1 first: one A household.
"""

from __future__ import annotations

import pytest

from allocator.optimize import OptimizeParams, TierMode, optimize

from .builders import hand_demand

ROWS = [("A", 1, 10, 0), ("B", 2, 100, 0)]
COSTS = {"A": 20e6, "B": 1e6}


@pytest.mark.parametrize("method", ["lp", "fast", "mip"])
def test_lexicographic_and_weighted_differ(method):
    weighted = optimize(hand_demand(ROWS, COSTS), OptimizeParams(budget_total=20e6, method=method))
    lexi = optimize(
        hand_demand(ROWS, COSTS),
        OptimizeParams(budget_total=20e6, method=method, tier_mode=TierMode.LEXICOGRAPHIC),
    )
    # each stage optimum is kept up to a tolerance (the relative gap for MIP stages)
    tol = 1e-6 if method != "mip" else 1e-2
    assert weighted.served.tolist() == pytest.approx([0, 20], abs=1e-6)
    assert lexi.served.tolist() == pytest.approx([1, 0], abs=tol)
    assert weighted.objective > lexi.objective
