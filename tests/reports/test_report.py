"""Reports: one self-contained HTML file per run or sweep, with its charts drawn."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import allocator.reports
from allocator.errors import DataError
from allocator.reports import render_report, write_report

# A script, stylesheet, image or frame loaded from the network, or a CSS import.
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?https?:""",
                    re.I)  # fmt: skip


def test_a_run_report_is_self_contained(run_dir: Path) -> None:
    page = render_report(run_dir)
    assert not REMOTE.search(page)
    assert "<script" not in page  # nothing to run: the charts are SVG
    assert page.count("<svg") == 6  # tiers, provinces, workers, budget, binding, prices
    for words in ("Run small-sweep", "Ruleset national", "Need met per province",
                  "Shadow prices", "تأمین نیاز"):  # fmt: skip
        assert words in page
    assert len(page) < 1_000_000
    summary = json.loads((run_dir / "summary.json").read_text())
    jalali = summary["decision_date_jalali"]
    assert f"({jalali}, fiscal year {jalali[:4]})" in page  # both calendars in the header


def test_a_sweep_report_shows_the_frontiers_and_the_failure(sweep_dir: Path) -> None:
    page = render_report(sweep_dir)
    assert not REMOTE.search(page)
    assert page.count("<svg") == 5  # two each against budget and workers, the grid
    assert "Share of discretionary need met per tier against budget" in page
    assert "Frontier: need met against budget" in page and "against workers" in page
    assert "failed: RuntimeError: solver crashed" in page


def test_the_report_is_written_atomically(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.html"
    assert write_report(run_dir, out) == out
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


def test_a_broken_directory_is_refused(run_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="neither a run"):
        render_report(tmp_path)
    broken = tmp_path / "run"
    broken.mkdir()
    for f in run_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "summary.json").write_text("{}")
    with pytest.raises(DataError, match=r"summary\.json"):
        render_report(broken)


def test_cli_report(sweep_dir: Path, tmp_path: Path) -> None:
    from allocator.cli import commands_report  # noqa: F401  (until app.py registers it)
    from allocator.cli.app import _register, app

    _register()
    out = tmp_path / "sweep.html"
    done = CliRunner().invoke(app, ["report", str(sweep_dir), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(app, ["report", str(tmp_path / "none"), "--out", str(out)])
    assert bad.exit_code == 2 and "no such directory" in bad.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = CliRunner().invoke(app, ["report", str(empty), "--out", str(tmp_path / "e.html")])
    assert bad.exit_code == 2 and "neither a run" in bad.output


def test_report_refuses_to_overwrite_without_force(sweep_dir: Path, tmp_path: Path) -> None:
    from allocator.cli.app import _register, app

    _register()
    out = tmp_path / "sweep.html"
    out.write_text("mine")
    args = ["report", str(sweep_dir), "--out", str(out)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert f"{out} already exists: pass --force to replace it" in refused.output
    assert out.read_text() == "mine"
    done = CliRunner().invoke(app, [*args, "--force"])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_names_a_classification_as_such(tmp_path: Path) -> None:
    classification = tmp_path / "classified"
    classification.mkdir()
    (classification / "manifest.json").write_text('{"kind": "classification", "files": []}')
    with pytest.raises(DataError, match=r"is a classification .*not a run or a sweep"):
        render_report(classification)


def test_the_re_solved_prices_are_shown_by_name(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["prices"], "the run made no price re-solve: the test no longer tests it"
    html = render_report(run_dir)
    assert "What one more billion buys" in html
    assert "budget of all agencies" in html


def test_shadow_price_labels_are_words(run_dir: Path) -> None:
    html = render_report(run_dir)
    assert "caseload " not in html and "slots " not in html
    assert "relief_committee" not in html


def test_exported_members() -> None:
    assert allocator.reports.__all__ == [
        "RunData", "SweepData", "load_result", "render_report", "write_report",
    ]  # fmt: skip


def test_a_sweep_over_alpha_has_its_report(prepared, scenario, tmp_path: Path) -> None:
    from allocator.outputs import atomic_output
    from allocator.sweeps import parse_vary, run_sweep, write_sweep

    # a budget above the entitlements' cost, so that discretionary money is left to spread
    budget = scenario.resources.budget.model_copy(update={"total": 3e11})
    richer = scenario.model_copy(update={"resources": scenario.resources.model_copy(
        update={"budget": budget})})  # fmt: skip
    result = run_sweep(prepared, richer, [parse_vary("alpha=0:2:2")])
    with atomic_output(tmp_path / "alpha", kind="sweep", command=["test"]) as tmp:
        write_sweep(result, tmp)
    page = render_report(tmp_path / "alpha")
    assert "fairness α of the value curves (0: linear)" in page
    assert "ضریب عدالت α" in page
    # need met and discretionary need met per tier, and the price of fairness against α = 0
    assert page.count("<svg") == 3 and "Outcome points given up against α = 0" in page
