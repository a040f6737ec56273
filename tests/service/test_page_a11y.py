"""The caseworkers' page in Chromium: pasted JSON, cleared results, spaced bilingual labels,
and accessibility (every control labelled, text contrast, keyboard use with a visible focus)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARGS, CHROMIUM
from tests.faults.processes import run_cli, served
from tests.service.conftest import household

pytestmark = pytest.mark.e2e

#: Latin letter or closing bracket directly followed by Persian: "disabilityتوانبخشی".
RUN_TOGETHER = r"/[A-Za-z)\]][\u0600-\u06FF]|[\u0600-\u06FF][A-Za-z(]/"

CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("[hidden]")) continue;
    const style = getComputedStyle(el);
    const a = lum(rgb(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const what = el.tagName + " '" + el.textContent.trim().slice(0, 30) + "' ";
    if (ratio < needed) low.push(what + ratio.toFixed(2));
  }
  return low;
}"""

UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((el) => el.getClientRects().length)
  .filter((el) => !(el.labels && Array.from(el.labels).some((l) => l.textContent.trim()))
                  && !el.getAttribute("aria-label"))
  .map((el) => el.id || el.name)"""


@pytest.fixture
def page_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = str(tmp_path / "page.sqlite")
    token = run_cli("tokens", "create", "--agency", "welfare_organization", "--db", db).strip()
    with served(db, tmp_path / "server.log") as base:
        yield base, token


def _run_together(page: Any) -> list[str]:
    texts: list[str] = page.evaluate(
        "(re) => Array.from(document.querySelectorAll('label, legend, h1, h2, button, th, td,"
        " caption, summary, p')).filter((e) => e.getClientRects().length)"
        ".map((e) => e.innerText).filter((t) => new RegExp(re.slice(1, -1)).test(t))",
        RUN_TOGETHER,
    )
    return texts


def test_the_page_is_accessible_and_its_form_behaves(page_url: tuple[str, str]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    base, token = page_url
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 820, "height": 1180})
            page.goto(base)
            page.get_by_role("button", name="Add member").click()  # a second member fieldset
            assert page.evaluate(UNLABELLED) == []
            assert page.evaluate(CONTRAST) == []
            assert _run_together(page) == []

            # Keyboard: Tab reaches the token, the form and the submit button, each with
            # a visible focus ring; Enter in a field submits the form.
            page.locator("body").click(position={"x": 5, "y": 5})
            reached, unringed = [], []
            for _ in range(80):
                page.keyboard.press("Tab")
                ident, outline, focused = page.evaluate(
                    "() => [document.activeElement.id,"
                    " getComputedStyle(document.activeElement).outlineStyle,"
                    " document.activeElement.matches(':focus')]"
                )
                if not focused:  # tabbed out of the document, into the browser
                    continue
                reached.append(ident)
                if outline == "none":
                    unringed.append(ident or page.evaluate("document.activeElement.tagName"))
            assert {"token", "token-save", "hh-household_id", "submit"} <= set(reached)
            assert unringed == []
            page.locator("#token").focus()
            page.keyboard.type(token)
            page.keyboard.press("Enter")
            expect(page.locator("#token-status")).to_contain_text("kept")

            # A first decision from the form.
            family = household(household_id=424242)
            page.locator("#hh-household_id").fill("424242")
            page.locator("#hh-neighborhood_id").fill(str(family["neighborhood_id"]))
            page.locator("#hh-income").fill("6000000")
            page.locator("#hh-assets").fill("0")
            page.locator("#members .member").nth(1).get_by_role("button").click()  # remove
            head = page.locator("#members .member").nth(0)
            head.get_by_label("Age").fill("34")
            head.get_by_label("Sex").select_option("female")
            page.locator("#hh-income").press("Enter")
            expect(page.locator("#result")).to_be_visible()
            expect(page.locator('#result-table tr[data-service="rehab_hearing"]')).to_contain_text(
                "Not eligible"
            )
            assert _run_together(page) == []

            # Pasted JSON without household_id and no ID in the form: a clear error, and
            # the earlier decision is gone from the screen.
            page.locator("#hh-household_id").fill("")
            page.locator("#json-box summary").click()
            pasted = {k: v for k, v in family.items() if k != "household_id"}
            page.locator("#household-json").fill(json.dumps(pasted))
            expect(page.locator("#submit-source")).to_contain_text("pasted JSON will be sent")
            page.get_by_role("button", name="Check eligibility").click()
            expect(page.get_by_role("alert")).to_contain_text("household_id")
            expect(page.locator("#result")).to_be_hidden()

            # The form's Household ID completes it; the pasted household is the one decided
            # (its deaf child is eligible for hearing rehabilitation, the form had no child).
            page.locator("#hh-household_id").fill("424243")
            page.get_by_role("button", name="Check eligibility").click()
            expect(page.locator("#result-summary")).to_contain_text("household 424243")
            expect(page.locator('#result-table tr[data-service="rehab_hearing"]')).to_contain_text(
                "Eligible"
            )
            expect(page.get_by_role("alert")).to_be_hidden()
            assert _run_together(page) == []
            assert page.evaluate(CONTRAST) == []

            # Broken JSON: an error naming it, no decision left on screen.
            page.locator("#household-json").fill('{"members": [}')
            page.get_by_role("button", name="Check eligibility").click()
            expect(page.get_by_role("alert")).to_contain_text("not valid")
            expect(page.locator("#result")).to_be_hidden()
        finally:
            browser.close()
