"""The page in a real browser: ``allocator serve`` as a subprocess, driven in headless
Chromium through Playwright (Debian's /usr/bin/chromium; never ``playwright install``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import ARGS, CHROMIUM
from tests.faults.processes import run_cli, served
from tests.service.conftest import neighborhood_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, agency token) of a real ``allocator serve`` on a temp SQLite file."""
    db = str(tmp_path / "e2e.sqlite")
    token = run_cli("tokens", "create", "--agency", "welfare_organization", "--db", db).strip()
    log = tmp_path / "server.log"
    with served(db, log) as base:
        yield base, token
    assert "73519264" not in log.read_text()  # no household ids logged


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
            page.get_by_role("button", name="Keep in this page").click()
            sync_api.expect(page.locator("#token-status")).to_contain_text("kept")
            # The token lives in the page's memory only: no web storage, no cookie.
            assert page.evaluate("sessionStorage.length + localStorage.length") == 0
            assert page.evaluate("document.cookie") == ""

            # A rejected household: the error names the field.
            page.locator("#hh-household_id").fill("73519264")
            page.locator("#hh-neighborhood_id").fill(str(neighborhood_of("welfare_organization")))
            page.locator("#hh-income").fill("6000000")
            page.locator("#hh-assets").fill("150000000")
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

            page.reload()  # the token is forgotten: it is given again
            sync_api.expect(page.locator("#token-status")).to_contain_text("No token")
            page.get_by_label("Bearer token").fill(token)
            page.get_by_role("button", name="Keep in this page").click()
            page.locator("#history-id").fill("73519264")
            page.get_by_role("button", name="Look up").click()
            items = page.locator("#history .history-item")
            sync_api.expect(items).to_have_count(1)
            items.nth(0).get_by_role("button").click()
            sync_api.expect(page.locator("#result-summary")).to_contain_text(decision_id)
        finally:
            browser.close()
