"""Municipality officials in real Chromium at phone size (docs/STATE.md section 2): the ministry
appoints and removes them, an official logs in through the fake gateway and lands on their
municipality, and a removal refuses the official's very next request. Screenshots 25–27."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib.domain.dates import vilnius_today
from tests.browser.support import PHONE, check, log_in

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def officials_of_vilnius(page: Page) -> None:
    """The ministry's officials page, Vilnius city chosen."""
    page.get_by_role("link", name="Savivaldybių atstovai", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Savivaldybių atstovai")
    page.select_option("#municipality", "LT-57")
    page.get_by_role("button", name="Rodyti atstovus").click()
    expect(page.get_by_role("heading", name="Vilniaus miesto savivaldybė")).to_be_visible()


def appoint(page: Page, code: str) -> None:
    today = vilnius_today()
    page.fill("#official-code", code)
    page.fill("#official-from", today.isoformat())
    page.fill("#official-to", (today + timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Paskirti savivaldybės atstovą").click()


def test_an_official_lands_on_their_municipality(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "official")
    page.get_by_role("link", name="Savivaldybė", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vilniaus miesto savivaldybė")
    institutions = page.get_by_role("heading", name="Švietimo įstaigos").locator("xpath=..")
    expect(institutions.get_by_text("Vilniaus Žirmūnų gimnazija")).to_be_visible()
    expect(institutions.get_by_text("Kauno Jono Jablonskio gimnazija")).to_have_count(0)  # another municipality
    for name, href in (("Duomenų teikimas", "#/reporting"), ("Statistika", "#/statistics"),
                       ("Nesimokantys vaikai", "#/outside")):
        expect(page.locator("#main").get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
    # No school or ministry page is offered to an official.
    expect(page.get_by_role("link", name="Mokykla", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Ministerija", exact=True)).to_have_count(0)
    check(page, "27-municipality")


def test_the_ministry_appoints_and_removes_and_the_removal_acts_at_once(browser: Browser,
                                                                         stack: dict[str, str]) -> None:
    ministry, municipal = browser.new_context(viewport=PHONE), browser.new_context(viewport=PHONE)
    try:
        page = ministry.new_page()
        log_in(page, stack, "ministry")
        page.get_by_role("link", name="Savivaldybių atstovai", exact=True).click()
        expect(page.locator("#municipality")).to_be_visible()
        expect(page.get_by_role("heading", name="Vilniaus miesto savivaldybė")).to_have_count(0)
        check(page, "25-officials")
        officials_of_vilnius(page)
        cards = page.locator("li.card")
        expect(cards.filter(has_text="Vaida Rimkienė")).to_have_count(1)  # the demo official

        appoint(page, stack["resident"])
        expect(cards.filter(has_text="Gabija Butkutė")).to_have_count(1)
        expect(page.get_by_role("alert")).to_have_count(0)
        check(page, "26-officials-vilnius")
        page.get_by_role("button", name="Pašalinti: Gabija Butkutė").click()
        expect(cards.filter(has_text="Gabija Butkutė")).to_have_count(0)

        appoint(page, "12345")  # not a personal code: the page says so and asks nothing
        expect(page.get_by_role("alert")).to_contain_text("Patikrinkite asmens kodą")

        # The official on their page; removed by the ministry; their very next request is refused.
        official = municipal.new_page()
        log_in(official, stack, "official")
        official.get_by_role("link", name="Savivaldybė", exact=True).click()
        expect(official.get_by_role("heading", level=1)).to_have_text("Vilniaus miesto savivaldybė")
        page.get_by_role("button", name="Pašalinti: Vaida Rimkienė").click()
        expect(cards.filter(has_text="Vaida Rimkienė")).to_have_count(0)
        official.evaluate("location.hash = '#/history'")
        official.get_by_role("link", name="Savivaldybė", exact=True).click()
        expect(official.get_by_role("alert")).to_be_visible()
        expect(official.get_by_text("Vilniaus Žirmūnų gimnazija")).to_have_count(0)

        appoint(page, stack["official"])  # appointed again through the same page
        expect(cards.filter(has_text="Vaida Rimkienė")).to_have_count(1)
        official.evaluate("location.hash = '#/history'")
        official.get_by_role("link", name="Savivaldybė", exact=True).click()
        expect(official.get_by_role("heading", level=1)).to_have_text(re.compile("Vilniaus miesto"))
    finally:
        ministry.close()
        municipal.close()
