"""The pages in real headless Chromium (Debian's), at phone size, against the whole local stack
(`python -m devstack`: moto, the fake gateway, `chalice local`, the upload bridge).

Each page is checked with axe-core (no serious or critical violation) and for horizontal
scrolling at 360 px. With SCREENSHOT_DIR set (`make screenshots`), every page is saved as a PNG.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.support import PHONE, api_paths, check, log_in, open_link, requests_made


def test_start_page_explains_and_logs_in(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    page.goto(stack["url"] + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mokinių registras")
    expect(page.get_by_text("Registracija nereikalinga", exact=False)).to_be_visible()
    expect(page.locator("#support-phone")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "lt"
    check(page, "01-start")
    log_in(page, stack, "resident")
    expect(page.get_by_role("heading", name="Lankytos mokyklos")).to_be_visible()
    expect(page.get_by_role("heading", name="Egzaminai")).to_be_visible()
    expect(page.get_by_text("Matematika").first).to_be_visible()
    check(page, "02-history")
    # The access token never reaches storage or a URL.
    assert page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)").count("eyJ") == 0
    assert "eyJ" not in page.url


def test_language_switch_and_journal(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "resident")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="Institutions attended")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    check(page, "03-history-en")
    page.get_by_role("link", name="Who looked at my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at my data")
    expect(page.get_by_text("Submitted a record").first).to_be_visible()
    check(page, "04-journal-en")
    page.get_by_role("button", name="Perjungti į lietuvių kalbą").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kas žiūrėjo mano duomenis")


def test_polish_on_the_start_and_history_pages(context: BrowserContext, stack: dict[str, str]) -> None:
    """Polish, a further language that is only a catalogue (chalicelib/i18n/pl.json): chosen on the
    start page it holds across a reload; chosen on the history page the history reads in Polish,
    with what Polish does not translate yet in Lithuanian."""
    page = context.new_page()
    page.goto(stack["url"] + "/")
    chooser = page.locator("#language button")
    expect(chooser).to_have_count(2)  # every language but the current one: EN, PL
    polish = page.get_by_role("button", name=re.compile("^PL"))
    expect(polish).to_have_attribute("lang", "pl")
    expect(polish).to_have_accessible_name("PL — Przełącz na język polski")
    polish.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejestr uczniów")
    expect(page.get_by_role("link", name="Zaloguj się")).to_be_visible()
    expect(page.get_by_text("Rejestracja nie jest potrzebna", exact=False)).to_be_visible()
    expect(page.locator("footer")).to_contain_text("Pomoc")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert page.title() == "Rejestr uczniów"
    expect(page.get_by_role("button", name=re.compile("^LT"))).to_have_attribute("lang", "lt")
    check(page, "start-pl", screenshot=False)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejestr uczniów")
    page.get_by_role("button", name=re.compile("^LT")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mokinių registras")

    log_in(page, stack, "resident")
    page.get_by_role("button", name=re.compile("^PL")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moja historia nauki")
    for kind in ("Szkoły", "Egzaminy", "Olimpiady", "Dokumenty o wykształceniu i kwalifikacjach"):
        expect(page.get_by_role("heading", name=kind, exact=True)).to_be_visible()
    expect(page.get_by_text("Atestat dojrzałości")).to_be_visible()
    expect(page.locator("dt", has_text=re.compile("^Od$")).first).to_be_visible()  # an enrolment's start
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Kto przeglądał moje dane")).to_be_visible()
    expect(nav.get_by_role("button", name="Wyloguj się")).to_be_visible()
    # The share page is not translated yet: its link stays in Lithuanian, as the page it opens.
    expect(nav.get_by_role("link", name="Dalintis ir įrodyti")).to_be_visible()
    check(page, "19-history-pl")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moja historia nauki")
    nav.get_by_role("link", name="Kto przeglądał moje dane").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kto przeglądał moje dane")
    expect(page.get_by_text("Dodanie wpisu").first).to_be_visible()
    check(page, "journal-pl", screenshot=False)


def test_the_page_draws_nothing_before_its_texts_arrive(context: BrowserContext, stack: dict[str, str]) -> None:
    """One request for the texts, before the first page is drawn: until it answers, the static
    page's Lithuanian stays, and no text key is ever shown."""
    page = context.new_page()
    page.add_init_script("localStorage.setItem('mr-language', 'pl')")
    seen = requests_made(page)
    held: list[Route] = []

    def hold(route: Route) -> None:  # Playwright cannot take a bound built-in method as the handler
        held.append(route)

    page.route("**/texts/*", hold)
    page.goto(stack["url"] + "/")
    page.wait_for_function("document.readyState === 'complete'")
    expect(page.locator("main")).to_have_text("Įkeliama…")
    assert len(held) == 1 and held[0].request.url.endswith("/texts/pl")
    held[0].continue_()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejestr uczniów")
    assert [url for url in seen if "/texts/" in url] == [stack["url"] + "/texts/pl"]


def test_guardian_reads_the_childs_history(context: BrowserContext, stack: dict[str, str]) -> None:
    page = context.new_page()
    log_in(page, stack, "guardian", provider="auth.signatureProvider")
    page.get_by_role("link", name=re.compile("Vaiko istorija")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matas")
    expect(page.get_by_role("heading", name="Olimpiados")).to_be_visible()
    check(page, "05-guardian-child")
    # A link to someone who is not among the guardian's children reads nothing and says so.
    link, seen = open_link(context, f"{stack['url']}/#/child/{stack['resident']}")
    expect(link.get_by_role("alert")).to_have_text("Tokio vaiko jūsų vaikų sąraše nėra.")
    assert api_paths(seen) == {"/auth/token", "/me"}, seen


def test_a_national_test_reads_with_its_labels(context: BrowserContext, stack: dict[str, str]) -> None:
    """Kind titles, field labels and code labels come from the register (`/schema/records`)."""
    page = context.new_page()
    seen = requests_made(page)
    log_in(page, stack, "guardian", provider="auth.signatureProvider")
    page.get_by_role("link", name=re.compile("Vaiko istorija")).click()
    section = page.locator("section[data-kind=NATIONAL_TEST]")
    expect(section.get_by_role("heading", level=2)).to_have_text("Nacionaliniai mokinių pasiekimų patikrinimai")
    card = section.locator("article", has_text="Skaitymas")
    expect(card).to_be_visible()
    facts = dict(zip(card.locator("dt").all_inner_texts(), card.locator("dd").all_inner_texts(), strict=True))
    assert facts == {"Patikrinimas": "NMPP, 4 klasė", "Data": "2023-05-11", "Balai": "31",
                     "Didžiausias galimas balas": "40", "Pasiekimų lygis": "aukštesnysis"}, facts
    page.get_by_role("button", name="Switch to English").click()
    expect(section.get_by_role("heading", level=2)).to_have_text("National achievement tests")
    expect(card.locator("dd", has_text="NMPP, grade 4")).to_be_visible()
    expect(card.locator("dt", has_text="Achievement level")).to_be_visible()
    enrolment = page.locator("section[data-kind=ENROLLMENT] article").first
    expect(enrolment.locator("dt", has_text="Language of instruction")).to_be_visible()
    expect(enrolment.locator("dd", has_text="Lithuanian")).to_be_visible()
    assert len([url for url in seen if url.endswith("/schema/records")]) == 1  # once for the session
    page.get_by_role("button", name="Perjungti į lietuvių kalbą").click()


def test_representative_uploads_and_reads_the_report(context: BrowserContext, stack: dict[str, str],
                                                      tmp_path: Path) -> None:
    page = context.new_page()
    log_in(page, stack, "representative")
    page.get_by_role("link", name="Mokykla").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vilniaus")
    check(page, "06-school")
    file = tmp_path / "egzaminai 2026.csv"
    file.write_bytes(("kind;person_id;source_id;subject;start_date;score\r\n"
                      f"EXAM;{stack['resident']};web-1;Chemija;2026-06-09;71\r\n"
                      f"EXAM;{stack['resident']};web-2;Chemija;2026-06-09;171\r\n").encode("utf-8-sig"))
    page.set_input_files("#file", str(file))
    page.get_by_role("button", name="Įkelti").click()
    expect(page.locator("#upload-result")).to_contain_text("Būsena: baigta", timeout=30_000)
    expect(page.locator("#upload-result")).to_contain_text("Reikšmė už leistinų ribų")
    check(page, "07-upload-report")
    page.fill("#personal-code", stack["resident"])
    page.fill("#purpose", "Brandos atestato patikra")
    page.get_by_role("button", name="Ieškoti").click()
    expect(page.get_by_text("Chemija").first).to_be_visible()
    check(page, "08-pupil")
    # Correct the record this school submitted: the change is saved with the version read.
    card = page.locator("article", has_text="Chemija").first
    card.get_by_role("button", name="Taisyti").click()
    card.locator("#edit-score").fill("172")  # refused: each field problem in the page's language
    card.get_by_role("button", name="Išsaugoti").click()
    expect(card.get_by_role("alert")).to_have_text("score: Reikšmė už leistinų ribų.")
    card.locator("#edit-score").fill("72")
    card.get_by_role("button", name="Išsaugoti").click()
    expect(card.get_by_text("Išsaugota.")).to_be_visible()


# The tests below read as the Vilnius representative: they run before the ministry revokes that
# school's permit (test_ministry_revokes_and_the_representative_loses_access).


def test_a_link_to_a_pupil_only_fills_in_the_form(context: BrowserContext, stack: dict[str, str]) -> None:
    """A crafted link to a pupil reads nothing: the representative types a purpose and presses the button."""
    log_in(context.new_page(), stack, "representative")
    page, seen = open_link(context, f"{stack['url']}/#/school/{stack['resident']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rasti mokinį")
    expect(page.locator("#personal-code")).to_have_value(stack["resident"])
    expect(page.locator("#purpose")).to_have_value("")
    check(page, "15-pupil-link")
    assert not [url for url in seen if "/persons/" in url]
    # A purpose of blanks is no purpose: still nothing is read.
    page.fill("#purpose", "   ")
    page.get_by_role("button", name="Ieškoti").click()
    expect(page.get_by_role("alert")).to_have_text("Įrašykite, kokiu tikslu žiūrite duomenis.")
    assert not [url for url in seen if "/persons/" in url]

    page.fill("#purpose", "Brandos atestato patikra")
    page.get_by_role("button", name="Ieškoti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gabija")
    expect(page.get_by_text("Matematika").first).to_be_visible()
    reads = [url for url in seen if "/persons/" in url]
    assert len(reads) == 1 and "purpose=Brandos+atestato+patikra" in reads[0], reads
    # Back, then forward to the result: the address alone does not read again.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rasti mokinį")
    expect(page.locator("#personal-code")).to_have_value(stack["resident"])
    page.go_forward()
    expect(page.locator("#personal-code")).to_have_value("")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rasti mokinį")
    assert len([url for url in seen if "/persons/" in url]) == 1


def test_a_link_never_reads_another_persons_history_as_a_child(context: BrowserContext, stack: dict[str, str]) -> None:
    """`#/child/<code>` is only for the children `/me` lists: for anyone else it reads nothing."""
    log_in(context.new_page(), stack, "representative")
    page, seen = open_link(context, f"{stack['url']}/#/child/{stack['resident']}")
    expect(page.get_by_role("alert")).to_have_text("Tokio vaiko jūsų vaikų sąraše nėra.")
    expect(page.get_by_text("Matematika")).to_have_count(0)
    assert api_paths(seen) == {"/auth/token", "/me"}, seen


def test_malformed_addresses_never_reach_the_api(context: BrowserContext, stack: dict[str, str]) -> None:
    log_in(context.new_page(), stack, "representative")
    for hash_path, shown in [
        ("#/school/..%2F..%2Fme", "Nuoroda netinkama"),
        ("#/school/%2F", "Nuoroda netinkama"),
        ("#/school/" + "1" * 500, "Nuoroda netinkama"),
        (f"#/school/{stack['resident']}%2F..%2F..%2Fme", "Nuoroda netinkama"),
        (f"#/school/{stack['resident']}/history", "Nuoroda netinkama"),
        ("#/school/%E0%A4%A", "Nuoroda netinkama"),
        ("#/child/..%2F..%2Fme", "Tokio vaiko"),
        ("#/child/../../me", "Nuoroda netinkama"),
        ("#/ministry/..%2Fme", "Nerasta"),
        ("#/ministry/" + "a" * 500, "Nerasta"),
        ("#/shared/..%2F..%2Fme", "Nuoroda negalioja"),
    ]:
        page, seen = open_link(context, f"{stack['url']}/{hash_path}")
        expect(page.get_by_role("alert")).to_contain_text(shown)
        # Logging the tab in, and the caller's own institutions (the school and ministry pages list them).
        assert api_paths(seen) <= {"/auth/token", "/me", "/institutions"}, (hash_path, seen)
        if hash_path.startswith("#/school/..%2F"):
            check(page, "16-bad-link")
        page.close()


def test_the_learner_list_is_exported_only_on_request_with_a_purpose(context: BrowserContext,
                                                                     stack: dict[str, str]) -> None:
    log_in(context.new_page(), stack, "representative")
    page, seen = open_link(context, f"{stack['url']}/#/school/learners")
    expect(page.get_by_role("alert")).to_contain_text("Nuoroda netinkama")
    page.goto(f"{stack['url']}/#/school")
    expect(page.get_by_role("heading", name="Besimokančių sąrašas")).to_be_visible()
    assert not [url for url in seen if "/learners" in url]
    page.get_by_role("button", name="Atsisiųsti sąrašą").click()
    expect(page.locator("#export-result").get_by_role("alert")).to_have_text(
        "Įrašykite, kokiu tikslu žiūrite duomenis.")
    assert not [url for url in seen if "/learners" in url]

    page.fill("#export-purpose", "Klasių sąrašai rugsėjui")
    with page.expect_download() as download:
        page.get_by_role("button", name="Atsisiųsti sąrašą").click()
    assert download.value.suggested_filename.endswith(".csv")
    table = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert table.splitlines()[0].startswith("Nr.;Asmens kodas"), table[:80]
    exports = [url for url in seen if "/learners" in url]
    assert len(exports) == 1 and "purpose=Klasi" in exports[0], exports
    check(page, "17-school-export")


@contextmanager
def school_and_ministry(browser: Browser, stack: dict[str, str]) -> Iterator[tuple[Page, Page]]:
    """The Vilnius school's representative on their school page, and the ministry on its list of
    institutions, each in a browser of their own."""
    school = browser.new_context(viewport=PHONE)
    ministry = browser.new_context(viewport=PHONE)
    try:
        rep_page = school.new_page()
        log_in(rep_page, stack, "representative")
        rep_page.get_by_role("link", name="Mokykla").click()
        expect(rep_page.get_by_role("heading", level=1)).to_contain_text("Vilniaus")
        page = ministry.new_page()
        log_in(page, stack, "ministry")
        page.get_by_role("link", name="Ministerija").click()
        yield rep_page, page
    finally:
        school.close()
        ministry.close()


def search_pupil(rep_page: Page, code: str) -> None:
    rep_page.fill("#personal-code", code)
    rep_page.fill("#purpose", "patikra")
    rep_page.get_by_role("button", name="Ieškoti").click()


def test_ministry_removes_a_representative_who_loses_access_at_once(browser: Browser, stack: dict[str, str]) -> None:
    """The Remove button answered 404 and left the person with full access (issue 13, item 2)."""
    with school_and_ministry(browser, stack) as (rep_page, page):
        page.get_by_role("link", name=re.compile("Vilniaus Žirmūnų")).click()
        representatives = page.get_by_role("heading", name="Atstovai").locator("xpath=..")
        expect(representatives.get_by_role("button", name="Pašalinti")).to_have_count(1)
        representatives.get_by_role("button", name="Pašalinti").click()
        expect(representatives.get_by_role("button", name="Pašalinti")).to_have_count(0)
        expect(page.get_by_role("alert")).to_have_count(0)

        # The removed representative's very next request is refused, with the token in memory.
        search_pupil(rep_page, stack["pupil"])
        expect(rep_page.get_by_role("alert")).to_be_visible()

        # Appointed again (the later tests need them): through the same page.
        page.fill("#representative", stack["representative"])
        page.get_by_role("button", name="Paskirti atstovą").click()
        expect(representatives.get_by_role("button", name="Pašalinti")).to_have_count(1)


def test_ministry_revokes_and_the_representative_loses_access(browser: Browser, stack: dict[str, str]) -> None:
    with school_and_ministry(browser, stack) as (rep_page, page):
        check(page, "09-ministry")
        page.get_by_role("link", name=re.compile("Vilniaus Žirmūnų")).click()
        expect(page.get_by_role("heading", name="Leidimai")).to_be_visible()
        check(page, "10-ministry-institution")
        page.get_by_role("button", name="Atšaukti leidimą").first.click()
        expect(page.get_by_text("atšauktas").first).to_be_visible()

        # The representative's next request is refused, with the same token in memory.
        search_pupil(rep_page, stack["resident"])
        expect(rep_page.get_by_role("alert")).to_be_visible()


def test_logging_out_in_one_tab_logs_the_other_out(context: BrowserContext, stack: dict[str, str]) -> None:
    first = context.new_page()
    log_in(first, stack, "resident")
    second = context.new_page()
    second.goto(stack["url"] + "/")  # its own access token, from the shared refresh cookie
    expect(second.get_by_role("heading", name="Lankytos mokyklos")).to_be_visible()
    first.get_by_role("button", name="Atsijungti").click()
    expect(first.get_by_role("link", name="Prisijungti")).to_be_visible()
    # The second tab still holds an access token of the ended session: its next request is refused,
    # and the page offers the login instead of data.
    second.get_by_role("link", name="Kas žiūrėjo mano duomenis").click()
    expect(second.get_by_role("link", name="Prisijungti")).to_be_visible()
    expect(second.locator("nav")).to_be_hidden()


# Holds every token refresh a moment before sending it, so that tabs opened together would overlap.
SLOW_REFRESH = """
const send = window.fetch.bind(window);
window.fetch = async (resource, options) => {
  if (String(resource).endsWith("auth/token")) await new Promise((done) => setTimeout(done, 1000));
  return send(resource, options);
};
"""


def test_tabs_opened_together_stay_logged_in(context: BrowserContext, stack: dict[str, str]) -> None:
    """Each refresh spends the refresh cookie, and a spent one ends the session: tabs must take
    turns, or the slower one would log everyone out."""
    log_in(context.new_page(), stack, "resident")
    context.add_init_script(SLOW_REFRESH)
    tabs = [context.new_page() for _ in range(3)]
    for tab in tabs:
        tab.goto(stack["url"] + "/", wait_until="commit")
    for tab in tabs:
        expect(tab.get_by_role("heading", name="Lankytos mokyklos")).to_be_visible()
    tabs[0].reload()
    expect(tabs[0].get_by_role("heading", name="Lankytos mokyklos")).to_be_visible()


def test_a_means_that_is_down_says_so_and_offers_the_others(context: BrowserContext, stack: dict[str, str]) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(
        stack["gateway"] + "/admin/down", data=b"providers=auth.signatureProvider", method="POST"), timeout=5)
    try:
        page = context.new_page()
        page.goto(stack["url"] + "/")
        page.get_by_role("link", name="Prisijungti").click()
        page.wait_for_url(re.compile(r".*/portal.*"))
        expect(page.get_by_text("laikinai neveikia")).to_be_visible()
        page.check(f"input[value='{stack['resident']}']")
        page.check("input[value='auth.signatureProvider']")
        page.get_by_role("button", name=re.compile("Prisijungti")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Prisijungti nepavyko")
        expect(page.get_by_text("Pabandykite kitą tapatybės nustatymo priemonę")).to_be_visible()
        expect(page.get_by_role("link", name="+370 5 000 0000")).to_be_visible()
        expect(page.locator("section[lang=pl] h2")).to_have_text("Logowanie nie powiodło się")
        check(page, "11-login-failed")
        page.get_by_role("link", name=re.compile("Bandyti dar kartą")).click()
        page.wait_for_url(re.compile(r".*/portal.*"))
    finally:
        urllib.request.urlopen(urllib.request.Request(
            stack["gateway"] + "/admin/down", data=b"providers=", method="POST"), timeout=5)


def test_a_person_shares_records_by_link_and_a_stranger_checks_a_transcript(
    browser: Browser, context: BrowserContext, stack: dict[str, str]
) -> None:
    page = context.new_page()
    log_in(page, stack, "resident")
    page.goto(stack["url"] + "/#/shares")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dalintis ir įrodyti")
    boxes = page.locator("fieldset input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    boxes.nth(0).check()
    boxes.nth(1).check()
    check(page, "12-shares")
    page.get_by_role("button", name="Sukurti nuorodą").click()
    url = page.locator("#share-url").input_value()
    assert "/#/shared/" in url and stack["resident"] not in url

    stranger = browser.new_context(viewport=PHONE, locale="lt-LT")  # no login, no cookies
    try:
        shared = stranger.new_page()
        shared.goto(url)
        expect(shared.get_by_role("heading", level=1)).to_contain_text("Bendrinami įrašai: Gabija")
        assert shared.locator("article.card").count() == 2
        assert stack["resident"] not in shared.content()  # the personal code is never shown
        check(shared, "13-shared-view")

        page.goto(stack["url"] + "/#/history")
        page.goto(stack["url"] + "/#/shares")
        expect(page.get_by_text("Peržiūrų: 1")).to_be_visible()
        page.get_by_role("button", name="Atšaukti nuorodą").click()
        expect(page.get_by_text("Atšaukta")).to_be_visible()
        shared.reload()
        expect(shared.get_by_role("alert")).to_contain_text("Nuoroda negalioja")

        with page.expect_download() as download:
            page.get_by_role("button", name="Atsisiųsti išrašą").click()
        transcript = Path(download.value.path()).read_text().strip()
        assert transcript.count(".") == 2

        checker = stranger.new_page()
        checker.goto(stack["url"] + "/#/verify")
        checker.locator("#transcript").fill(transcript)
        checker.get_by_role("button", name="Tikrinti").click()
        expect(checker.locator("#verify-result")).to_contain_text("Išrašas tikras")
        check(checker, "14-verify")
        head, body, signature = transcript.split(".")
        tampered = ".".join([head, body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1], signature])
        checker.locator("#transcript").fill(tampered)
        checker.get_by_role("button", name="Tikrinti").click()
        expect(checker.get_by_role("alert")).to_contain_text("netikras arba pakeistas")
    finally:
        stranger.close()


def test_a_transcript_whose_record_was_corrected_is_no_longer_valid(
    browser: Browser, context: BrowserContext, stack: dict[str, str]
) -> None:
    page = context.new_page()
    log_in(page, stack, "resident")
    page.goto(stack["url"] + "/#/shares")
    expect(page.get_by_label("Įtraukti mano asmens kodą")).not_to_be_checked()
    with page.expect_download() as download:
        page.get_by_role("button", name="Atsisiųsti išrašą").click()
    transcript = Path(download.value.path()).read_text().strip()
    payload = transcript.split(".")[1]
    assert stack["resident"] not in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()

    # The Kaunas school corrects the class of its enrolment: the transcript states the old version.
    school = browser.new_context(viewport=PHONE, locale="lt-LT")
    stranger = browser.new_context(viewport=PHONE, locale="lt-LT")
    try:
        rep = school.new_page()
        log_in(rep, stack, "representative_kaunas")
        rep.get_by_role("link", name="Mokykla").click()
        rep.fill("#personal-code", stack["resident"])
        rep.fill("#purpose", "Klasės taisymas")
        rep.get_by_role("button", name="Ieškoti").click()
        card = rep.locator("article", has_text="Kauno Jono Jablonskio").first
        card.get_by_role("button", name="Taisyti").click()
        card.locator("#edit-class").fill("8c")
        card.get_by_role("button", name="Išsaugoti").click()
        expect(card.get_by_text("Išsaugota.")).to_be_visible()

        checker = stranger.new_page()
        checker.goto(stack["url"] + "/#/verify")
        checker.locator("#transcript").fill(transcript)
        checker.get_by_role("button", name="Tikrinti").click()
        expect(checker.get_by_role("alert")).to_contain_text("Išrašas nebegalioja")
        withdrawn = checker.locator("#withdrawn li")
        expect(withdrawn).to_have_count(1)
        expect(withdrawn.first).to_contain_text("Kauno Jono Jablonskio gimnazija")
        expect(withdrawn.first).to_contain_text("pakeistas")
        expect(checker.get_by_text("Išrašas tikras")).not_to_be_visible()
        check(checker, "18-verify-withdrawn")
    finally:
        school.close()
        stranger.close()
