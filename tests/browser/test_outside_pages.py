"""Children outside education in real Chromium at phone size (docs/STATE.md section 5), against the
dev stack: its residents feed lists two Vilnius children (Kajus Mikalauskas, whose enrolment at the
Vilnius school ended when he moved abroad, and one the register never met, shown by code)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import check, log_in, requests_made

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def test_the_ministry_sees_counts_by_municipality_and_no_names(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Vaikai, kurie nesimoko").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vaikai, kurie nesimoko")
    row = page.get_by_role("row", name=re.compile("Vilniaus miesto savivaldybė"))
    expect(row).to_be_visible()
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")
    expect(page.locator("#outside-total")).to_contain_text(": 2")
    assert "Kajus" not in page.locator("main").inner_text()
    # The ministry has no list of names to open: no purpose form.
    expect(page.get_by_label("Tikslas")).to_have_count(0)
    check(page, "35-outside-counts")
    page.get_by_label("Data (tuščia – naujausias sąrašas)").fill("2001-01-01")
    page.get_by_role("button", name="Rodyti", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Nerasta.")


def test_the_official_sees_the_list_only_after_a_purpose(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "official")
    seen = requests_made(page)
    page.goto(stack["url"] + "/#/outside")
    expect(page.get_by_role("heading", name="Jūsų savivaldybės gyventojai, kurie nesimoko")).to_be_visible()
    assert not [url for url in seen if "outside-education" in url]  # nothing read before a purpose
    page.get_by_role("button", name="Rodyti sąrašą").click()
    expect(page.get_by_role("alert")).to_have_text("Įrašykite, kokiu tikslu žiūrite duomenis.")
    page.get_by_label("Tikslas").fill("Mokyklinio amžiaus vaikų patikra")
    page.get_by_role("button", name="Rodyti sąrašą").click()
    card = page.locator("li.card", has=page.get_by_role("heading", name="Kajus Mikalauskas"))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Vilniaus Žirmūnų gimnazija")
    expect(card).to_contain_text("išvyko į užsienį")
    expect(page.locator("li.card", has_text="registre nėra mokymosi įrašų")).to_be_visible()
    check(page, "36-outside-list")
