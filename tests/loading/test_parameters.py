from __future__ import annotations

from datetime import date

import pytest

from allocator.api.ruleset import RuleSet
from allocator.errors import ParameterNotCoveredError


def test_values_are_looked_up_at_the_decision_date(ruleset: RuleSet) -> None:
    line = ruleset.parameters["poverty_line.urban"]
    assert line.at(date(2025, 3, 20)) == 3_900_000  # last day of the 1403 value
    assert line.at(date(2025, 3, 21)) == 5_000_000
    assert line.at(date(2026, 3, 21)) == 6_500_000
    assert ruleset.parameters["caseload.files_per_worker"].at(date(2030, 1, 1)) == 150


def test_an_uncovered_date_names_the_parameter_and_the_date(ruleset: RuleSet) -> None:
    with pytest.raises(ParameterNotCoveredError) as info:
        ruleset.parameters.at(date(2027, 3, 21))
    assert info.value.date == "2027-03-21 (1406-01-01)"  # both calendars
    assert "poverty_line" in str(info.value) and "2027-03-21" in str(info.value)


def test_parameters_ending_within_a_year_are_flagged(ruleset: RuleSet) -> None:
    soon = {p.name for p, _ in ruleset.parameters.expiring(date(2026, 11, 23))}
    assert soon == {"poverty_line.urban", "poverty_line.rural"}
    assert ruleset.parameters.expiring(date(2024, 1, 1)) == []
