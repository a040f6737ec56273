"""The page in a real browser: ``allocator serve`` as a subprocess, driven in headless
Chromium through Playwright (Debian's /usr/bin/chromium; never ``playwright install``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import neighborhood_of

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The ``allocator`` command with the service commands registered.
CLI = [
    sys.executable,
    "-c",
    "import allocator.cli.commands_serve; from allocator.cli.app import main; main()",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, agency token) of a real ``allocator serve`` on a temp SQLite file."""
    db = str(tmp_path / "e2e.sqlite")
    token = subprocess.run(
        [*CLI, "tokens", "create", "--agency", "welfare_organization", "--db", db],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--db", db], stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start:\n" + (tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield base, token
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert "73519264" not in (tmp_path / "server.log").read_text()  # no household ids logged


def test_a_caseworker_checks_a_household_and_finds_it_again(server: tuple[str, str]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    base, token = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 820, "height": 1180})  # a tablet
            page.goto(base)
            page.get_by_label("Bearer token").fill(token)
            page.get_by_role("button", name="Keep for this session").click()
            sync_api.expect(page.locator("#token-status")).to_contain_text("kept")

            # A rejected household: the error names the field.
            page.locator("#hh-household_id").fill("73519264")
            page.locator("#hh-neighborhood_id").fill(str(neighborhood_of("welfare_organization")))
            page.locator("#hh-income").fill("6000000")
            page.get_by_role("button", name="Check eligibility").click()
            sync_api.expect(page.get_by_role("alert")).to_contain_text("members[0].age")

            member = page.locator("#members .member").nth(0)
            member.get_by_label("Age").fill("34")
            member.get_by_label("Sex").select_option("female")
            page.get_by_role("button", name="Add member").click()
            child = page.locator("#members .member").nth(1)
            child.get_by_label("Age").fill("12")
            child.get_by_label("Working or street child").check()
            page.get_by_role("button", name="Check eligibility").click()

            food = page.locator('#result-table tr[data-service="food_package"]')
            sync_api.expect(food).to_contain_text("Eligible")
            shelter = page.locator('#result-table tr[data-service="shelter"]')
            sync_api.expect(shelter).to_contain_text("Not eligible")
            sync_api.expect(shelter).to_contain_text("Why not")
            sync_api.expect(shelter).to_contain_text("homeless")
            summary = page.locator("#result-summary").inner_text()
            decision_id = summary.split()[1]

            page.reload()  # the token survives in sessionStorage
            page.locator("#history-id").fill("73519264")
            page.get_by_role("button", name="Look up").click()
            items = page.locator("#history .history-item")
            sync_api.expect(items).to_have_count(1)
            items.nth(0).get_by_role("button").click()
            sync_api.expect(page.locator("#result-summary")).to_contain_text(decision_id)
        finally:
            browser.close()
