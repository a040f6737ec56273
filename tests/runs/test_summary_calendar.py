"""The run summary names the decision date in both calendars and the fiscal year."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import jdatetime

from allocator.runs.write import run_summary


def test_the_summary_has_the_jalali_date_and_the_fiscal_year() -> None:
    day = date(2024, 3, 19)  # the last day of 1402
    prepared: Any = SimpleNamespace(
        identity={"ruleset": "national"}, day=day, data_seed=1, counts={"read": 1}
    )
    scenario: Any = SimpleNamespace(name="s", data=SimpleNamespace(source="synthetic"))
    summary = run_summary(prepared, scenario, {"status": "optimal"})
    expected = jdatetime.date.fromgregorian(date=day)
    assert summary["decision_date"] == "2024-03-19"
    assert summary["decision_date_jalali"] == expected.strftime("%Y-%m-%d") == "1402-12-29"
    assert summary["fiscal_year"] == expected.year == 1402
    assert summary["status"] == "optimal"
