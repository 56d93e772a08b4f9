"""The pages' texts by language: catalogues are flat and complete where they must be, untranslated
keys fall back to Lithuanian (and are listed), the citizen's pages are wholly in Polish, and a
further language is one catalogue file."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest

from chalicelib.domain import i18n, kinds, problems
from chalicelib.domain.kinds import declared_texts
from chalicelib.services import journal
from chalicelib.web import pages, texts

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "chalicelib" / "web" / "static"


def catalogue_files() -> list[Path]:
    return sorted(Path(i18n.CATALOGUES).glob("*.json"))


def test_catalogues_are_flat_objects_of_texts() -> None:
    assert {path.stem for path in catalogue_files()} >= {"lt", "en", "pl"}
    for path in catalogue_files():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(loaded, dict), path.name
        for key, value in loaded.items():
            assert re.fullmatch(r"[A-Za-z][\w.]*", key), (path.name, key)
            assert isinstance(value, str) and value.strip() == value and value, (path.name, key)


def test_a_nested_catalogue_is_refused(catalogues: Path) -> None:
    (catalogues / "xx.json").write_text('{"brand": {"short": "MR"}}', encoding="utf-8")
    with pytest.raises(ValueError, match="flat"):
        i18n.catalogue("xx")


def test_the_declared_languages_have_every_key() -> None:
    lithuanian, english = i18n.catalogue("lt"), i18n.catalogue("en")
    assert set(english) == set(lithuanian), (set(lithuanian) ^ set(english))


def test_no_catalogue_says_one_key_twice() -> None:
    """JSON keeps the last of two equal keys without a word: two pages would share one text."""
    for language in i18n.languages():
        path = i18n.CATALOGUES + f"/{language}.json"
        pairs = json.loads(Path(path).read_text(encoding="utf-8"), object_pairs_hook=lambda pairs: pairs)
        keys = [key for key, _ in pairs]
        assert sorted({key for key in keys if keys.count(key) > 1}) == [], language


def test_further_languages_translate_only_keys_that_exist() -> None:
    """A misspelt key would translate nothing and hide a gap: every key of a further catalogue is
    a page key of Lithuanian, or a fact's key."""
    for language in i18n.languages()[len(i18n.DECLARED_LANGUAGES):]:
        facts = {**kinds.declared_texts(), **problems.declared_texts()}
        unknown = [key for key in i18n.catalogue(language) if key not in i18n.catalogue("lt") and key not in facts]
        assert unknown == [], language


def test_problem_keys_name_codes_the_api_has() -> None:
    table = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    for language in i18n.languages():
        codes = [key.removeprefix("problem.") for key in i18n.catalogue(language) if key.startswith("problem.")]
        assert [code for code in codes if f"`{code}`" not in table] == [], language


def test_every_catalogue_names_its_own_language() -> None:
    offered = {language["code"]: language for language in texts.offered()}
    assert list(offered) == list(i18n.languages())
    names = {code: language["name"] for code, language in offered.items()}
    assert names.items() >= {"lt": "lietuvių", "en": "English", "pl": "polski"}.items()
    for code in offered:
        assert {texts.NAME, texts.SWITCH} <= set(i18n.catalogue(code)), code


def test_untranslated_keys_fall_back_to_lithuanian() -> None:
    polish = i18n.page_texts("pl")
    assert set(polish) >= set(i18n.catalogue("lt"))
    assert polish["myHistory"] == "Moja historia nauki"
    assert "shares" in texts.untranslated("pl")
    assert polish["shares"] == i18n.catalogue("lt")["shares"]
    assert texts.say("pl", "shares") == (i18n.catalogue("lt")["shares"], "lt")
    assert texts.say("pl", "brand") == ("Rejestr uczniów", "pl")
    assert texts.untranslated("en") == []


# --- the citizen's pages in Polish ------------------------------------------------------------

# The citizen's pages and the functions that draw them (`route` and `problemText` say what went
# wrong on any page), by the module they are in.
CITIZEN_VIEWS = {
    "start": ("start",),
    "history": ("records.js:history", "childHistory", "records.js:renderSections", "records.js:recordCard",
                "records.js:recordTitle", "records.js:describe"),
    "journal": ("journal", "journalEntry", "journalChange"),
    "any page": ("route", "ui.js:problemText"),
}
# The navigation's entries for the citizen's own pages. Links to pages not translated yet (share,
# school, ministry) stay in Lithuanian, as the pages they open.
NAVIGATION = ("myHistory", "journal", "childHistory", "logout", "menu")
# Keys app.js builds from data, by the expression that builds them: what they can be.
FAMILIES = {
    "event.action": {journal.READ, journal.CREATE, journal.UPDATE, journal.ANNUL, journal.EXPORT, journal.TRANSFER,
                     journal.AUDIT, journal.MINISTRY_ROLE},
    "`role_${event.actor.role}`": {f"role_{role}" for role in ("guardian", "representative", "ministry",
                                                               "municipality", "share_link", "system", "auditor",
                                                               "ministry_administrator")},
    "`ministryRoleOne_${role}`": {f"ministryRoleOne_{role}" for role in ("ADMINISTRATOR", "OFFICIAL", "AUDITOR")},
}
LITERAL = re.compile(r'\bt\("([\w.]+)"\)')
BUILT = re.compile(r'\bt\((?!")([^()]*)\)')


def function_body(source: str, name: str) -> str:
    found = re.search(rf"^(?:export )?(?:async )?function {name}\(.*?^}}", source, flags=re.MULTILINE | re.DOTALL)
    assert found, f"no function {name}: update CITIZEN_VIEWS"
    return found.group(0)


def citizen_keys() -> set[str]:
    """Every key the citizen's pages can show."""
    keys = set(NAVIGATION)
    for functions in CITIZEN_VIEWS.values():
        for qualified in functions:
            module, _, name = qualified.rpartition(":")
            body = function_body((STATIC / (module or "app.js")).read_text(encoding="utf-8"), name)
            keys |= set(LITERAL.findall(body))
            for built in BUILT.findall(body):
                assert built in FAMILIES, f"{name}: t({built}) — say in FAMILIES which keys it can build"
                keys |= FAMILIES[built]
    # The frame every page has: index.html's texts and what i18n.js sets (title, menu's name).
    keys |= set(re.findall(r'data-t="(\w+)"', (STATIC / "index.html").read_text(encoding="utf-8")))
    keys |= set(LITERAL.findall((STATIC / "i18n.js").read_text(encoding="utf-8")))
    # The records' kind titles, field labels and code labels (GET /schema/records), all shown on
    # the history; a label that reads the same in Lithuanian and English (an exam level `B1`) is a
    # code, not a word to translate.
    keys |= {key for key, declared in declared_texts().items() if declared["lt"] != declared["en"]}
    return keys


def test_the_scan_finds_the_citizens_pages_keys() -> None:
    """The scan itself: it finds what the pages are known to show, static and built."""
    keys = citizen_keys()
    assert {"intro1", "emptyHistory", "journalEmpty", "locale", "skip", "brand", "menu",
            "kind.EXAM", "choice.level.NATIONAL", "choice.document_type.MATURITY_CERTIFICATE", "field.EXAM.start_date",
            "choice.language_of_instruction.pl", "READ",
            "role_guardian", "failed"} <= keys
    assert "shares" not in keys and "upload" not in keys


# Further languages that must have the citizen's pages whole (others may be partial).
CITIZEN_LANGUAGES = ("pl",)


@pytest.mark.parametrize("language", CITIZEN_LANGUAGES)
def test_the_citizens_pages_are_wholly_translated(language: str) -> None:
    """Lists what `language` leaves to Lithuanian (`pytest -s` shows it) and fails if a text of the
    citizen's pages (start, history, journal) is among it."""
    untranslated = texts.untranslated(language)
    print(f"\nUntranslated into {language} ({len(untranslated)}), shown in Lithuanian:", ", ".join(untranslated))
    assert sorted(citizen_keys() - set(i18n.catalogue(language))) == []


def section(page: str, language: str) -> str:
    found = re.search(rf'<section lang="{language}">(.*?)</section>', page)
    assert found, language
    return found.group(1)


@pytest.mark.parametrize("reason", [*pages.FAILURES, "anything else"])
def test_the_login_failure_page_is_in_every_language(reason: str) -> None:
    page = pages.login_failed(reason)
    key = f"loginFailure_{reason if reason in pages.FAILURES else 'refused'}"
    lithuanian, polish = i18n.catalogue("lt"), i18n.catalogue("pl")
    assert f"<h1>{lithuanian['loginFailedTitle']}</h1><p>{escape(lithuanian[key])}</p>" in page
    for language in ("en", "pl"):
        block = section(page, language)
        own = i18n.catalogue(language)
        assert f"<h2>{escape(own['loginFailedTitle'])}</h2><p>{escape(own[key])}</p>" in block
        assert escape(own["loginTryOther"]) in block
    # The means of login have no Polish names yet: in Polish, their Lithuanian names, marked so.
    assert re.sub(r'<span lang="lt">[^<]*</span>', "", section(page, "pl")).count("lang=") == 0
    for shared in ("tryAgain", "loginKeepsFailing"):
        assert f'<span lang="pl">{escape(polish[shared])}</span>' in page
    assert page.count("tel:") == 1  # the contacts once, for everyone


def test_the_gateway_page_is_in_every_language() -> None:
    page = pages.gateway_redirect("https://gateway.example/portal", "ticket-1")
    assert f'<h1>{i18n.catalogue("lt")["connecting"]}</h1>' in page
    assert f'<p lang="pl">{i18n.catalogue("pl")["connecting"]}</p>' in page
    assert ('<button type="submit">Tęsti / <span lang="en">Continue</span> / <span lang="pl">Dalej</span></button>'
            in page)


def test_a_new_language_is_one_catalogue_file(catalogues: Path) -> None:
    """A catalogue dropped in is offered, named in itself, falls back to Lithuanian where it is
    silent, and the login pages speak it, its gaps marked as Lithuanian."""
    (catalogues / "uk.json").write_text(json.dumps({
        "languageName": "українська", "switchToLanguage": "Перейти на українську",
        "loginFailedTitle": "Не вдалося увійти", "tryAgain": "Спробувати ще раз"}), encoding="utf-8")
    assert i18n.languages() == ("lt", "en", "pl", "uk")
    assert texts.offered()[-1] == {"code": "uk", "name": "українська", "switch": "Перейти на українську"}
    document = texts.document("uk")
    assert document is not None and document["texts"]["brand"] == "Mokinių registras"
    block = section(pages.login_failed("state"), "uk")
    assert "<h2>Не вдалося увійти</h2>" in block
    assert f'<span lang="lt">{i18n.catalogue("lt")["loginFailure_state"]}</span>' in block
    assert texts.document("xx") is None
