from datetime import date
from typing import Any

import pytest

from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.records import (
    TEMPLATE_FIELDS,
    RecordKind,
    canonical_field,
    kind_fields,
    validate_record,
)
from chalicelib.models.records import record_key

TODAY = date(2026, 11, 28)
PUPIL = "50803041232"  # born 2008-03-04


def codes(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(DomainValidationError) as exc:
        validate_record(raw, today=TODAY)
    return [e.code for e in exc.value.errors]


def row(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "person_id": PUPIL, "source_id": "S-1", **fields}


VALID = {
    "ENROLLMENT": row("ENROLLMENT", start_date="2015-09-01", end_date="2027-06-30",
                      programme="(101001101) Pradinio ugdymo programa", **{"class": "IIIa"},
                      learning_form="Grupinio mokymosi/Kasdienis"),
    "SUBJECT": row("SUBJECT", subject="Informacinės technologijos", start_date="2024-09-01",
                   grade="įskaityta"),
    "EXAM": row("EXAM", subject="Matematika", start_date="2026-06-05", score=87, level="A"),
    "OLYMPIAD": row("OLYMPIAD", subject="Fizika", start_date="2025-03-14", place="2", level="šalies"),
    "ACHIEVEMENT": row("ACHIEVEMENT", title="Jaunųjų mokslininkų konkursas", start_date="2025-05-01"),
    "QUALIFICATION": row("QUALIFICATION", document_type="Brandos atestatas", document_series="BA",
                         document_number="1234567", issue_date="2026-07-01"),
    "NATIONAL_TEST": row("NATIONAL_TEST", grade_level="10", subject="Lietuvių kalba", start_date="2026-06-09",
                         score=31, max_points=40, level="pagrindinis"),
}


@pytest.mark.parametrize("kind", list(VALID))
def test_every_kind_validates(kind: str) -> None:
    record = validate_record(VALID[kind], today=TODAY)
    assert record.kind == RecordKind(kind)
    assert record.person_id == PUPIL
    assert set(record.fields()) <= set(TEMPLATE_FIELDS)
    assert "person_id" not in record.fields()


def test_normalised_values() -> None:
    enrollment = validate_record(VALID["ENROLLMENT"] | {"class": "iiiA", "kind": "enrollment"}, today=TODAY)
    assert enrollment.fields()["class"] == "IIIa"
    assert enrollment.sort_date == date(2015, 9, 1)
    bare = validate_record(VALID["ENROLLMENT"] | {"programme": "201001001"}, today=TODAY)
    assert bare.fields()["programme"] == "201001001"
    olympiad = validate_record(VALID["OLYMPIAD"], today=TODAY)
    assert olympiad.fields()["level"] == "NATIONAL"
    qualification = validate_record(VALID["QUALIFICATION"], today=TODAY)
    assert qualification.fields()["document_type"] == "MATURITY_CERTIFICATE"
    assert qualification.sort_date == date(2026, 7, 1)
    assert validate_record(VALID["SUBJECT"] | {"grade": "Neiskaityta"}, today=TODAY).fields()["grade"] == "neįskaityta"


@pytest.mark.parametrize("value", ["1", "10", "5a", "10b", "12", "I", "II", "IIIb", "IV", "IVa"])
def test_classes_accepted(value: str) -> None:
    assert validate_record(VALID["ENROLLMENT"] | {"class": value}, today=TODAY)


@pytest.mark.parametrize("value", ["0", "13", "V", "IIII", "5ab", "5-a", "a5"])
def test_classes_refused(value: str) -> None:
    assert codes(VALID["ENROLLMENT"] | {"class": value}) == ["validation.class.format"]


@pytest.mark.parametrize(
    ("grade", "code"),
    [("0", "range"), ("11", "range"), ("labai gerai", "choice"), ("7.5", "choice")],
)
def test_grades(grade: str, code: str) -> None:
    assert codes(VALID["SUBJECT"] | {"grade": grade}) == [f"validation.grade.{code}"]


@pytest.mark.parametrize("grade", ["1", "10", 9])
def test_numeric_grades(grade: object) -> None:
    assert validate_record(VALID["SUBJECT"] | {"grade": grade}, today=TODAY).fields()["grade"] == str(grade)


@pytest.mark.parametrize(("score", "code"), [(-1, "range"), (101, "range"), ("87.5", "integer"), (True, "type")])
def test_exam_scores(score: object, code: str) -> None:
    assert codes(VALID["EXAM"] | {"score": score}) == [f"validation.score.{code}"]


def test_exam_levels() -> None:
    assert validate_record(VALID["EXAM"] | {"level": "b2"}, today=TODAY).fields()["level"] == "B2"
    assert codes(VALID["EXAM"] | {"level": "C3"}) == ["validation.level.choice"]


@pytest.mark.parametrize("programme", ["10100110", "(101001101", "Pradinio ugdymo programa", "1010011012"])
def test_programme_format(programme: str) -> None:
    assert codes(VALID["ENROLLMENT"] | {"programme": programme}) == ["validation.programme.format"]


def test_dates() -> None:
    assert codes(VALID["ENROLLMENT"] | {"start_date": "2027-01-01"}) == ["validation.start_date.future"]
    assert codes(VALID["ENROLLMENT"] | {"start_date": "01/09/2015"}) == ["validation.start_date.format"]
    assert codes(VALID["ENROLLMENT"] | {"start_date": "2015-02-29"}) == ["validation.start_date.date"]
    assert codes(VALID["ENROLLMENT"] | {"start_date": "1899-09-01"}) == ["validation.start_date.too_early"]
    assert codes(VALID["ENROLLMENT"] | {"end_date": "2014-06-30"}) == ["validation.end_date.before_start"]
    assert codes(VALID["QUALIFICATION"] | {"issue_date": "2026-11-29"}) == ["validation.issue_date.future"]
    # A planned end may lie ahead; an exam may not.
    assert validate_record(VALID["ENROLLMENT"] | {"end_date": "2030-06-30"}, today=TODAY)
    assert codes(VALID["EXAM"] | {"start_date": "2026-11-29"}) == ["validation.start_date.future"]


def test_birth_date_must_match_the_personal_code() -> None:
    assert validate_record(VALID["EXAM"] | {"birth_date": "2008-03-04"}, today=TODAY)
    assert codes(VALID["EXAM"] | {"birth_date": "2008-03-05"}) == ["validation.birth_date.mismatch"]


def test_every_problem_is_reported_at_once() -> None:
    found = codes({
        "kind": "EXAM", "person_id": "50803041233", "source_id": "", "start_date": "2027-06-05",
        "score": "150", "level": "Z", "class": "5a", "grade": "", "colour": "blue",
    })
    assert set(found) == {
        "validation.person_id.checksum", "validation.source_id.required",
        "validation.start_date.future", "validation.score.range", "validation.level.choice",
        "validation.class.not_applicable", "validation.colour.unknown", "validation.subject.required",
    }


def test_unknown_kind_still_reports_common_fields() -> None:
    found = codes({"kind": "DIPLOMA", "person_id": "123", "source_id": "S"})
    assert found == ["validation.kind.choice", "validation.person_id.length"]
    assert codes({"person_id": PUPIL, "source_id": "S"}) == ["validation.kind.required"]


def test_empty_columns_of_other_kinds_are_ignored() -> None:
    mixed_upload_row = dict.fromkeys(TEMPLATE_FIELDS, "") | VALID["EXAM"]
    assert validate_record(mixed_upload_row, today=TODAY).kind == RecordKind("EXAM")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Jo\u200bnas", "validation.given_name.characters"),  # zero-width space
        ("Jonas\u202e", "validation.given_name.characters"),  # right-to-left override
        ("Jo\x00nas", "validation.given_name.characters"),
        ("Jonas2", "validation.given_name.characters"),
        ("J" * 1_000_000, "validation.given_name.too_long"),
        (42, "validation.given_name.type"),
    ],
)
def test_hostile_names(value: object, code: str) -> None:
    assert codes(VALID["EXAM"] | {"given_name": value}) == [code]


def test_lithuanian_letters_and_combining_marks() -> None:
    typed = {"given_name": "Žydrūnė", "family_name": "S\u030cimkute\u0307"}
    record = validate_record(VALID["EXAM"] | typed, today=TODAY)
    # Combining caron / dot above are composed: the stored name equals the one typed precomposed.
    assert record.family_name == "Šimkutė"
    assert record.given_name == "Žydrūnė"


def test_notes_keep_line_breaks_and_limit_length() -> None:
    record = validate_record(VALID["ACHIEVEMENT"] | {"notes": "Pirma eilutė\nantra"}, today=TODAY)
    assert record.fields()["notes"] == "Pirma eilutė\nantra"
    assert codes(VALID["ACHIEVEMENT"] | {"notes": "x" * 2001}) == ["validation.notes.too_long"]


def test_messages_in_both_languages() -> None:
    with pytest.raises(DomainValidationError) as exc:
        validate_record(VALID["EXAM"] | {"score": 101}, today=TODAY)
    error = exc.value.errors[0].as_dict()
    assert error["field"] == "score"
    assert error["code"] == "validation.score.range"
    messages = error["messages"]
    assert (messages["lt"], messages["en"]) == ("Reikšmė už leistinų ribų.", "The value is out of range.")


def test_headers_and_aliases() -> None:
    assert canonical_field("Asmens kodas") == "person_id"
    assert canonical_field("Pavardė") == "family_name"
    assert canonical_field("VARDAS") == "given_name"
    assert canonical_field("start_date") == "start_date"
    assert canonical_field("Išdavimo data") == "issue_date"
    assert canonical_field("spalva") is None
    for kind in RecordKind:
        assert kind_fields(kind) <= set(TEMPLATE_FIELDS)


def test_national_tests_take_their_own_values_in_upload_spellings() -> None:
    typed = VALID["NATIONAL_TEST"] | {"grade_level": "4 klasė", "level": "Aukštesnysis", "max_points": 40.0}
    fields = validate_record(typed, today=TODAY).fields()
    assert (fields["grade_level"], fields["level"], fields["max_points"]) == ("4", "ADVANCED", 40)
    assert validate_record(VALID["NATIONAL_TEST"] | {"grade_level": 8}, today=TODAY).fields()["grade_level"] == "8"
    assert validate_record(VALID["NATIONAL_TEST"] | {"level": "NOT_SATISFACTORY"}, today=TODAY)
    # Points of a maximum, or a percentage without one.
    assert codes(VALID["NATIONAL_TEST"] | {"score": "41"}) == ["validation.score.range"]
    assert codes(VALID["NATIONAL_TEST"] | {"score": 101, "max_points": ""}) == ["validation.score.range"]
    assert validate_record(VALID["NATIONAL_TEST"] | {"score": 100, "max_points": None}, today=TODAY)
    # An invalid maximum is reported as such and bounds nothing.
    assert codes(VALID["NATIONAL_TEST"] | {"max_points": 0}) == ["validation.max_points.range"]
    assert codes(VALID["NATIONAL_TEST"] | {"grade_level": "12", "level": "A"}) == [
        "validation.grade_level.choice", "validation.level.choice"]


@pytest.mark.parametrize("typed", ["pl", "PL", "lenkų", "Lenku kalba", "Polish"])
def test_the_language_of_instruction_is_a_code(typed: str) -> None:
    enrolment = validate_record(VALID["ENROLLMENT"] | {"language_of_instruction": typed}, today=TODAY)
    assert enrolment.fields()["language_of_instruction"] == "pl"


def test_only_enrolments_take_a_language_of_instruction() -> None:
    assert codes(VALID["ENROLLMENT"] | {"language_of_instruction": "klingonų"}) == [
        "validation.language_of_instruction.choice"]
    assert codes(VALID["EXAM"] | {"language_of_instruction": "lt"}) == [
        "validation.language_of_instruction.not_applicable"]


def test_a_national_test_sorts_between_exams_and_olympiads() -> None:
    keys = [record_key("EXAM", "2999-12-31", "z" * 26), record_key("NATIONAL_TEST", "1900-01-01", "0" * 26),
            record_key("NATIONAL_TEST", "2999-12-31", "z" * 26), record_key("OLYMPIAD", "1900-01-01", "0" * 26)]
    assert sorted(keys) == keys
    assert keys[1].startswith("3.5#NATIONAL_TEST#")


@pytest.mark.parametrize(("given", "code"), [
    ("MOVED_LT", "MOVED_LT"), ("Perėjo į kitą mokyklą", "MOVED_LT"), ("išvyko į kitą Lietuvos mokyklą", "MOVED_LT"),
    ("moved abroad", "MOVED_ABROAD"), ("Išvyko į užsienį", "MOVED_ABROAD"), ("baigė programą", "COMPLETED"),
    ("kita", "OTHER")])
def test_a_leaving_reason_is_a_code(given: str, code: str) -> None:
    ended = VALID["ENROLLMENT"] | {"end_date": "2025-06-30", "leaving_reason": given}
    assert validate_record(ended, today=TODAY).fields()["leaving_reason"] == code


def test_a_leaving_reason_in_free_text_is_refused() -> None:
    """The state tells a pupil who moved school from one who left education by the code."""
    ended = VALID["ENROLLMENT"] | {"end_date": "2025-06-30", "leaving_reason": "Tėvai nusprendė"}
    assert codes(ended) == ["validation.leaving_reason.choice"]
