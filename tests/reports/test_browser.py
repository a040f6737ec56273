"""The reports in a real browser: headless Chromium (Debian's /usr/bin/chromium) through
Playwright, offline, with every chart drawn and no error in the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.reports import write_report
from tests.browser import ARGS, CHROMIUM

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("which", "charts"), [("run_dir", 6), ("sweep_dir", 5)])
def test_the_report_renders_offline(
    which: str, charts: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = write_report(request.getfixturevalue(which), tmp_path / "report.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            problems: list[str] = []
            requests: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            figures = page.locator("figure.chart svg")
            assert figures.count() == charts
            for i in range(charts):
                svg = figures.nth(i)
                box = svg.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100
                marks = svg.locator("path, image").count()  # bars, lines, a heatmap's image
                assert marks > 8, f"chart {i} has {marks} marks"
            assert page.locator("section h2 [lang=fa]").count() >= charts - 1
            assert problems == []
            assert requests == [page_file.as_uri()]  # the page loads nothing else
        finally:
            browser.close()
