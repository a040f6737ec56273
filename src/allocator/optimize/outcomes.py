"""What a unit of need met is worth: outcome values and the concave (alpha-fair) utility.

Outcome values put the services on one scale ("outcome points"): one point is what a year
of food security of one household achieves (the food package, the reference). They are
assumptions a planner is expected to overwrite in the scenario's ``outcomes:`` table
(seed 004: next year's resources follow the measured efficiency of programs); a service not
in the table is worth 1 point per unit.

The utility of a cell's coverage c (served / demand, tier-weighted) is the alpha-fair
family approximated by K pieces whose widths grow fourfold (1, 4, 16, ... parts: the curve
bends most near zero, where the first units of a cell are worth most): piece k has
the slope of U'(c) = c^-alpha at its midpoint, scaled so that U(1) = 1. alpha = 0 gives
equal slopes and equal pieces (linear), alpha = 1 the log (proportional fairness), a
large alpha serves every cell's first piece before any cell's second (max-min-like). The
slopes decrease, so the LP fills the pieces in order without binaries.

Examples:
    >>> [round(w, 4) for w in segment_widths(1.0, 4)]
    [0.0118, 0.0471, 0.1882, 0.7529]
    >>> [round(s, 3) for s in segment_slopes(1.0, 4)]
    [29.454, 4.909, 1.133, 0.278]
    >>> segment_slopes(0.0, 3)
    [1.0, 1.0, 1.0]
    >>> DEFAULT_OUTCOMES["food_package"].value
    1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from allocator.types import FloatArray


@dataclass(frozen=True)
class Outcome:
    """Outcome points per unit served of one service, and the assumption behind them."""

    value: float
    unit: str
    assumption: str


#: Documented defaults (assumptions of this project, on the food package's scale).
DEFAULT_OUTCOMES: dict[str, Outcome] = {
    "food_package": Outcome(
        1.0, "household-year", "reference: a household's food security for a year"
    ),
    "financial_continuous": Outcome(
        1.2, "household-year", "income floor, no employable member; more than food"
    ),
    "financial_one_off": Outcome(
        0.25, "household", "relief of one shock; a quarter of a year of food security"
    ),
    "micro_employment": Outcome(
        3.0, "job", "a job is a lasting exit from aid: about three years of support saved"
    ),
    "health_insurance": Outcome(
        0.15, "member-year", "protection of one member from catastrophic health spending"
    ),
    "hard_to_treat_support": Outcome(
        1.5, "patient-year", "keeps a patient in treatment; avoids impoverishing costs"
    ),
    "child_nutrition": Outcome(0.6, "child-year", "stunting averted in part; lifelong effects"),
    "school_return": Outcome(1.5, "child", "a dropout back in school; lifelong earnings"),
    "vocational_training": Outcome(0.8, "trainee", "a skill that raises the chance of work"),
    "social_emergency": Outcome(
        2.0, "household", "a household crisis (violence, suicide risk, abandonment) handled"
    ),
    "addiction_treatment": Outcome(
        1.5, "person-year", "a person in treatment; harm to the household averted"
    ),
    "prisoner_family_support": Outcome(
        1.0, "household-year", "a prisoner's family kept above need for a year"
    ),
    "shelter": Outcome(3.0, "household-year", "a homeless household housed for a year"),
    "rehab_physical_motor": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
    "rehab_intellectual": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
    "rehab_visual": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
    "rehab_hearing": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
    "rehab_chronic_mental": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
    "rehab_speech": Outcome(1.0, "person-year", "community-based rehabilitation, a year"),
}

#: Value of a service the table does not name.
DEFAULT_VALUE = 1.0


def outcome_values(service_ids: tuple[str, ...], given: Mapping[str, float]) -> FloatArray:
    """Outcome points per unit of every service: ``given``, else the default table, else 1.

    Examples:
        >>> outcome_values(("food_package", "shelter", "x"), {"shelter": 2.0}).tolist()
        [1.0, 2.0, 1.0]
    """
    out = np.full(len(service_ids), DEFAULT_VALUE)
    for i, sid in enumerate(service_ids):
        if sid in given:
            out[i] = float(given[sid])
        elif sid in DEFAULT_OUTCOMES:
            out[i] = DEFAULT_OUTCOMES[sid].value
    return out


def resolved_outcomes(service_ids: tuple[str, ...], given: Mapping[str, float]) -> dict[str, float]:
    """The value used for every service of the demand (for the run's files)."""
    values = outcome_values(service_ids, given)
    return {sid: float(v) for sid, v in zip(service_ids, values, strict=True)}


WIDTH_RATIO = 4.0
"""Each piece of a concave utility is this many times as wide as the one before. Plans
cover 1-20 % of a cell's demand, so the pieces must be fine there: with K = 4 they end at
1.2, 5.9, 24.7 and 100 % of the demand. (With equal or doubling widths the first piece
reached 25 % or 6.7 %, one slope over it, and at national budgets tiers 3-4 got nothing
while tier 1 was in its second piece.)"""


def segment_widths(alpha: float, segments: int) -> list[float]:
    """Widths of the K pieces as shares of a cell's demand (summing to 1): equal when the
    utility is linear, else growing by :data:`WIDTH_RATIO` from the first piece to the last.

    >>> [round(w * 85, 6) for w in segment_widths(1.0, 4)]
    [1.0, 4.0, 16.0, 64.0]
    """
    if alpha == 0 or segments == 1:
        return [1.0 / segments] * segments
    raw = WIDTH_RATIO ** np.arange(segments)
    return [float(w) for w in raw / raw.sum()]


def segment_slopes(alpha: float, segments: int) -> list[float]:
    """Slopes of the K pieces of the alpha-fair utility (decreasing; U(1) = 1, i.e. the
    slopes weighted by the widths add up to 1)."""
    if alpha == 0 or segments == 1:
        return [1.0] * segments
    widths = np.asarray(segment_widths(alpha, segments))
    mid = np.cumsum(widths) - widths / 2
    raw = mid ** (-alpha)
    return [float(s) for s in raw / float(raw @ widths)]
