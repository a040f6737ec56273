"""Progress on a terminal: a bar with done of total, the rate and the time left."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from allocator.cli import progress


def test_a_terminal_gets_counts_rate_and_time_left(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200, color_system=None)
    monkeypatch.setattr(progress, "errors", console)
    activity = progress.Activity(quiet=False)
    assert activity.terminal
    with activity.counting("classify", "partitions", extra="households") as update:
        update(1, 4, 1_000_000)
        update(2, 4, 2_000_000)
    shown = screen.getvalue()
    assert "2 of 4 partitions" in shown and "2,000,000 households" in shown
    assert "households/s" in shown
    activity.log("aggregating demand")
    assert ".py:" not in screen.getvalue()


def test_quiet_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(progress, "errors", Console(file=screen, force_terminal=True))
    activity = progress.Activity(quiet=True)
    with activity.counting("synth", "households") as update:
        update(5, 10, None)
    activity.log("x")
    assert screen.getvalue() == ""
