"""The declaration of record kinds (chalicelib/domain/kinds.py): what stored data depends on is
pinned, every derived piece is consistent, and texts reach readers by their fact keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.domain import kinds
from chalicelib.domain.kinds import COMMON, FIELDS, IDENTITY, KINDS, CodeList, header_names, uses_of
from chalicelib.domain.policy import fields_shown, record_visible
from chalicelib.domain.text import fold

# The sort-key prefixes of the records already stored (`<prefix><sort date>#<record id>`), as the
# register wrote them before kinds declared their own. Never change one: stored keys carry them.
STORED_PREFIXES = {
    "ENROLLMENT": "1#ENROLLMENT#",
    "SUBJECT": "2#SUBJECT#",
    "EXAM": "3#EXAM#",
    "OLYMPIAD": "4#OLYMPIAD#",
    "ACHIEVEMENT": "5#ACHIEVEMENT#",
    "QUALIFICATION": "6#QUALIFICATION#",
}


def test_stored_prefixes_never_change() -> None:
    declared = {kind.name: kind.prefix for kind in KINDS}
    assert {name: declared.get(name) for name in STORED_PREFIXES} == STORED_PREFIXES


def test_kinds_are_declared_in_the_order_their_keys_sort() -> None:
    prefixes = [kind.prefix for kind in KINDS]
    assert prefixes == sorted(prefixes) and len(set(prefixes)) == len(prefixes)
    # No prefix starts another's: a `begins_with` on one kind never reads another.
    assert not [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)]
    for prefix in prefixes:
        assert prefix.endswith("#") and prefix > "#PERSON"  # the person's summary sorts first
    # `enrolments_of` reads the summary and the enrolments, up to the end of their prefix.
    assert KINDS[0].name == "ENROLLMENT"


def test_every_field_is_declared_once_and_kinds_use_the_declared_ones() -> None:
    names = [field.name for field in FIELDS]
    assert len(names) == len(set(names))
    declared = set(map(id, FIELDS))
    for kind in KINDS:
        own = [use.name for use in kind.uses]
        assert len(own) == len(set(own)), kind.name
        assert {id(use.field) for use in uses_of(kind) + IDENTITY} <= declared, kind.name
        assert not set(own) & {use.name for use in IDENTITY + COMMON}, kind.name
        assert kind.sort_field in {use.name for use in kind.uses if use.required}, kind.name
        assert kind.heading is None or kind.heading in own, kind.name
        for use in kind.uses:
            # A kind may narrow a field's values (its own code list, range), never change its type.
            assert use.value is None or type(use.value) is type(use.field.value), (kind.name, use.name)


def test_headers_and_code_spellings_are_unambiguous() -> None:
    headers = header_names()  # raises if one header named two fields
    assert headers["asmens_kodas"] == "person_id" and headers["data"] == "start_date"
    lists = [field.value for field in FIELDS] + [use.value for kind in KINDS for use in kind.uses if use.value]
    for values in lists:
        if isinstance(values, CodeList):
            spelled: dict[str, set[str]] = {}
            for code in values.codes:
                for spelling in (code.code, *code.label.values(), *code.aliases):
                    spelled.setdefault(fold(spelling), set()).add(code.code)
            assert {s: c for s, c in spelled.items() if len(c) > 1} == {}


def test_what_other_institutions_see_is_what_the_policy_showed() -> None:
    assert kinds.shown_to_other_institutions() == {
        # Where the pupil learnt and what they finished (the policy's list before kinds were declared) ...
        # ... and, since it was declared, the language of instruction (a next school adapts to it).
        "ENROLLMENT": frozenset({"kind", "start_date", "end_date", "class", "programme", "learning_form",
                                 "language_of_instruction"}),
        "QUALIFICATION": None,
    }
    assert record_visible("ENROLLMENT", "other", frozenset({"mine"}))
    assert not record_visible("EXAM", "other", frozenset({"mine"}))
    assert fields_shown("QUALIFICATION", "other", frozenset({"mine"})) is None
    assert fields_shown("EXAM", "mine", frozenset({"mine"})) is None


def described(kind: str, field: str) -> dict[str, Any]:
    found = next(k for k in kinds.schema_document()["kinds"] if k["kind"] == kind)
    return next(f for f in found["fields"] if f["name"] == field)


def test_the_schema_document_describes_every_kind_in_reading_order() -> None:
    document = kinds.schema_document()
    assert [k["kind"] for k in document["kinds"]] == [kind.name for kind in KINDS]
    enrollment = document["kinds"][0]
    assert enrollment["title"].items() >= {"lt": "Lankytos mokyklos", "en": "Institutions attended"}.items()
    assert enrollment["heading"] is None and enrollment["sort_field"] == "start_date"
    assert [f["name"] for f in enrollment["fields"]][-2:] == ["teacher", "notes"]  # the common ones last
    # A kind's own label: an exam's start is its date, an enrolment's the start of a period.
    assert described("EXAM", "start_date")["label"].items() >= {"lt": "Data", "en": "Date"}.items()
    assert described("ENROLLMENT", "start_date")["label"].items() >= {"lt": "Nuo", "en": "From"}.items()
    assert described("EXAM", "score") | {"label": None} == {
        "name": "score", "label": None, "type": "integer", "required": True, "minimum": 0, "maximum": 100}
    level = described("OLYMPIAD", "level")
    assert level["type"] == "code" and level["required"] is False
    national = next(choice for choice in level["choices"] if choice["code"] == "NATIONAL")
    assert national["label"].items() >= {"lt": "šalies", "en": "national"}.items()
    assert [c["code"] for c in described("EXAM", "level")["choices"]][:2] == ["A", "B"]
    assert [f["name"] for f in document["identity"]] == ["person_id", "given_name", "family_name", "birth_date",
                                                          "source_id"]


@pytest.fixture
def polish(further_language: Callable[[str, dict[str, str]], None]) -> None:
    """A further language: a catalogue translating a few facts under their keys (and nothing else)."""
    further_language("pl", {"kind.EXAM": "Egzaminy", "field.subject": "Przedmiot",
                            "field.EXAM.start_date": "Data egzaminu", "choice.level.NATIONAL": "krajowy"})


def test_a_catalogue_translates_kinds_fields_and_codes_by_their_fact_keys(polish: None) -> None:
    assert kinds.kind_title("EXAM") == {"lt": "Egzaminai", "en": "Exams", "pl": "Egzaminy"}
    assert described("EXAM", "subject")["label"] == {"lt": "Dalykas", "en": "Subject", "pl": "Przedmiot"}
    assert described("EXAM", "start_date")["label"] == {"lt": "Data", "en": "Date", "pl": "Data egzaminu"}
    # Not translated: Lithuanian and English only (a reader falls back to Lithuanian).
    assert described("ENROLLMENT", "start_date")["label"] == {"lt": "Nuo", "en": "From"}
    national = next(c for c in described("OLYMPIAD", "level")["choices"] if c["code"] == "NATIONAL")
    assert national["label"] == {"lt": "šalies", "en": "national", "pl": "krajowy"}
