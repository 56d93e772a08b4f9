"""The pages' wording by language, from the catalogues (`chalicelib/i18n/<lang>.json`, see
`chalicelib.domain.i18n`): the document `GET /texts/{lang}` sends the web pages, and single texts
for the pages the server renders itself (the login steps).

Each catalogue names its own language in that language (`languageName`, `switchToLanguage`), so a
language chooser needs nothing but the catalogue files: adding a language is adding one file.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain import i18n

NAME, SWITCH = "languageName", "switchToLanguage"


def offered() -> list[dict[str, str]]:
    """Every language offered, each as it names itself ("lietuvių", "English", "polski")."""
    found = []
    for code in i18n.languages():
        own = i18n.catalogue(code)
        found.append({"code": code, "name": own.get(NAME, code), "switch": own.get(SWITCH, own.get(NAME, code))})
    return found


def document(language: str) -> dict[str, Any] | None:
    """What the pages load before they draw anything: the texts of `language` (untranslated keys
    in Lithuanian) and the languages to offer. None for a language not offered."""
    if language not in i18n.languages():
        return None
    return {"language": language, "languages": offered(), "texts": i18n.page_texts(language)}


def say(language: str, key: str) -> tuple[str, str]:
    """`key` in `language`, and the language the text is really in: Lithuanian where `language`
    does not translate it, so a page can mark it (`lang`) rather than pass it off as translated."""
    own = i18n.catalogue(language).get(key)
    if own is not None:
        return own, language
    return i18n.catalogue(i18n.BASE_LANGUAGE)[key], i18n.BASE_LANGUAGE


def untranslated(language: str) -> list[str]:
    """What `language` leaves to Lithuanian: the pages' keys, then the facts' keys (record kinds,
    problems) it does not translate."""
    from chalicelib.domain import kinds, problems

    own = set(i18n.catalogue(language))
    pages = sorted(set(i18n.catalogue(i18n.BASE_LANGUAGE)) - own)
    if language in i18n.DECLARED_LANGUAGES:
        return pages  # the declared two have every fact next to it
    facts = {**kinds.declared_texts(), **problems.declared_texts()}
    return pages + sorted(set(facts) - own)
