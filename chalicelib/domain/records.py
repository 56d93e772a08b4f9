"""Record kinds, their fields and rules, shared by the API and the upload ingest.

Field names are those of the upload template (README.md, "Upload template"). `validate_record`
takes one row or request body as a mapping of field name to raw value and returns a normalised
record, or raises `DomainValidationError` carrying every problem found (never only the first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.text import TextError, clean_name, clean_text, fold
from chalicelib.domain.validation import fail, field_errors, parse_iso_date, text_field


class RecordKind(StrEnum):
    ENROLLMENT = "ENROLLMENT"
    SUBJECT = "SUBJECT"
    EXAM = "EXAM"
    OLYMPIAD = "OLYMPIAD"
    ACHIEVEMENT = "ACHIEVEMENT"
    QUALIFICATION = "QUALIFICATION"


# Every field of the upload template, in template order. `learning_form` and `leaving_reason`
# belong to ENROLLMENT: the current register's roster carries the learning form, and an enrolment
# records why the pupil left (from, to, reason for leaving).
TEMPLATE_FIELDS: tuple[str, ...] = (
    "kind", "person_id", "given_name", "family_name", "birth_date", "source_id",
    "start_date", "end_date", "programme", "class", "subject", "level", "grade", "score", "place",
    "title", "document_type", "document_series", "document_number", "issue_date", "teacher",
    "notes", "learning_form", "leaving_reason",
)

# Lithuanian (and a few common English) header aliases, compared after `fold()`.
FIELD_ALIASES: dict[str, str] = {
    "rusis": "kind", "iraso_rusis": "kind",
    "asmens_kodas": "person_id", "ak": "person_id",
    "vardas": "given_name", "first_name": "given_name",
    "pavarde": "family_name", "last_name": "family_name", "surname": "family_name",
    "gimimo_data": "birth_date",
    "iraso_id": "source_id", "iraso_nr": "source_id", "saltinio_id": "source_id",
    "pradzia": "start_date", "pradzios_data": "start_date", "data": "start_date",
    "pabaiga": "end_date", "pabaigos_data": "end_date",
    "programa": "programme", "mokymosi_programa": "programme", "program": "programme",
    "klase": "class", "grupe": "class",
    "dalykas": "subject",
    "lygis": "level", "lygmuo": "level",
    "pazymys": "grade", "ivertinimas": "grade",
    "balai": "score", "balas": "score", "rezultatas": "score",
    "vieta": "place", "apdovanojimas": "place",
    "pavadinimas": "title",
    "dokumento_tipas": "document_type", "dokumentas": "document_type",
    "serija": "document_series", "dokumento_serija": "document_series",
    "numeris": "document_number", "dokumento_numeris": "document_number",
    "isdavimo_data": "issue_date",
    "mokytojas": "teacher", "mokytojai": "teacher",
    "pastabos": "notes",
    "mokymosi_forma": "learning_form", "pagrindine_mokymosi_forma_budas": "learning_form",
    "isvykimo_priezastis": "leaving_reason",
}


def canonical_field(header: str) -> str | None:
    """The template field a header names (`Asmens kodas` → `person_id`), or None."""
    key = fold(header)
    if key in TEMPLATE_FIELDS:
        return key
    return FIELD_ALIASES.get(key)


EARLIEST_DATE = date(1900, 1, 1)
GRADE_WORDS = {"iskaityta": "įskaityta", "neiskaityta": "neįskaityta"}
EXAM_LEVELS = frozenset({"A", "B", "A1", "A2", "B1", "B2", "C1", "C2"})
EVENT_LEVELS = {  # olympiad / achievement level, Lithuanian aliases folded
    "school": "SCHOOL", "mokyklos": "SCHOOL", "mokyklinis": "SCHOOL",
    "municipal": "MUNICIPAL", "savivaldybes": "MUNICIPAL", "miesto": "MUNICIPAL", "rajono": "MUNICIPAL",
    "national": "NATIONAL", "salies": "NATIONAL", "respublikinis": "NATIONAL", "nacionalinis": "NATIONAL",
    "international": "INTERNATIONAL", "tarptautinis": "INTERNATIONAL", "tarptautine": "INTERNATIONAL",
}
DOCUMENT_TYPES = {
    "maturity_certificate": "MATURITY_CERTIFICATE", "brandos_atestatas": "MATURITY_CERTIFICATE",
    "basic_education_certificate": "BASIC_EDUCATION_CERTIFICATE",
    "pagrindinio_issilavinimo_pazymejimas": "BASIC_EDUCATION_CERTIFICATE",
    "qualification_certificate": "QUALIFICATION_CERTIFICATE",
    "kvalifikacijos_pazymejimas": "QUALIFICATION_CERTIFICATE",
    "vocational_diploma": "VOCATIONAL_DIPLOMA", "profesinio_mokymo_diplomas": "VOCATIONAL_DIPLOMA",
    "learning_achievement_certificate": "LEARNING_ACHIEVEMENT_CERTIFICATE",
    "mokymosi_pasiekimu_pazymejimas": "LEARNING_ACHIEVEMENT_CERTIFICATE",
}
_CLASS_RE = re.compile(r"^(?P<grade>1[0-2]|[1-9]|IV|I{1,3})(?P<group>[^\W\d_])?$", re.IGNORECASE)
_PROGRAMME_RE = re.compile(r"^(?:\((?P<code>\d{9})\)|(?P<bare>\d{9}))(?:\s+(?P<name>\S.*))?$")
_SOURCE_ID_RE = re.compile(r"^[\w.\-/#:]{1,100}$")
_DOCUMENT_NUMBER_RE = re.compile(r"^[0-9A-Za-z\-/]{1,30}$")


def _name(value: object) -> str | None:
    try:
        return clean_name(value)
    except TextError as exc:
        raise fail(exc.reason) from None


def _date_validator(allow_future: bool) -> BeforeValidator:
    def check(value: object, info: ValidationInfo) -> date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parsed = parse_iso_date(value)
        if parsed < EARLIEST_DATE:
            raise fail("too_early")
        today = _today(info)
        if not allow_future and parsed > today:
            raise fail("future")
        return parsed

    return BeforeValidator(check)


def _today(info: ValidationInfo) -> date:
    context = info.context or {}
    today = context.get("today")
    return today if isinstance(today, date) else vilnius_today()


def _person_id(value: object) -> str | None:
    text = _plain(value, 20)
    if text is None:
        return None
    text = normalise_person_id(text)
    reason = person_id_error(text)
    if reason:
        raise fail(reason)
    return text


def _source_id(value: object) -> str | None:
    text = _plain(value, 100)
    if text is not None and not _SOURCE_ID_RE.match(text):
        raise fail("characters")
    return text


def _plain(value: object, max_length: int) -> str | None:
    """Codes that spreadsheets may turn into numbers: accept ints, keep them as text."""
    if isinstance(value, bool):
        raise fail("type")
    if isinstance(value, int):
        value = str(value)
    try:
        return clean_text(value, max_length)
    except TextError as exc:
        raise fail(exc.reason) from None


def _class_name(value: object) -> str | None:
    text = _plain(value, 10)
    if text is None:
        return None
    match = _CLASS_RE.match(text.replace(" ", ""))
    group = (match.group("group") or "") if match else ""
    # `IIII` is not class III group i: Roman classes take no I or V as a group letter.
    if not match or (match.group("grade")[0] in "iI" and group.upper() in ("I", "V")):
        raise fail("format")
    # Roman numerals in capitals, the group letter lower-case: `iiiA` and `IIIa` are the same class.
    return match.group("grade").upper() + group.lower()


def _programme(value: object) -> str | None:
    text = _plain(value, 300)
    if text is None:
        return None
    match = _PROGRAMME_RE.match(text)
    if not match:
        raise fail("format")
    code, name = match.group("code") or match.group("bare"), match.group("name")
    return f"({code}) {name}" if name else code


def _grade(value: object) -> str | None:
    if isinstance(value, bool):
        raise fail("type")
    if isinstance(value, int):
        value = str(value)
    text = _plain(value, 20)
    if text is None:
        return None
    if text.isascii() and text.isdigit():
        if not 1 <= int(text) <= 10:
            raise fail("range")
        return str(int(text))
    word = GRADE_WORDS.get(fold(text))
    if word is None:
        raise fail("choice")
    return word


def _score(value: object) -> int | None:
    if isinstance(value, bool):
        raise fail("type")
    if isinstance(value, float):
        if not value.is_integer():
            raise fail("integer")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise fail("integer")
        value = int(text)
    if not isinstance(value, int):
        raise fail("type")
    if not 0 <= value <= 100:
        raise fail("range")
    return value


def _exam_level(value: object) -> str | None:
    text = _plain(value, 5)
    if text is None:
        return None
    if text.upper() not in EXAM_LEVELS:
        raise fail("choice")
    return text.upper()


def _choice(options: Mapping[str, str], max_length: int) -> BeforeValidator:
    def check(value: object) -> str | None:
        text = _plain(value, max_length)
        if text is None:
            return None
        found = options.get(fold(text)) or (text if text in options.values() else None)
        if found is None:
            raise fail("choice")
        return found

    return BeforeValidator(check)


def _place(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _plain(value, 100)
    if text is None:
        return None
    if text.isascii() and text.isdigit() and int(text) < 1:
        raise fail("range")
    return text


def _document_number(value: object) -> str | None:
    text = _plain(value, 30)
    if text is not None and not _DOCUMENT_NUMBER_RE.match(text):
        raise fail("format")
    return text


PersonId = Annotated[str, BeforeValidator(_person_id)]
Name = Annotated[str | None, BeforeValidator(_name)]
SourceId = Annotated[str, BeforeValidator(_source_id)]
PastDate = Annotated[date, _date_validator(allow_future=False)]
OptionalPastDate = Annotated[date | None, _date_validator(allow_future=False)]
# Only an end may lie ahead: a planned end of studies.
PlannedEnd = Annotated[date | None, _date_validator(allow_future=True)]
ShortText = Annotated[str, text_field(200)]
OptionalShortText = Annotated[str | None, text_field(200)]
Notes = Annotated[str | None, text_field(2000)]
ClassName = Annotated[str | None, BeforeValidator(_class_name)]
Programme = Annotated[str, BeforeValidator(_programme)]
OptionalProgramme = Annotated[str | None, BeforeValidator(_programme)]
EventLevel = Annotated[str | None, _choice(EVENT_LEVELS, 30)]


class RecordBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: RecordKind
    person_id: PersonId
    source_id: SourceId
    given_name: Name = None
    family_name: Name = None
    birth_date: OptionalPastDate = None
    teacher: OptionalShortText = None
    notes: Notes = None

    # Which date orders the record within the person's history (the sort key's date part).
    sort_field: ClassVar[str] = "start_date"

    @property
    def sort_date(self) -> date:
        value = getattr(self, self.sort_field)
        assert isinstance(value, date)
        return value

    def fields(self) -> dict[str, Any]:
        """The record's own fields (no person identification), template names, None left out."""
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        for key in ("person_id", "given_name", "family_name", "birth_date"):
            data.pop(key, None)
        return data


class Enrollment(RecordBase):
    start_date: PastDate
    end_date: PlannedEnd = None
    programme: Programme
    class_name: ClassName = Field(default=None, alias="class")
    learning_form: OptionalShortText = None
    leaving_reason: OptionalShortText = None


class Subject(RecordBase):
    subject: ShortText
    start_date: PastDate
    end_date: PlannedEnd = None
    grade: Annotated[str | None, BeforeValidator(_grade)] = None
    class_name: ClassName = Field(default=None, alias="class")


class Exam(RecordBase):
    subject: ShortText
    start_date: PastDate
    score: Annotated[int, BeforeValidator(_score)]
    level: Annotated[str | None, BeforeValidator(_exam_level)] = None


class Olympiad(RecordBase):
    subject: ShortText
    start_date: PastDate
    place: Annotated[str, BeforeValidator(_place)]
    level: EventLevel = None


class Achievement(RecordBase):
    title: ShortText
    start_date: PastDate
    end_date: PlannedEnd = None
    level: EventLevel = None


class Qualification(RecordBase):
    sort_field: ClassVar[str] = "issue_date"

    document_type: Annotated[str, _choice(DOCUMENT_TYPES, 60)]
    document_series: OptionalShortText = None
    document_number: Annotated[str, BeforeValidator(_document_number)]
    issue_date: PastDate
    programme: OptionalProgramme = None
    title: OptionalShortText = None


KIND_MODELS: dict[RecordKind, type[RecordBase]] = {
    RecordKind.ENROLLMENT: Enrollment,
    RecordKind.SUBJECT: Subject,
    RecordKind.EXAM: Exam,
    RecordKind.OLYMPIAD: Olympiad,
    RecordKind.ACHIEVEMENT: Achievement,
    RecordKind.QUALIFICATION: Qualification,
}


def kind_fields(kind: RecordKind) -> frozenset[str]:
    """Template field names a kind accepts."""
    model = KIND_MODELS[kind]
    return frozenset(info.alias or name for name, info in model.model_fields.items())


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_record(raw: Mapping[str, object], today: date | None = None) -> RecordBase:
    """Validate one record; raise `DomainValidationError` listing every problem at once."""
    errors: list[FieldError] = []
    kind, kind_error = _parse_kind(raw.get("kind"))
    if kind_error:
        errors.append(kind_error)

    accepted = kind_fields(kind) if kind else frozenset(TEMPLATE_FIELDS)
    data: dict[str, object] = {}
    for key, value in raw.items():
        if key not in TEMPLATE_FIELDS:
            errors.append(FieldError(_safe_field_name(key), "unknown"))
        elif key not in accepted:
            # Empty columns of other kinds are normal in a mixed upload; a filled one is a mistake.
            if not _is_blank(value):
                errors.append(FieldError(key, "not_applicable"))
        elif key == "kind":
            data[key] = kind
        elif _is_blank(value):
            continue  # an empty cell is a missing value: "required", not "wrong type"
        else:
            data[key] = value

    if kind is None:
        # Still check the common fields so the row's other problems are reported too.
        errors.extend(_check_common(data, today))
        raise DomainValidationError(errors)

    model = KIND_MODELS[kind]
    record: RecordBase | None = None
    try:
        record = model.model_validate(data, context={"today": today or vilnius_today()})
    except ValidationError as exc:
        errors.extend(field_errors(exc))
    errors.extend(_crossfield_errors(data))
    if errors:
        raise DomainValidationError(_dedupe(errors))
    assert record is not None
    return record


def _parse_kind(value: object) -> tuple[RecordKind | None, FieldError | None]:
    if _is_blank(value):
        return None, FieldError("kind", "required")
    if not isinstance(value, str):
        return None, FieldError("kind", "type")
    try:
        return RecordKind(value.strip().upper()), None
    except ValueError:
        return None, FieldError("kind", "choice")


def _check_common(data: Mapping[str, object], today: date | None) -> list[FieldError]:
    common = {k: v for k, v in data.items() if k in RecordBase.model_fields and k != "kind"}
    errors: list[FieldError] = []
    try:
        _CommonFields.model_validate(common, context={"today": today or vilnius_today()})
    except ValidationError as exc:
        errors.extend(field_errors(exc))
    return errors


class _CommonFields(RecordBase):
    kind: RecordKind | None = None  # type: ignore[assignment]


def _crossfield_errors(data: Mapping[str, object]) -> list[FieldError]:
    """Rules over two fields, checked on whatever parsed, so they show up with the field errors."""
    errors = []
    start, end = _quiet_date(data.get("start_date")), _quiet_date(data.get("end_date"))
    if start and end and end < start:
        errors.append(FieldError("end_date", "before_start"))
    person_id, birth = data.get("person_id"), _quiet_date(data.get("birth_date"))
    if isinstance(person_id, str) and birth:
        try:
            code = parse_personal_code(person_id)
        except PersonalCodeError:
            code = None  # already reported by the field check, or a register-issued id
        if code and code.birth_date and code.birth_date != birth:
            errors.append(FieldError("birth_date", "mismatch"))
    return errors


def _quiet_date(value: object) -> date | None:
    try:
        return parse_iso_date(value) if not _is_blank(value) else None
    except PydanticCustomError:
        return None


def _safe_field_name(key: str) -> str:
    """Unknown keys are echoed in error codes: keep them short and printable."""
    cleaned = "".join(ch for ch in str(key)[:40] if ch.isascii() and (ch.isalnum() or ch == "_"))
    return cleaned or "field"


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    return list(dict.fromkeys(errors))


class AnnulmentInput(BaseModel):
    """`DELETE .../records/{record_id}`: why the record is annulled; `version` if read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, text_field(500)]
    version: int | None = None


def correction_model(model: type[RecordBase]) -> type[RecordBase]:
    """The `PUT` body of a kind: its fields and the `version` read (for the OpenAPI description;
    the handler checks `version` and then validates the rest with `validate_record`)."""
    from pydantic import create_model

    return create_model(f"{model.__name__}Correction", __base__=model, version=(int, ...))


RECORD_INPUT = Enrollment | Subject | Exam | Olympiad | Achievement | Qualification
