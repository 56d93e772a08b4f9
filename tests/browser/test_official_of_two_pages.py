"""The state's pages for an official of two municipalities, in real Chromium at phone size against
the dev stack: the ministry appoints the demo official of Vilnius city (LT-57) to Kaunas city
(LT-15) too, and each page that needs a municipality offers the official theirs, by name, the first
(by code) chosen — the API refuses such an official the pages that would otherwise mean "theirs"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import check, log_in

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack

THEIRS = ["Kauno miesto savivaldybė", "Vilniaus miesto savivaldybė"]


def test_an_official_of_two_municipalities_chooses_among_theirs(context: BrowserContext, stack: dict[str, str],
                                                               official_too: Callable[[str], None]) -> None:
    official_too("LT-15")

    page = context.new_page()
    log_in(page, stack, "official")

    page.get_by_role("link", name="Atsiskaitymas").click()
    expect(page.locator("#filter-municipality option")).to_have_text(THEIRS)
    expect(page.locator("#filter-municipality")).to_have_value("LT-15")
    cards = page.locator("#reporting-list > li")
    expect(cards.filter(has_text="Kauno Jono Jablonskio gimnazija")).to_be_visible()
    expect(cards.filter(has_text="Vilniaus")).to_have_count(0)
    page.select_option("#filter-municipality", "LT-57")
    page.get_by_role("button", name="Rodyti", exact=True).click()
    expect(cards.filter(has_text="Vilniaus Žirmūnų gimnazija")).to_be_visible()
    expect(cards.filter(has_text="Kauno")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_role("link", name="Statistika").click()
    expect(page.locator("#statistics-municipality option")).to_have_text(THEIRS)  # no national view
    expect(page.locator("#statistics-total")).to_contain_text("Kauno miesto")
    expect(page.get_by_role("alert")).to_have_count(0)
    check(page, "statistics-official-of-two", screenshot=False)
    page.select_option("#statistics-municipality", "LT-57")
    page.get_by_role("button", name="Rodyti").click()
    expect(page.locator("#statistics-total")).to_contain_text("Vilniaus miesto")
    expect(page.locator("#statistics-by-institution tbody tr")).to_have_count(1)
    expect(page.locator("#statistics-by-institution")).to_contain_text("Vilniaus Žirmūnų gimnazija")

    page.get_by_role("link", name="Vaikai, kurie nesimoko").click()
    choice = page.get_by_role("link", name="Kauno miesto savivaldybė")
    expect(choice).to_be_visible()
    expect(page.get_by_role("link", name="Vilniaus miesto savivaldybė")).to_be_visible()
    choice.click()
    expect(page).to_have_url(stack["url"] + "/#/outside/LT-15")
    expect(page.get_by_label("Tikslas")).to_be_visible()  # the list is read only with a purpose
