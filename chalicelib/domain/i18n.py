"""Texts by language: how the register says anything to a person, in their language.

Two rules keep a third language a translation file rather than a code change:

- **Facts declare their own Lithuanian and English.** A record field's label, a record kind's
  title, a code list's value, a problem's message are declared once, next to the fact, as a
  `Text` (`{"lt": …, "en": …}`): Lithuanian is the state language, English the register's
  second working language, so every fact has both.
- **Every further language is one catalogue**, `chalicelib/i18n/<language>.json`: a flat
  `{key: text}` object. It translates the pages' own wording (keys without a prefix, as in
  `lt.json` and `en.json`, which hold the pages' wording in the two declared languages) and,
  optionally, facts, under the fact's key: `kind.<KIND>`, `field.<name>`, `choice.<field>.<CODE>`,
  `problem.<code>`, `reason.<reason>`. What a catalogue does not translate falls back to Lithuanian.

Languages are found, not listed: a catalogue file present is a language offered.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache

BASE_LANGUAGE = "lt"
DECLARED_LANGUAGES = ("lt", "en")
CATALOGUES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")

Text = Mapping[str, str]


def text(lt: str, en: str) -> dict[str, str]:
    """A fact's text in the two declared languages (keyword-free so declarations stay one line)."""
    return {"lt": lt, "en": en}


@cache
def languages() -> tuple[str, ...]:
    """Every language offered: the declared two first, then each further catalogue, by code."""
    found = sorted(name[:-5] for name in os.listdir(CATALOGUES) if name.endswith(".json"))
    return DECLARED_LANGUAGES + tuple(code for code in found if code not in DECLARED_LANGUAGES)


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """One language's catalogue as written (no fallback); empty for an unknown language."""
    if language not in languages():
        return {}
    with open(os.path.join(CATALOGUES, f"{language}.json"), encoding="utf-8") as handle:
        loaded = json.load(handle)
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise ValueError(f"catalogue {language}.json must be a flat object of texts")
    return loaded


def translated(key: str, declared: Text) -> dict[str, str]:
    """A fact's text in every language that has it: the declared two, then each catalogue's
    translation of `key`. Languages without a translation are absent (readers fall back)."""
    found = dict(declared)
    for language in languages():
        if language not in found and key in catalogue(language):
            found[language] = catalogue(language)[key]
    return found


def pick(texts: Text, language: str) -> str:
    """The text in `language`, else in Lithuanian (every text has Lithuanian)."""
    return texts.get(language) or texts[BASE_LANGUAGE]


def page_texts(language: str) -> dict[str, str]:
    """The pages' wording in `language`, untranslated keys in Lithuanian."""
    return {**catalogue(BASE_LANGUAGE), **catalogue(language)}
