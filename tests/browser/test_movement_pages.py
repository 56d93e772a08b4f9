"""Pupils moving school in real Chromium at 360 px (docs/STATE.md section 4): the demo's two pupils
of the Kaunas school enrolled at the Vilnius school (devstack/seed.py `_moved_pupils`) — seen by
both schools, closed by the Kaunas school from its page, the overdue one on the ministry's page and
on the page of an official of two municipalities (who must choose one of theirs). Tests run in
order: the second closes an item the third must no longer find."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.support import PHONE, check, log_in

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def test_the_new_school_sees_its_arrivals(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "representative")
    page.get_by_role("link", name="Mokykla").click()
    section = page.locator("#movements")
    expect(section.get_by_role("heading", name="Mokiniai, keičiantys mokyklą")).to_be_visible()
    cards = section.locator("li.card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Kamilė Savickaitė")).to_contain_text("Atvyko iš: Kauno Jono Jablonskio gimnazija")
    expect(cards.filter(has_text="Emilija Urbonaitė")).to_be_visible()
    # The new school has nothing to close.
    expect(section.get_by_role("button", name="Užbaigti mokymąsi")).to_have_count(0)
    check(page, "28-school-arrivals")


def test_the_old_school_closes_the_enrolment_and_the_item_goes(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "representative_kaunas")
    page.get_by_role("link", name="Mokykla").click()
    section = page.locator("#movements")
    card = section.locator("li.card").filter(has_text="Kamilė Savickaitė")
    expect(card).to_contain_text("Išvyko į: Vilniaus Žirmūnų gimnazija")
    expect(section.locator("li.card")).to_have_count(2)
    card.get_by_role("button", name="Užbaigti mokymąsi").click()
    expect(card.get_by_label("Iki", exact=True)).to_be_visible()
    card.get_by_label("Išvykimo priežastis").select_option("MOVED_LT")
    check(page, "29-school-close-enrolment")
    card.get_by_role("button", name="Užbaigti mokymąsi").click()
    expect(section.locator("li.card")).to_have_count(1)
    expect(section.get_by_text("Kamilė Savickaitė")).to_have_count(0)
    expect(section.locator("li.card")).to_contain_text("Emilija Urbonaitė")


def test_the_ministry_sees_the_overdue_item_without_the_pupil(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Mokiniai dviejose mokyklose").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mokiniai dviejose mokyklose")
    cards = page.locator("li.card")
    expect(cards).to_have_count(1)  # the one open 45 days; the one of 10 days is not overdue (30)
    expect(cards).to_contain_text("Kauno Jono Jablonskio gimnazija → Vilniaus Žirmūnų gimnazija")
    expect(cards).to_contain_text("Kauno miesto savivaldybė")
    expect(page.get_by_text("Emilija")).to_have_count(0)
    check(page, "30-overdue-movements")
    # The old school's municipality decides: Kaunas (LT-15), not Vilnius.
    page.get_by_label("Savivaldybė (kodas, pvz., LT-57; tuščia – visos)").fill("LT-57")
    page.get_by_role("button", name="Rodyti").click()
    expect(page.get_by_text("Atvirų judėjimo įrašų nėra.")).to_be_visible()
    page.get_by_label("Savivaldybė (kodas, pvz., LT-57; tuščia – visos)").fill("LT-15")
    page.get_by_role("button", name="Rodyti").click()
    expect(page.locator("li.card")).to_have_count(1)


def test_an_official_of_two_municipalities_chooses_one_of_theirs(browser: Browser, stack: dict[str, str],
                                                                  official_too: Callable[[str], None]) -> None:
    """The Vilnius official appointed for Kaunas too: the API refuses them an unfiltered list (which
    one?), so the page offers a select of their two, and Kaunas shows the Kaunas school's item."""
    official_too("LT-15")
    municipal = browser.new_context(viewport=PHONE)
    try:
        official = municipal.new_page()
        log_in(official, stack, "official")
        official.get_by_role("link", name="Mokiniai dviejose mokyklose").click()
        choice = official.get_by_label("Savivaldybė", exact=True)
        expect(choice).to_be_visible()
        expect(choice.locator("option")).to_have_count(2)
        expect(official.get_by_role("alert")).to_have_count(0)
        choice.select_option("LT-15")
        official.get_by_role("button", name="Rodyti").click()
        cards = official.locator("li.card")
        expect(cards).to_have_count(1)
        expect(cards).to_contain_text("Kauno Jono Jablonskio gimnazija → Vilniaus Žirmūnų gimnazija")
        check(official, "37-overdue-movements-two-municipalities")
        choice.select_option("LT-57")
        official.get_by_role("button", name="Rodyti").click()
        expect(official.get_by_text("Atvirų judėjimo įrašų nėra.")).to_be_visible()
    finally:
        municipal.close()
