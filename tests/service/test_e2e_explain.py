"""The page explains a refusal in Persian with every failed condition, in Chromium."""

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
    db = str(tmp_path / "e2e.sqlite")
    token = run_cli("tokens", "create", "--agency", "welfare_organization", "--db", db).strip()
    with served(db, tmp_path / "server.log") as base:
        yield base, token


def test_a_refusal_lists_every_failed_condition_in_persian(server: tuple[str, str]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    base, token = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.goto(base)
            page.get_by_label("Bearer token").fill(token)
            page.get_by_role("button", name="Keep in this page").click()

            # A woman of working age, alone, already on a pension, well above the line.
            page.locator("#hh-household_id").fill("4242")
            page.locator("#hh-neighborhood_id").fill(str(neighborhood_of("welfare_organization")))
            page.locator("#hh-income").fill("90000000")
            page.locator("#hh-assets").fill("0")
            page.locator("#hh-continuous_pension").check()
            page.locator("#decision-date").fill("1404-03-11")  # Jalali: 2025-06-01
            member = page.locator("#members .member").nth(0)
            member.get_by_label("Age").fill("40")
            member.get_by_label("Sex").select_option("female")
            page.get_by_role("button", name="Check eligibility").click()

            summary = page.locator("#result-summary")
            expect(summary).to_contain_text("2025-06-01 (1404-03-11, fiscal year")
            pension = page.locator('#result-table tr[data-service="financial_continuous"]')
            expect(pension).to_contain_text("Not eligible")
            reasons = pension.locator("li.reason")
            # every failed condition, not only the first
            expect(reasons).to_have_count(3)
            ids = [reasons.nth(i).get_attribute("data-condition") for i in range(3)]
            assert ids == ["below_poverty_line", "no_employable_member", "no_pension_yet"]
            persian = pension.locator('li.reason p[lang="fa"]')
            expect(persian.nth(2)).to_contain_text("خانوار از پیش مستمری دریافت نمی‌کند")
            expect(persian.nth(2)).to_contain_text("برقرار نیست")
            # money in toman with Persian digits and separators, the limit an assumption
            expect(persian.nth(0)).to_contain_text("۹۰٬۰۰۰٬۰۰۰ تومان")
            expect(persian.nth(0)).to_contain_text("حد فرضی است")
            assert persian.nth(0).get_attribute("dir") == "rtl"
            english = pension.locator("li.reason p.reason-en").nth(0)
            expect(english).to_contain_text("90,000,000 toman per person per month")
            expect(english).to_contain_text("(an assumption)")
            expect(pension.locator("li.reason").nth(2)).to_contain_text("Source / منبع: Seed 003")

            # a member-level refusal names the member, in Persian digits
            school = page.locator('#result-table tr[data-service="school_return"]')
            expect(school.locator('p[lang="fa"]').first).to_contain_text("عضو ۱")

            # an ambiguous date is refused with a message, not guessed
            page.locator("#decision-date").fill("04-03-11")
            page.get_by_role("button", name="Check eligibility").click()
            expect(page.get_by_role("alert")).to_contain_text("ambiguous")
        finally:
            browser.close()
