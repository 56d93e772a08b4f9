"""Permit applications in real Chromium at phone size (issue 16 item 1; docs/APPLICATIONS.md): a
citizen applies through the fake gateway login, the ministry approves, and the person responsible
then administers the institution and reads its log; a rejected application shows the ministry's
reason. Screenshots 39–44."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.legal_entity import make_legal_entity_code
from tests.browser.support import PHONE, check, log_in

CODE = make_legal_entity_code("30458112")
NAME = "Vilniaus Pilaitės progimnazija"
SEEDED = "Vilniaus „Saulėtekio“ progimnazija"  # the guardian's pending application (devstack/seed.py)
REGISTERED = make_legal_entity_code("19053624")  # the demo Vilnius school's, its institution id too
REGISTERED_NAME = "Vilniaus Žirmūnų gimnazija"


def open_nav(page: Page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()


def review(page: Page, name: str) -> None:
    """The ministry's queue, then one application."""
    open_nav(page, "Prašymai")
    expect(page.get_by_role("heading", level=1)).to_have_text("Laukiantys prašymai")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def fill_application(page: Page, code: str, name: str, programmes: str) -> None:
    """The form on `#/apply`, filled and sent; the register's answer: pending."""
    page.get_by_label("Juridinio asmens kodas").fill(code)
    page.get_by_label("Švietimo teikėjo pavadinimas").fill(name)
    page.get_by_label("Savivaldybė").select_option("LT-57")
    page.get_by_label("Duomenų tvarkymo tikslas").fill("Mokinių mokymosi duomenų teikimas")
    page.get_by_label("Programos").fill(programmes)
    page.get_by_role("button", name="Pateikti prašymą").click()
    expect(page.get_by_text("Prašymas pateiktas.")).to_be_visible()


def test_a_citizen_applies_the_ministry_approves_and_the_responsible_person_administers(
    context: BrowserContext, browser: Browser, stack: dict[str, str],
) -> None:
    page = context.new_page()
    log_in(page, stack, "resident")
    open_nav(page, "Prašymas leidimui")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prašymas leidimui")
    expect(page.get_by_text("Prašymų nepateikėte.")).to_be_visible()
    # The person responsible is, unless changed, the applicant.
    expect(page.get_by_label("Atsakingo asmens kodas")).to_have_value(stack["resident"])

    # Sent empty: each field's problem, under its label, in the page's language.
    page.get_by_role("button", name="Pateikti prašymą").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Patikrinkite šiuos laukus:")
    expect(alert).to_contain_text("Juridinio asmens kodas: Privalomas laukas neužpildytas.")
    expect(alert).to_contain_text("Savivaldybė: Privalomas laukas neužpildytas.")
    expect(alert).to_contain_text("Programos: Privalomas laukas neužpildytas.")
    expect(alert).not_to_contain_text("legal_entity_code")
    expect(page.get_by_label("Juridinio asmens kodas")).to_have_attribute("aria-invalid", "true")
    check(page, "39-apply-errors")

    fill_application(page, CODE, NAME, "(101001101) Pradinio ugdymo programa\n201001001")
    mine = page.locator("#my-applications li.card")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text(NAME)
    expect(mine.first).to_contain_text("Būsena: laukia ministerijos sprendimo")
    expect(page.get_by_role("alert")).to_have_count(0)
    check(page, "40-apply-pending")

    ministry = browser.new_context(viewport=PHONE)
    try:
        officer = ministry.new_page()
        log_in(officer, stack, "ministry")
        open_nav(officer, "Prašymai")
        expect(officer.get_by_role("link", name=NAME)).to_be_visible()
        expect(officer.get_by_role("button", name="Rodyti daugiau")).to_be_hidden()  # one page only
        check(officer, "41-applications-pending")
        review(officer, NAME)
        expect(officer.get_by_text("Gabija Butkutė").first).to_be_visible()  # applicant and responsible, by name
        expect(officer.get_by_label("Įstaigos identifikatorius")).to_have_value(CODE)
        officer.get_by_label("Iki").fill((vilnius_today() + timedelta(days=365)).isoformat())
        check(officer, "42-application-review")
        officer.get_by_role("button", name="Patenkinti").click()
        expect(officer.get_by_text("Prašymas patenkintas.")).to_be_visible()
        expect(officer.get_by_text("Būsena: patenkintas")).to_be_visible()
        expect(officer.get_by_role("button", name="Patenkinti")).to_have_count(0)  # decided: no second decision
    finally:
        ministry.close()

    # The applicant, named responsible, on their next request: the decision and the institution.
    page.reload()
    expect(mine.first).to_contain_text("Būsena: patenkintas")
    expect(mine.first).to_contain_text("Skaityti ir teikti duomenis")
    expect(page.get_by_text("Esate šios įstaigos administratorius.")).to_be_visible()
    expect(page.get_by_role("link", name="Mokykla", exact=True)).to_be_visible()
    page.get_by_role("link", name="Įstaigos žurnalas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Įstaigos žurnalas: {CODE}")
    entries = page.locator("#institution-log li.card")
    expect(entries).to_have_count(5)
    expect(entries.nth(0)).to_contain_text("Paskirtas administratorius")
    # The person a step concerns by code: names the register holds are the ministry's to see.
    expect(entries.nth(0)).to_contain_text(stack["resident"])
    expect(entries.nth(0)).not_to_contain_text("Gabija Butkutė")
    expect(entries.nth(3)).to_contain_text("Prašymas patenkintas")
    expect(entries.nth(4)).to_contain_text("Pateiktas prašymas")
    # The administrator sees the ministry by its role, never its official's code.
    expect(entries.nth(3)).to_contain_text("Atliko")
    expect(entries.nth(3)).not_to_contain_text(stack["ministry"])
    expect(page.get_by_role("button", name="Rodyti daugiau")).to_be_hidden()
    check(page, "43-institution-log")


def test_the_review_says_plainly_when_the_provider_is_registered_already(
    browser: Browser, stack: dict[str, str],
) -> None:
    """Before the approve button: the institution registered under the code, and how many
    administrators it has today (the demo Vilnius school: its representative administers it)."""
    ministry, citizen = browser.new_context(viewport=PHONE), browser.new_context(viewport=PHONE)
    try:
        page = citizen.new_page()
        log_in(page, stack, "resident")
        open_nav(page, "Prašymas leidimui")
        fill_application(page, REGISTERED, "Žirmūnų gimnazija", "201001001")
        officer = ministry.new_page()
        log_in(officer, stack, "ministry")
        review(officer, "Žirmūnų gimnazija")
        card = officer.locator("#existing-institution")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Registre jau yra šio juridinio asmens įstaiga")
        expect(card).to_contain_text(f"{REGISTERED_NAME} ({REGISTERED})")
        expect(card).to_contain_text("Jos administratorių šiandien: 1")
        # Above the approve button, where the decision is taken.
        card_box, button_box = card.bounding_box(), officer.get_by_role("button", name="Patenkinti").bounding_box()
        assert card_box is not None and button_box is not None and card_box["y"] < button_box["y"]
        # Left pending would hold the legal entity's one slot for the tests that follow: rejected.
        officer.get_by_label("Atmetimo priežastis").fill("Įstaiga jau registruota.")
        officer.get_by_role("button", name="Atmesti").click()
        expect(officer.get_by_text("Prašymas atmestas.")).to_be_visible()
    finally:
        ministry.close()
        citizen.close()


def test_a_rejected_application_shows_the_ministrys_reason(browser: Browser, stack: dict[str, str]) -> None:
    ministry, citizen = browser.new_context(viewport=PHONE), browser.new_context(viewport=PHONE)
    try:
        officer = ministry.new_page()
        log_in(officer, stack, "ministry")
        review(officer, SEEDED)
        officer.get_by_role("button", name="Atmesti").click()  # no reason: the register asks for one
        expect(officer.get_by_role("alert")).to_contain_text("Atmetimo priežastis: Privalomas laukas neužpildytas.")
        officer.get_by_label("Atmetimo priežastis").fill("Nepateikti steigimo dokumentai.")
        officer.get_by_role("button", name="Atmesti").click()
        expect(officer.get_by_text("Prašymas atmestas.")).to_be_visible()

        page = citizen.new_page()
        log_in(page, stack, "guardian")
        open_nav(page, "Prašymas leidimui")
        card = page.locator("#my-applications li.card").filter(has_text=SEEDED)
        expect(card).to_contain_text("Būsena: atmestas")
        expect(card).to_contain_text("Nepateikti steigimo dokumentai.")
        expect(page.get_by_text("Esate šios įstaigos administratorius.")).to_have_count(0)
        expect(page.get_by_role("link", name=re.compile("Įstaigos žurnalas"))).to_have_count(0)
        check(page, "44-application-rejected")

        # In English: the status in words, and the register's field problems under English labels.
        page.get_by_role("button", name="Switch to English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a permit")
        card = page.locator("#my-applications li.card").filter(has_text=SEEDED)
        expect(card).to_contain_text("Status: rejected")
        page.get_by_role("button", name="Submit the application").click()
        expect(page.get_by_role("alert")).to_contain_text("Legal entity code: This field is required.")
    finally:
        ministry.close()
        citizen.close()
