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


def test_a_stage_seen_first_when_a_part_is_done_gets_no_invented_rate() -> None:
    """`run` opens the classify stage at its first update (1 of 4 partitions done): the time
    that partition took is unknown, so that line has no rate, and later rates count only
    what was done after it (not 76 billion households/s)."""
    out = io.StringIO()
    ticks = iter([100.0, 100.0, 110.0])  # counting opened, first update, last update
    activity = progress.Activity(stream=out, clock=ticks.__next__)
    with activity.counting("classify", "partitions", extra="households", lazily=True) as update:
        update(1, 4, 250_000)
        update(4, 4, 1_000_000)
    first, last = out.getvalue().splitlines()
    assert "/s" not in first and "left" not in first
    assert "75,000 households/s" in last  # 750,000 households in the 10 s since the first


def test_a_counting_opened_before_the_work_rates_from_its_opening() -> None:
    """`classify` opens its counting before the first partition: one partition done
    within a few milliseconds still gets its rate (this failed when the first update
    came sooner than 50 ms after the opening)."""
    out = io.StringIO()
    ticks = iter([100.0, 100.01])  # counting opened, the only partition done 10 ms later
    activity = progress.Activity(stream=out, clock=ticks.__next__)
    with activity.counting("classify", "partitions", extra="households") as update:
        update(1, 1, 1_000)
    (line,) = out.getvalue().splitlines()
    assert "100,000 households/s" in line and "done in" in line
