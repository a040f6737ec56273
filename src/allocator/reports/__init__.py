"""Reports: one self-contained HTML page of charts for a run or a sweep directory.

The charts are matplotlib figures inlined as SVG, so the file opens anywhere without a
network; it is written atomically (a temporary sibling, then a rename).
"""

from __future__ import annotations

from pathlib import Path

from allocator.reports.load import RunData, SweepData, load_result
from allocator.reports.page import write_atomic

__all__ = ["RunData", "SweepData", "load_result", "render_report", "write_report"]


def render_report(directory: Path) -> str:
    """The HTML page of the run or sweep in ``directory``.

    Raises:
        DataError: ``directory`` is not a whole run or sweep directory.
    """
    result = load_result(directory)
    if isinstance(result, SweepData):
        from allocator.reports.sweep_report import sweep_report

        return sweep_report(result)
    from allocator.reports.run_report import run_report

    return run_report(result)


def write_report(directory: Path, out: Path, force: bool = False) -> Path:
    """Write the report of ``directory`` to ``out`` (atomically); returns ``out``.

    Raises:
        OutputExistsError: ``out`` exists and ``force`` is not set (checked before the
            report is drawn).
    """
    from allocator.outputs.atomic import check_target
    from allocator.outputs.kinds import expect_kind

    expect_kind(Path(directory), ("run", "sweep"), "allocator report")
    check_target(Path(out), force)
    return write_atomic(render_report(directory), out, force)
