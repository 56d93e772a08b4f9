"""Reporting discipline's pages in real headless Chromium at 360 px against the dev stack's demo
register (devstack/seed.py, `seed_reporting`): the school's upload history and overdue notice, and
the ministry's list of every institution with its filters and files."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import check, log_in

# The dev stack shared with the other modules so marked (tests/browser/support.py, `stack`): this
# module leaves the demo data as they expect it.
pytestmark = pytest.mark.share_stack


def download_csv(page: Page) -> tuple[str, list[list[str]]]:
    """The list's CSV as the page downloads it: the file's name and its rows (the header first)."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Atsisiųsti CSV").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    return download.value.suggested_filename, list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_school_pages_through_its_upload_history(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "representative")  # the Vilnius school: uploaded two days ago
    page.get_by_role("link", name="Mokykla").click()
    history = page.locator("#upload-history > li")
    expect(history).to_have_count(5)
    newest = history.first
    expect(newest).to_contain_text("baigta")
    expect(newest).to_contain_text("412")
    report = newest.get_by_role("link", name="Ataskaita (JSON)")
    expect(report).to_have_attribute("href", re.compile(r"reports/\d+/demo-upload-01\.json"))
    expect(newest.get_by_role("link", name="Ataskaita (CSV, Excel)")).to_be_visible()
    expect(history.nth(1)).to_contain_text("tik patikrinta")  # the check-only run
    expect(history.nth(2)).to_contain_text("failas atmestas")
    # Reporting on time: no overdue notice.
    expect(page.locator("#overdue-notice")).to_be_empty()
    more = page.get_by_role("button", name="Rodyti daugiau")
    expect(more).to_be_visible()
    check(page, "20-school-uploads")
    more.click()
    expect(history).to_have_count(6)
    expect(history.last).to_contain_text("405")
    # No next page: the button is gone from sight, not merely disabled.
    expect(more).to_be_hidden()
    assert not more.is_visible()


def test_an_overdue_school_is_told_why(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "representative_klaipeda")  # last change 45 days ago, never uploaded
    page.get_by_role("link", name="Mokykla").click()
    notice = page.locator("#overdue-notice")
    expect(notice).to_contain_text("Jūsų įstaiga vėluoja pateikti duomenis registrui")
    expect(notice).to_contain_text("Per paskutines 30 d. nieko nepateikta")
    expect(notice).to_contain_text("Paskutinis įkėlimas: niekada")
    expect(page.locator("#upload-history")).to_contain_text("Failų dar neįkelta.")
    expect(page.get_by_role("button", name="Rodyti daugiau")).to_be_hidden()
    check(page, "21-school-overdue")


def test_the_ministry_filters_the_list_and_downloads_it(context: BrowserContext, stack: dict[str, str],
                                                       tmp_path: Path) -> None:
    page = context.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Atsiskaitymas").click()
    cards = page.locator("#reporting-list > li")
    expect(cards).to_have_count(4)
    vilnius = cards.filter(has_text="Vilniaus Žirmūnų gimnazija")
    expect(vilnius).to_contain_text("Atsiskaito laiku")
    expect(vilnius).to_contain_text("412")
    klaipeda = cards.filter(has_text="Klaipėdos „Ąžuolyno“ gimnazija")
    expect(klaipeda).to_contain_text("Vėluoja")  # in words, not by colour alone
    expect(klaipeda).to_contain_text("Per paskutines 30 d. nieko nepateikta")
    expect(page.locator("#filter-municipality option")).to_have_count(61)  # all, then the 60
    check(page, "22-reporting")

    page.select_option("#filter-overdue", "true")
    page.get_by_role("button", name="Rodyti", exact=True).click()
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Vilniaus")).to_have_count(0)
    page.select_option("#filter-municipality", "LT-20")
    page.get_by_role("button", name="Rodyti", exact=True).click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Klaipėdos miesto savivaldybė")
    check(page, "23-reporting-filtered")

    # The files hold the same filtered list.
    name, (header, *rows) = download_csv(page)
    assert name == "atsiskaitymas-LT-20.csv"
    assert header[:4] == ["Įstaigos kodas", "Pavadinimas", "Savivaldybės kodas", "Savivaldybė"]
    assert [(row[1], row[2], row[11]) for row in rows] == [("Klaipėdos „Ąžuolyno“ gimnazija", "LT-20", "taip")]
    expect(page.locator("#download-result")).to_contain_text("Sąrašas atsisiųstas.")

    page.select_option("#filter-municipality", "")
    page.select_option("#filter-overdue", "false")
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Atsisiųsti XLSX").click()
    assert xlsx_download.value.suggested_filename == "atsiskaitymas.xlsx"
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()), read_only=True).active
    assert sheet is not None
    listed = list(sheet.iter_rows(values_only=True))[1:]
    assert sorted(str(row[1]) for row in listed) == ["Kauno Jono Jablonskio gimnazija", "Vilniaus Žirmūnų gimnazija"]


def test_an_official_sees_and_downloads_their_municipalitys_reporting(context: BrowserContext,
                                                                     stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "official")  # an official of Vilnius city (LT-57)
    page.get_by_role("link", name="Atsiskaitymas").click()
    # Their municipality by name, chosen: no "all", no other municipality.
    choice = page.locator("#filter-municipality")
    expect(choice.locator("option")).to_have_text(["Vilniaus miesto savivaldybė"])
    expect(choice).to_have_value("LT-57")
    cards = page.locator("#reporting-list > li")
    expect(cards.filter(has_text="Vilniaus Žirmūnų gimnazija")).to_be_visible()
    expect(cards.filter(has_text="Kauno")).to_have_count(0)
    expect(cards.filter(has_text="Klaipėdos")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    check(page, "24-reporting-official")

    name, (_, *rows) = download_csv(page)
    assert name == "atsiskaitymas-LT-57.csv"
    assert "Vilniaus Žirmūnų gimnazija" in [row[1] for row in rows]
    assert {row[2] for row in rows} == {"LT-57"}
    expect(page.locator("#download-result")).to_contain_text("Sąrašas atsisiųstas.")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_an_upload_made_on_the_page_heads_the_history(context: BrowserContext, stack: dict[str, str],
                                                      tmp_path: Path) -> None:
    page = context.new_page()
    log_in(page, stack, "representative_kaunas")  # the Kaunas school: no upload yet
    page.get_by_role("link", name="Mokykla").click()
    history = page.locator("#upload-history > li")
    expect(history).to_have_text(["Failų dar neįkelta."])
    file = tmp_path / "kaunas-egzaminai.csv"
    file.write_bytes(("kind;person_id;source_id;subject;start_date;score\r\n"
                      f"EXAM;{stack['pupil']};rep-1;Chemija;2026-06-09;71\r\n").encode("utf-8-sig"))
    page.set_input_files("#file", str(file))
    page.get_by_role("button", name="Įkelti").click()
    expect(page.locator("#upload-result")).to_contain_text("Būsena:", timeout=30_000)
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("kaunas-egzaminai.csv")
    expect(page.get_by_role("button", name="Rodyti daugiau")).to_be_hidden()
