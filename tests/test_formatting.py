"""Numbers for people: one format for money, counts, shares and durations."""

from __future__ import annotations

import pytest

from allocator.formatting import billions, duration, figure, integer, percent, toman_bn


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (19_999_940_000_000.008, "20,000 bn toman"),
        (600e9, "600.0 bn toman"),
        (260_000_000, "0.3 bn toman"),
        (-1e11, "-100.0 bn toman"),
    ],
)
def test_money_is_billion_toman_with_separators(value: float, text: str) -> None:
    assert toman_bn(value) == text


def test_counts_are_whole_with_separators_and_signs_when_asked() -> None:
    assert integer(66256.98000000001) == "66,257"
    assert integer(1_080_000) == "1,080,000"
    assert integer(42, signed=True) == "+42" and integer(0, signed=True) == "0"
    assert billions(1.5e11, signed=True) == "+150.0"


def test_shares_have_one_decimal_and_durations_a_unit() -> None:
    assert percent(0.4531383277024717) == "45.3%" and percent(1.0) == "100.0%"
    assert duration(61.7) == "1 min 2 s" and duration(5.5) == "5.5 s"
    assert duration(7322) == "2 h 2 min"


def test_a_figure_follows_its_unit() -> None:
    assert figure(6e11, "toman") == "600.0 bn toman"
    assert figure(0.2, "share") == "20.0%"
    assert figure(66256.98, "households") == "66,257 households"
    assert figure(float("inf"), "toman") == "inf"
