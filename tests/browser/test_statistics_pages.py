"""Statistics pages in Chromium at 360 px (docs/STATE.md section 3): the ministry's view with its
chart, table and downloads, and the public open-data page without login. The dev stack ran the
snapshot for today when it started (devstack/__main__.py) over the demo classes
(devstack/seed.py, `STATISTICS_CLASSES`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.support import check, log_in

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def test_the_ministry_sees_the_chart_the_table_and_downloads(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Statistika").click()
    expect(page.get_by_role("heading", name="Statistika", level=1)).to_be_visible()
    total = page.locator("#statistics-total")
    expect(total).to_contain_text("Visa Lietuva")
    pupils = int(re.search(r"(\d+) mokinių", total.inner_text()).group(1))  # type: ignore[union-attr]
    assert pupils >= 45  # the demo classes (45) and the demo pupils enrolled today
    chart = page.locator(".chart").first
    expect(chart).to_be_visible()
    expect(chart.locator(".chart-row", has_text="8 kl.")).to_be_visible()
    grade_8 = page.locator("#statistics-by-grade tr", has=page.get_by_role("rowheader", name="8 kl."))
    expect(grade_8).to_be_visible()
    eight = int(grade_8.locator("td").inner_text())
    assert eight >= 17  # 13 in Vilnius, 7 in Kaunas (less any a demo record ended)
    # The chart's bar for the 8th grade says the same number as the table.
    expect(chart.locator(".chart-row", has_text="8 kl.").locator(".chart-count")).to_have_text(str(eight))
    expect(page.locator("#statistics-by-sex")).to_contain_text("Mergaitės")
    check(page, "31-statistics-national")
    with page.expect_download() as download:
        page.locator("#statistics-csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    # One municipality: Vilnius city only.
    page.select_option("#statistics-municipality", "LT-57")
    page.get_by_role("button", name="Rodyti").click()
    expect(page.locator("#statistics-total")).to_contain_text("Vilniaus miesto")
    rows = page.locator("#statistics-by-institution tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Vilniaus Žirmūnų gimnazija")
    check(page, "32-statistics-municipality")


def test_the_open_data_page_needs_no_login_and_withholds_small_counts(
    context: BrowserContext, stack: dict[str, str]
) -> None:
    page = context.new_page()
    page.goto(stack["url"] + "/")
    page.get_by_role("link", name=re.compile("Atvirieji duomenys")).click()
    expect(page.get_by_role("heading", name=re.compile("Atvirieji duomenys"), level=1)).to_be_visible()
    expect(page.locator("nav")).to_be_hidden()
    expect(page.locator(".chart")).to_be_visible()
    table = page.locator("#open-data-table")
    expect(table).to_be_visible()
    check(page, "33-open-data")
    # Klaipėda's demo class has 3 pupils: withheld, with what would give them away; what is shown is
    # at least 5 (or none).
    page.select_option("#open-data-municipality", "LT-20")
    page.get_by_role("button", name="Rodyti").click()
    klaipeda = page.locator("#open-data-table")
    expect(klaipeda).to_contain_text("Klaipėdos")
    cells = klaipeda.locator("tbody td")
    shown = cells.all_inner_texts()
    assert shown.count("<5") >= 2
    assert all(text == "<5" or int(text) == 0 or int(text) >= 5 for text in shown), shown
    csv = page.locator("#open-data-csv")
    expect(csv).to_be_visible()
    assert "format=csv" in (csv.get_attribute("href") or "")
    check(page, "34-open-data-municipality")
