"""Progress of long commands (synth, classify, run, sweep) and their log lines.

On a terminal: a rich progress bar with done / total, the rate and the time left, and log
lines stamped with the time of day. Elsewhere (a pipe, a file, CI): plain unwrapped lines
``HH:MM:SS text``, progress at most every few seconds and at the end, with the same figures.
``allocator --quiet`` silences both; results and errors are still printed.

Examples:
    >>> import io
    >>> out = io.StringIO()
    >>> activity = Activity(stream=out, clock=iter(range(0, 100, 10)).__next__)
    >>> with activity.counting("classify", "partitions", extra="households") as update:
    ...     update(1, 4, 250_000)
    ...     update(4, 4, 1_000_000)
    >>> for line in out.getvalue().splitlines():  # each line: HH:MM:SS, then figures
    ...     print(*line.split(" ", 1)[1].split(" · "), sep="|")
    classify: 1 of 4 partitions (25.0%)|250,000 households|25,000 households/s|about 30 s left
    classify: 4 of 4 partitions (100.0%)|1,000,000 households|50,000 households/s|done in 20 s
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar, TextIO

from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from allocator.cli.common import errors
from allocator.formatting import duration, integer

#: Set by ``allocator --quiet``: no progress, no log lines.
QUIET = {"on": False}

#: An update of a counted activity: (done, total, extra count such as households).
Update = Callable[[int, int, int | None], None]

#: Seconds between two progress lines when not on a terminal.
PLAIN_EVERY = 5.0


class _Count(ProgressColumn):
    """``done of total unit``, with thousands separators."""

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else integer(task.total)
        text = f"{integer(task.completed)} of {total} {task.fields['unit']}"
        return Text(text, style="progress.download")


class _Rate(ProgressColumn):
    """The rate of the extra count (e.g. households/s), else of the task's own units."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        if elapsed <= 0:
            return Text("")
        extra = task.fields.get("extra")
        if extra is None:
            text = f"{integer(task.completed / elapsed)} {task.fields['unit']}/s"
        else:
            unit = task.fields["extra_unit"]
            text = f"{integer(extra)} {unit} · {integer(extra / elapsed)} {unit}/s"
        return Text(text, style="progress.data.speed")


class Activity:
    """Where a long command reports what it is doing.

    Args:
        quiet: print nothing (default: the global ``--quiet``).
        stream: where plain lines go (default: stderr); a stream that is not a terminal
            always gets plain lines.
        clock: seconds, for the plain lines' rates (tests pass a fake one).
    """

    def __init__(
        self,
        quiet: bool | None = None,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet = QUIET["on"] if quiet is None else quiet
        self.stream = stream
        self.clock = clock
        self.terminal = stream is None and errors.is_terminal

    def _plain(self, text: str) -> None:
        out = self.stream or sys.stderr
        out.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        out.flush()

    def log(self, text: str) -> None:
        """One line saying what starts now."""
        if self.quiet:
            return
        if self.terminal:
            stamp = time.strftime("%H:%M:%S")
            errors.print(f"[dim]{stamp}[/] {escape(text)}", highlight=False, soft_wrap=True)
        else:
            self._plain(text)

    @contextmanager
    def counting(
        self, description: str, unit: str, extra: str | None = None, *, lazily: bool = False
    ) -> Iterator[Update]:
        """A counted activity: yields ``update(done, total, extra_count)``.

        ``lazily``: the counting is opened by its first update (a stage seen first when a
        part of it is already done), so the time that part took is unknown and the rates
        start from that update; otherwise they start when the counting opens.
        """
        if self.quiet:

            def nothing(done: int, total: int, count: int | None = None) -> None:
                pass

            yield nothing
        elif self.terminal:
            with self._bar(description, unit, extra) as update:
                yield update
        else:
            yield self._lines(description, unit, extra, lazily)

    @contextmanager
    def _bar(self, description: str, unit: str, extra: str | None) -> Iterator[Update]:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            _Count(),
            TaskProgressColumn(),
            _Rate(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=errors, transient=True) as bar:
            task = bar.add_task(
                description, total=None, unit=unit, extra=None, extra_unit=extra or ""
            )

            def update(done: int, total: int, count: int | None = None) -> None:
                bar.update(task, completed=done, total=total, extra=count)

            yield update

    def _lines(self, description: str, unit: str, extra: str | None, lazily: bool) -> Update:
        start = self.clock()
        last = [-PLAIN_EVERY]
        base: list[tuple[float, int, int]] = []  # when, done and count the rates start from

        def update(done: int, total: int, count: int | None = None) -> None:
            now = self.clock()
            if not base:
                base.append((now, done, count or 0) if lazily else (start, 0, 0))
            finished = total > 0 and done >= total
            if not finished and now - last[0] < PLAIN_EVERY:
                return
            last[0] = now
            since, done0, count0 = base[0]
            span = now - since
            share = f" ({done / total:.1%})" if total else ""
            parts = [f"{description}: {integer(done)} of {integer(total)} {unit}{share}"]
            if count is not None and extra:
                parts.append(f"{integer(count)} {extra}")
            if span > 0 and done > done0:
                if count is not None and extra:
                    parts.append(f"{integer((count - count0) / span)} {extra}/s")
                else:
                    parts.append(f"{integer((done - done0) / span)} {unit}/s")
            if finished:
                parts.append(f"done in {duration(now - start)}")
            elif span > 0 and done > done0:
                parts.append(f"about {duration(span * (total - done) / (done - done0))} left")
            self._plain(" · ".join(parts))

        return update


class Stages:
    """Counted progress of a run's stages, one bar (or series of lines) per stage.

    A callable of the shape of :data:`allocator.runs.cache.Counts`; use it as a context
    manager so that the last bar is closed.
    """

    UNITS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "synth": ("generating households", "households", None),
        "classify": ("classifying", "partitions", "households"),
    }

    def __init__(self, activity: Activity) -> None:
        from contextlib import ExitStack

        self.activity = activity
        self.stack = ExitStack()
        self.stage: str | None = None
        self.update: Update | None = None

    def __call__(self, stage: str, done: int, total: int, households: int | None) -> None:
        if stage != self.stage or self.update is None:
            self.stack.close()
            label, unit, extra = self.UNITS.get(stage, (stage, "steps", None))
            self.update = self.stack.enter_context(
                self.activity.counting(label, unit, extra, lazily=True)
            )
            self.stage = stage
        self.update(done, total, households)

    def close(self) -> None:
        """End the current stage's bar (before a plain log line or a result is printed)."""
        self.stack.close()
        self.stage, self.update = None, None

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
