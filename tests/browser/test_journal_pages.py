"""The citizen's journal in real Chromium at phone size against the dev stack: every page of it,
and for a correction which record changed and how (the journal keeps the fields before and after)."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import check, log_in, requests_made

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def test_the_journal_pages_through_every_entry_and_shows_what_a_correction_changed(
        context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    seen = requests_made(page)
    log_in(page, stack, "resident")  # the graduate: her records, and one exam re-marked after an appeal
    page.get_by_role("link", name="Kas žiūrėjo mano duomenis").click()
    entries = page.locator("ol.events > li")
    expect(entries).to_have_count(8)  # the first page
    more = page.get_by_role("button", name="Rodyti daugiau")
    expect(more).to_be_visible()
    check(page, "38-journal")
    shown = 8
    while more.is_visible():
        more.click()
        expect(entries).not_to_have_count(shown)
        shown = entries.count()
    assert shown > 8
    expect(more).to_be_hidden()  # no next page: the button is gone, not merely idle
    # The correction: the record named by its kind and title, the field that changed, old → new.
    regraded = entries.filter(has_text="Pakeitė įrašą").filter(has_text="Lietuvių kalba ir literatūra")
    expect(regraded).to_have_count(1)
    expect(regraded.get_by_text("79 → 81")).to_be_visible()
    expect(regraded.get_by_text("Egzaminai: Lietuvių kalba ir literatūra")).to_be_visible()
    # A record the school created shows which one.
    expect(entries.filter(has_text="Olimpiados: Informatika")).to_have_count(1)
    journal_calls = [url for url in seen if "/me/journal" in url]
    assert len(journal_calls) >= 2 and not any("cursor=null" in url or "cursor=undefined" in url
                                               for url in journal_calls), journal_calls
