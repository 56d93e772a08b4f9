"""Ministry roles in real Chromium at phone size (docs/ACCESS.md, "Ministry roles"): the ministry's
administrator appoints a data-protection auditor on `#/ministry-staff`; the auditor looks a person
up for a case on `#/audit` and sees who stood behind each entry; the person sees the audit in "Who
looked at my data", with the case but not the auditor; the ministry's log below the staff list keeps
each appointment and removal. Screenshots 45–50."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.support import PHONE, check, log_in

CASE = "Skundas Nr. 2026/15"


def staff_page(page: Page) -> None:
    page.get_by_role("link", name="Ministerijos darbuotojai", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ministerijos darbuotojai")


def test_an_auditor_is_appointed_looks_up_a_person_and_the_person_sees_the_audit(
    browser: Browser, stack: dict[str, str]
) -> None:
    ministry, auditing, citizen = (browser.new_context(viewport=PHONE, locale="lt-LT") for _ in range(3))
    try:
        # The demo ministry person is the ministry's administrator: the page lists each role.
        page = ministry.new_page()
        log_in(page, stack, "ministry")
        staff_page(page)
        admins = page.get_by_role("heading", name="Administratoriai", exact=True).locator("xpath=..")
        auditors = page.get_by_role("heading", name="Duomenų apsaugos auditoriai", exact=True).locator("xpath=..")
        expect(admins.get_by_text("Rūta Vaitkienė", exact=True)).to_be_visible()
        expect(admins.get_by_text("(jūs)")).to_be_visible()
        # Never themself: no button to remove their own role.
        expect(page.get_by_role("button", name=re.compile("Pašalinti: Rūta Vaitkienė"))).to_have_count(0)
        expect(auditors.get_by_text("Eglė Mockienė", exact=True)).to_be_visible()  # the demo auditor
        check(page, "45-ministry-staff")

        # Appoint the demo guardian a data-protection auditor, with the validity the form proposes.
        page.fill("#staff-code", stack["guardian"])
        page.select_option("#staff-role", "AUDITOR")
        page.get_by_role("button", name="Paskirti", exact=True).click()
        auditors = page.get_by_role("heading", name="Duomenų apsaugos auditoriai", exact=True).locator("xpath=..")
        expect(auditors.get_by_text("Laura Jankauskienė", exact=True)).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Paskirta.")
        expect(page.get_by_role("alert")).to_have_count(0)
        # The ministry's log, below the list, keeps the appointment: what, whose code, who acted.
        newest = page.locator("#ministry-log > li").first
        expect(newest).to_contain_text("Paskirta: Duomenų apsaugos auditorius")
        expect(newest).to_contain_text(stack["guardian"])
        expect(page.locator("#ministry-log > li")).to_have_count(1)
        expect(page.get_by_role("button", name="Rodyti daugiau")).to_be_hidden()  # one page only
        check(page, "46-ministry-staff-appointed")

        # The new auditor looks up the graduate for a complaint: who stood behind each entry.
        audit = auditing.new_page()
        log_in(audit, stack, "guardian")
        audit.get_by_role("link", name="Duomenų apsaugos auditas", exact=True).click()
        expect(audit.get_by_role("heading", level=1)).to_have_text("Duomenų apsaugos auditas")
        check(audit, "47-audit-form")
        audit.fill("#audit-code", stack["resident"])
        audit.get_by_role("button", name="Rodyti žurnalą").click()
        # No case, no lookup: the browser asks for the required field first.
        expect(audit.locator("#audit-case:invalid")).to_have_count(1)
        expect(audit.locator("ol.events")).to_have_count(0)
        audit.fill("#audit-case", CASE)
        audit.get_by_role("button", name="Rodyti žurnalą").click()
        expect(audit.get_by_role("heading", name="Gabija Butkutė")).to_be_visible()
        entries = audit.locator("ol.events > li")
        # The lookup itself is the newest entry; the school's entries name the representative.
        expect(entries.first).to_contain_text("Duomenų apsaugos auditas")
        expect(entries.first).to_contain_text(f"Byla: {CASE}")
        expect(entries.filter(has_text=f"Atliko: Tomas Žukauskas, {stack['representative']}").first).to_be_visible()
        expect(audit.get_by_text("Ši peržiūra įrašyta į asmens žurnalą.")).to_be_visible()
        check(audit, "48-audit-journal")

        # The auditor's own journal says which role the ministry gave her, and for when.
        audit.get_by_role("link", name="Kas žiūrėjo mano duomenis").click()
        role_given = "Paskirta, pakeista ar atimta ministerijos rolė"
        appointed = audit.locator("ol.events > li").filter(has_text=role_given).first
        expect(appointed).to_be_visible()
        day = r"\d{4}-\d\d-\d\d"
        shown = re.compile(rf"^Duomenų apsaugos auditorius: — → {day} – {day}$")
        expect(appointed.locator(".change")).to_have_text(shown)
        audit.get_by_role("link", name="Duomenų apsaugos auditas", exact=True).click()
        audit.fill("#audit-code", stack["resident"])
        audit.fill("#audit-case", CASE)

        # The graduate sees the audit in "Who looked at my data": the case, not who looked.
        mine = citizen.new_page()
        log_in(mine, stack, "resident")
        mine.get_by_role("link", name="Kas žiūrėjo mano duomenis").click()
        newest = mine.locator("ol.events > li").first
        expect(newest).to_contain_text("Duomenų apsaugos auditas")
        expect(newest).to_contain_text("Duomenų apsaugos auditorius (ministerija)")
        expect(newest).to_contain_text(f"Byla: {CASE}")
        expect(mine.get_by_text("Laura Jankauskienė")).to_have_count(0)
        expect(mine.get_by_text(stack["guardian"])).to_have_count(0)
        check(mine, "49-journal-audit")

        # The administrator removes the auditor; the auditor's very next lookup is refused.
        page.get_by_role("button", name="Pašalinti: Laura Jankauskienė (Duomenų apsaugos auditoriai)").click()
        expect(page.get_by_role("status")).to_have_text("Pašalinta.")
        expect(page.get_by_text("Laura Jankauskienė")).to_have_count(0)
        expect(page.locator("#ministry-log > li").first).to_contain_text("Pašalinta: Duomenų apsaugos auditorius")
        audit.get_by_role("button", name="Rodyti žurnalą").click()
        expect(audit.get_by_role("alert")).to_have_text("Tai gali matyti tik duomenų apsaugos auditorius.")
        expect(audit.locator("ol.events")).to_have_count(0)
    finally:
        for context in (ministry, auditing, citizen):
            context.close()


def test_the_staff_page_speaks_the_pages_language(browser: Browser, stack: dict[str, str]) -> None:
    context = browser.new_context(viewport=PHONE, locale="lt-LT")
    try:
        page = context.new_page()
        log_in(page, stack, "ministry")
        page.get_by_role("button", name="Switch to English").click()
        page.get_by_role("link", name="Ministry staff", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ministry staff")
        for title in ("Administrators", "Officials", "Data-protection auditors"):
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        options = page.locator("#staff-role option")
        expect(options).to_have_text(["Administrator", "Official", "Data-protection auditor"])
        # Only this page's link is the current one (not the ministry's, whose address it starts with).
        expect(page.locator("nav a[aria-current='page']")).to_have_text(["Ministry staff"])
        # Not a personal code: the page says so and asks nothing.
        page.fill("#staff-code", "12345")
        page.get_by_role("button", name="Appoint", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("Check the personal code")
        check(page, "50-ministry-staff-en")
    finally:
        context.close()
