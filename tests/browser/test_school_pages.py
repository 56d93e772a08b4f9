"""The school's page does everything a representative may do through the API (issue 16, items 2
and 4; docs/WEB.md "School"), at 360×740 through the fake gateway's login: the choice of
institution, one record of any kind entered with its field problems shown next to the fields,
a correction and an annulment from the pupil's page, the learner list in both formats, the
upload history, and an administrator appointing and removing a representative (removal acts on
the removed one's next request). Screenshots 51–60."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from chalicelib.domain.dates import vilnius_today
from tests.browser.support import PHONE, check, log_in

KAUNAS, VILNIUS = "Kauno Jono Jablonskio gimnazija", "Vilniaus Žirmūnų gimnazija"


def open_school(page: Page, stack: dict[str, str], who: str) -> None:
    log_in(page, stack, who)
    page.get_by_role("link", name="Mokykla").click()


def record_form(page: Page) -> None:
    page.get_by_role("link", name="Įvesti įrašą").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Įvesti įrašą")


def pupil_fields(page: Page, code: str, source_id: str) -> None:
    page.get_by_label("Asmens kodas").fill(code)
    page.get_by_label("Įstaigos įrašo numeris").fill(source_id)


def find_pupil(page: Page, code: str, purpose: str = "Įrašų tikrinimas") -> None:
    page.fill("#personal-code", code)
    page.fill("#purpose", purpose)
    page.get_by_role("button", name="Ieškoti").click()


def test_a_representative_of_two_schools_chooses_which_to_act_for(context: BrowserContext,
                                                                   stack: dict[str, str]) -> None:
    page = context.new_page()
    open_school(page, stack, "representative_two")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pasirinkite įstaigą")
    choices = page.locator("#institutions li")
    expect(choices).to_have_count(2)
    # Role and what the permit allows, in words.
    expect(choices.filter(has_text=KAUNAS)).to_contain_text("Atstovas · Leidimas: skaityti, rašyti")
    check(page, "51-school-choose")

    page.get_by_role("link", name=KAUNAS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mokykla: {KAUNAS}")
    expect(page.locator("#acting-for")).to_contain_text(f"Veikiate įstaigos vardu: {KAUNAS}")
    kaunas = re.search(r"#/school/([^/]+)$", page.url)
    assert kaunas, page.url
    # Kept while navigating: the pages under it act for the same institution, and so does a reload.
    record_form(page)
    assert page.url.endswith(f"#/school/{kaunas.group(1)}/record")
    expect(page.locator("#acting-for")).to_contain_text(KAUNAS)
    page.reload()
    expect(page.locator("#acting-for")).to_contain_text(f"Veikiate įstaigos vardu: {KAUNAS}")

    # Switching stays on the same kind of page, now for the other school.
    page.get_by_label("Pasirinkite įstaigą").select_option(label=VILNIUS)
    page.get_by_role("button", name="Keisti įstaigą").click()
    expect(page.locator("#acting-for")).to_contain_text(f"Veikiate įstaigos vardu: {VILNIUS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Įvesti įrašą")
    assert re.search(r"#/school/[^/]+/record$", page.url) and kaunas.group(1) not in page.url
    check(page, "52-school-switched")


def test_records_of_two_kinds_are_entered_with_problems_next_to_their_fields(context: BrowserContext,
                                                                             stack: dict[str, str]) -> None:
    page = context.new_page()
    open_school(page, stack, "representative")
    record_form(page)
    day = (vilnius_today() - timedelta(days=20)).isoformat()

    page.get_by_label("Įrašo rūšis").select_option("EXAM")
    form = page.locator("#record-form")
    # Every label in Lithuanian, never a raw field name; required fields marked.
    labels = form.locator("label").all_inner_texts()
    assert "Balai *" in labels and "Dalykas *" in labels and "Mokytojas" in labels, labels
    assert not [label for label in labels if "_" in label], labels
    expect(form.locator("#new-start_date")).to_have_attribute("type", "date")
    expect(form.locator("#new-score")).to_have_attribute("type", "number")
    expect(form.locator("#new-level option", has_text="B2")).to_have_count(1)
    pupil_fields(page, stack["resident"], "web-exam-1")
    page.get_by_label("Dalykas").fill("Fizika")
    page.locator("#new-start_date").fill(day)
    page.get_by_label("Balai").fill("150")
    page.get_by_role("button", name="Išsaugoti įrašą").click()
    # The API's field problem next to its field, in words; the summary says where to look.
    score_error = page.locator("#new-score-error")
    expect(score_error).to_be_visible()
    expect(score_error).to_have_text("Reikšmė už leistinų ribų.")
    expect(page.locator("#record-result").get_by_role("alert")).to_have_text(
        "Kai kurie laukai netinkami: žr. pastabas prie jų.")
    expect(page.locator("#new-score")).to_have_attribute("aria-invalid", "true")
    check(page, "53-record-field-problem")
    page.get_by_label("Balai").fill("88")
    page.get_by_role("button", name="Išsaugoti įrašą").click()
    expect(page.locator("#record-result")).to_have_text("Įrašas išsaugotas · versija 1")
    expect(score_error).to_be_hidden()

    # A second kind: its own fields, a code list shown by its labels.
    page.get_by_label("Įrašo rūšis").select_option("OLYMPIAD")
    expect(page.locator("#record-fields legend")).to_have_text("Olimpiados")
    expect(page.locator("#new-score")).to_have_count(0)
    page.get_by_label("Įstaigos įrašo numeris").fill("web-olympiad-1")
    page.get_by_label("Dalykas").fill("Chemija")
    page.locator("#new-start_date").fill(day)
    page.get_by_label("Vieta").fill("2")
    page.get_by_label("Lygis").select_option(label="šalies")
    page.get_by_role("button", name="Išsaugoti įrašą").click()
    expect(page.locator("#record-result")).to_have_text("Įrašas išsaugotas · versija 1")
    check(page, "54-record-saved")

    # Both are in the pupil's history, read through the pupil's page.
    page.get_by_role("link", name="Į įstaigos puslapį").click()
    find_pupil(page, stack["resident"])
    expect(page.locator("section[data-kind=EXAM] article", has_text="Fizika")).to_have_count(1)
    olympiad = page.locator("section[data-kind=OLYMPIAD] article", has_text="Chemija")
    expect(olympiad).to_have_count(1)
    expect(olympiad.locator("dd", has_text="šalies")).to_have_count(1)


def test_a_record_is_corrected_and_annulled_from_the_pupils_page(context: BrowserContext,
                                                                 stack: dict[str, str]) -> None:
    page = context.new_page()
    open_school(page, stack, "representative")
    record_form(page)
    page.get_by_label("Įrašo rūšis").select_option("ACHIEVEMENT")
    pupil_fields(page, stack["resident"], "web-achievement-1")
    page.get_by_label("Pavadinimas").fill("Debatų turnyras")
    page.locator("#new-start_date").fill((vilnius_today() - timedelta(days=40)).isoformat())
    page.get_by_role("button", name="Išsaugoti įrašą").click()
    expect(page.locator("#record-result")).to_have_text("Įrašas išsaugotas · versija 1")

    page.get_by_role("link", name="Į įstaigos puslapį").click()
    find_pupil(page, stack["resident"])
    # Titled as a pupil's page, not as the user's own history.
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Mokinio istorija: Gabija Butkutė")
    expect(page.get_by_role("heading", name="Mano mokymosi istorija")).to_have_count(0)
    check(page, "55-pupil")

    # Correct a field the record did not have: every field of its kind is in the form.
    card = page.locator("article", has_text="Debatų turnyras")
    card.get_by_role("button", name="Taisyti").click()
    card.get_by_label("Iki").fill((vilnius_today() - timedelta(days=38)).isoformat())
    card.get_by_label("Pavadinimas").fill("Respublikinis debatų turnyras")
    card.get_by_role("button", name="Išsaugoti").click()
    card = page.locator("article", has_text="Respublikinis debatų turnyras")
    expect(card.locator(".outcome")).to_have_text("Išsaugota. · versija 2")
    expect(card.locator("dd", has_text=(vilnius_today() - timedelta(days=38)).isoformat())).to_have_count(1)
    check(page, "56-record-corrected")

    # Annul with a reason: none given is refused on the page; then the card says it is annulled.
    card.get_by_role("button", name="Anuliuoti").click()
    card.get_by_role("button", name="Anuliuoti įrašą").click()
    expect(card.get_by_role("alert")).to_have_text("Įrašykite anuliavimo priežastį.")
    card.get_by_label("Anuliavimo priežastis").fill("Įvestas per klaidą")
    card.get_by_role("button", name="Anuliuoti įrašą").click()
    expect(card.locator(".outcome")).to_have_text("Įrašas anuliuotas · versija 3")
    expect(card.get_by_role("button", name="Taisyti")).to_have_count(0)
    check(page, "57-record-annulled")
    # Read again, the pupil's history no longer shows it.
    page.get_by_role("link", name="Mokykla").click()
    find_pupil(page, stack["resident"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Mokinio istorija: Gabija Butkutė")
    expect(page.locator("article", has_text="debatų turnyras")).to_have_count(0)


def test_the_learner_list_in_both_formats_and_the_upload_history(context: BrowserContext,
                                                                  stack: dict[str, str]) -> None:
    page = context.new_page()
    open_school(page, stack, "representative")
    expect(page.get_by_role("heading", name="Įkėlimų istorija")).to_be_visible()
    expect(page.locator("#upload-history li.card").first).to_be_visible()
    # It asks for the purpose before anything is listed.
    page.get_by_role("button", name="Atsisiųsti sąrašą").click()
    expect(page.locator("#export-result").get_by_role("alert")).to_have_text(
        "Įrašykite, kokiu tikslu žiūrite duomenis.")
    page.fill("#export-purpose", "Klasių sąrašai")
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Atsisiųsti sąrašą").click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    assert Path(csv_download.value.path()).read_text(encoding="utf-8-sig").startswith("Nr.;Asmens kodas")
    page.get_by_label("XLSX").check()
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Atsisiųsti sąrašą").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx_download.value.path()).read_bytes()[:2] == b"PK"  # a zip: the XLSX container

    # Scopes, roles and upload statuses in the page's language.
    page.get_by_role("button", name=re.compile("^EN")).click()
    expect(page.locator("#acting-for")).to_contain_text(f"Acting for: {VILNIUS}")
    expect(page.locator("#acting-for")).to_contain_text("Administrator · Permit: read, write")
    expect(page.get_by_role("heading", name="Upload history")).to_be_visible()
    expect(page.locator("#upload-history li.card").first).to_be_visible()
    statuses = page.locator("#upload-history li.card h3").all_inner_texts()
    assert statuses and all(re.search(r"· (done|file refused|failed, will be retried|processing|waiting for the file)",
                                      text) for text in statuses), statuses
    check(page, "58-school-en")
    page.get_by_role("button", name=re.compile("^LT")).click()


def test_an_administrator_appoints_then_removes_a_representative_refused_next(browser: Browser,
                                                                              stack: dict[str, str]) -> None:
    admin_context = browser.new_context(viewport=PHONE, locale="lt-LT")
    appointed_context = browser.new_context(viewport=PHONE, locale="lt-LT")
    try:
        admin = admin_context.new_page()
        open_school(admin, stack, "representative")
        expect(admin.get_by_role("link", name="Įstaigos žurnalas")).to_be_visible()  # its own log, too
        admin.get_by_role("link", name="Įstaigos atstovai").click()
        staff = admin.locator("#staff li")
        # The register's names are the ministry's view: an administrator sees their staff by code.
        expect(staff.filter(has_text=f"{stack['representative']} (jūs)")).to_contain_text("Administratorius")
        expect(staff.filter(has_text=stack["representative_two"])).to_contain_text("Galioja, kol pašalinamas")
        expect(staff.filter(has_text="Rasa Mažeikienė")).to_have_count(0)
        # An administrator removes representatives, never themself.
        expect(staff.filter(has_text=stack["representative"]).get_by_role("button")).to_have_count(0)
        check(admin, "59-staff")

        today = vilnius_today()
        admin.get_by_label("Asmens kodas").fill(stack["guardian"])
        admin.get_by_label("Nuo").fill(today.isoformat())
        admin.get_by_label("Iki").fill((today + timedelta(days=30)).isoformat())
        admin.get_by_role("button", name="Paskirti atstovą").click()
        expect(admin.locator("#staff-result")).to_have_text("Atstovas paskirtas.")
        laura = staff.filter(has_text=stack["guardian"])
        expect(laura).to_contain_text(f"Galioja: {today.isoformat()} – {(today + timedelta(days=30)).isoformat()}")
        check(admin, "60-staff-appointed")

        # The appointed person's school page works at once.
        appointed = appointed_context.new_page()
        open_school(appointed, stack, "guardian")
        expect(appointed.get_by_role("heading", level=1)).to_have_text(f"Mokykla: {VILNIUS}")
        find_pupil(appointed, stack["resident"])
        expect(appointed.get_by_role("heading", level=1)).to_have_text("Mokinio istorija: Gabija Butkutė")
        appointed.get_by_role("link", name="Mokykla").click()
        expect(appointed.get_by_role("heading", level=1)).to_have_text(f"Mokykla: {VILNIUS}")

        admin.get_by_role("button", name=f"Pašalinti: {stack['guardian']}").click()
        expect(admin.locator("#staff-result")).to_have_text("Atstovas pašalintas.")
        expect(laura).to_have_count(0)

        # Their next request for the school's data is refused, with the same token in memory (a
        # person's history answers an outsider 404, as for a code the register does not know)...
        answers: list[int] = []
        appointed.on("response", lambda answer: answers.append(answer.status) if "/persons/" in answer.url else None)
        find_pupil(appointed, stack["resident"])
        expect(appointed.get_by_role("alert")).to_have_text("Nerasta.")
        expect(appointed.get_by_role("heading", level=1)).not_to_contain_text("Mokinio istorija")
        assert answers == [404], answers
        # ... and the school's page loaded again says they no longer act for it, and shows nothing of it.
        appointed.reload()
        expect(appointed.get_by_role("alert")).to_contain_text("šios įstaigos vardu nebeveikiate")
        expect(appointed.get_by_role("link", name="Mokykla")).to_have_count(0)
        expect(appointed.locator("#upload-history")).to_have_count(0)
    finally:
        admin_context.close()
        appointed_context.close()


def test_the_ministry_manages_an_institutions_staff_with_validity_on_the_same_page(
    context: BrowserContext, stack: dict[str, str]
) -> None:
    page = context.new_page()
    log_in(page, stack, "ministry")
    page.get_by_role("link", name="Ministerija").click()
    page.get_by_role("link", name=re.compile("Kauno Jono")).click()
    page.get_by_role("link", name="Atstovai ir jų galiojimas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Atstovai: {KAUNAS}")
    expect(page.locator("#acting-for")).to_contain_text(f"Įstaiga: {KAUNAS}")
    # The ministry appoints either role, with a validity.
    today = vilnius_today()
    page.get_by_label("Asmens kodas").fill(stack["guardian"])
    page.get_by_label("Nuo").fill(today.isoformat())
    page.get_by_label("Iki").fill((today + timedelta(days=10)).isoformat())
    page.get_by_label("Vaidmuo").select_option("ADMINISTRATOR")
    page.get_by_role("button", name="Paskirti atstovą").click()
    expect(page.locator("#staff-result")).to_have_text("Atstovas paskirtas.")
    laura = page.locator("#staff li").filter(has_text="Laura Jankauskienė")
    expect(laura).to_contain_text("Administratorius")
    check(page, "ministry-staff", screenshot=False)
    page.get_by_role("button", name="Pašalinti: Laura Jankauskienė").click()
    expect(laura).to_have_count(0)
    page.get_by_role("link", name="Į įstaigos puslapį").click()
    expect(page.get_by_role("heading", name="Leidimai")).to_be_visible()
