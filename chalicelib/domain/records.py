"""Record kinds, their fields and rules, shared by the API and the upload ingest.

Field names are those of the upload template (README.md, "Upload template"). `validate_record`
takes one row or request body as a mapping of field name to raw value and returns a normalised
record, or raises `DomainValidationError` carrying every problem found (never only the first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, create_model
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.kinds import (
    COMMON,
    FAMILY_NAME,
    GIVEN_NAME,
    IDENTITY,
    KINDS,
    PERSON_ID,
    SOURCE_ID,
    CodeList,
    DateValue,
    IntegerValue,
    Kind,
    TextValue,
    Use,
    Value,
    header_names,
    kind_named,
    template_fields,
    uses_of,
)
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.text import TextError, clean_name, clean_text, fold
from chalicelib.domain.validation import fail, field_errors, parse_iso_date, text_field

RecordKind = StrEnum("RecordKind", [(kind.name, kind.name) for kind in KINDS])  # type: ignore[misc]

# Every field of the upload template, in template order (domain/kinds.py declares them).
TEMPLATE_FIELDS: tuple[str, ...] = template_fields()


def canonical_field(header: str) -> str | None:
    """The template field a header names (`Asmens kodas` → `person_id`), or None."""
    return header_names().get(fold(header))


EARLIEST_DATE = date(1900, 1, 1)
GRADE_WORDS = {"iskaityta": "įskaityta", "neiskaityta": "neįskaityta"}
_CLASS_RE = re.compile(r"(?P<grade>1[0-2]|[1-9]|IV|I{1,3})(?P<group>[^\W\d_])?", re.IGNORECASE)
_PROGRAMME_RE = re.compile(r"(?:\((?P<code>\d{9})\)|(?P<bare>\d{9}))(?:\s+(?P<name>\S.*))?")
_SOURCE_ID_RE = re.compile(r"[\w.\-/#:]{1,100}")
_DOCUMENT_NUMBER_RE = re.compile(r"[0-9A-Za-z\-/]{1,30}")


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


# --- the shapes a text field may have (`TextValue.form`): each takes trimmed, non-empty text ------


def _person_id(text: str) -> str:
    text = normalise_person_id(text)
    reason = person_id_error(text)
    if reason:
        raise fail(reason)
    return text


def _source_id(text: str) -> str:
    if not _SOURCE_ID_RE.fullmatch(text):
        raise fail("characters")
    return text


def _class_name(text: str) -> str:
    match = _CLASS_RE.fullmatch(text.replace(" ", ""))
    group = (match.group("group") or "") if match else ""
    # `IIII` is not class III group i: Roman classes take no I or V as a group letter.
    if not match or (match.group("grade")[0] in "iI" and group.upper() in ("I", "V")):
        raise fail("format")
    # Roman numerals in capitals, the group letter lower-case: `iiiA` and `IIIa` are the same class.
    return match.group("grade").upper() + group.lower()


def _programme(text: str) -> str:
    match = _PROGRAMME_RE.fullmatch(text)
    if not match:
        raise fail("format")
    code, name = match.group("code") or match.group("bare"), match.group("name")
    return f"({code}) {name}" if name else code


def _grade(text: str) -> str:
    if text.isascii() and text.isdigit():
        if not 1 <= int(text) <= 10:
            raise fail("range")
        return str(int(text))
    word = GRADE_WORDS.get(fold(text))
    if word is None:
        raise fail("choice")
    return word


def _place(text: str) -> str:
    if text.isascii() and text.isdigit() and int(text) < 1:
        raise fail("range")
    return text


def _document_number(text: str) -> str:
    if not _DOCUMENT_NUMBER_RE.fullmatch(text):
        raise fail("format")
    return text


FORMS: dict[str, Callable[[str], str]] = {
    "person_id": _person_id, "source_id": _source_id, "class": _class_name, "programme": _programme,
    "grade": _grade, "place": _place, "document_number": _document_number,
}


def _text(declared: TextValue) -> BeforeValidator:
    if declared.form is None:
        return text_field(declared.max_length)
    if declared.form == "name":
        def name(value: object) -> str | None:
            try:
                return clean_name(value, declared.max_length)
            except TextError as exc:
                raise fail(exc.reason) from None

        return BeforeValidator(name)
    shape = FORMS[declared.form]

    def shaped(value: object) -> str | None:
        text = _plain(value, declared.max_length)
        return None if text is None else shape(text)

    return BeforeValidator(shaped)


def _integer(declared: IntegerValue) -> BeforeValidator:
    def check(value: object) -> int | None:
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
        if not declared.minimum <= value <= declared.maximum:
            raise fail("range")
        return value

    return BeforeValidator(check)


def _choice(declared: CodeList) -> BeforeValidator:
    spellings = declared.spellings()

    def check(value: object) -> str | None:
        text = _plain(value, 100)
        if text is None:
            return None
        found = spellings.get(fold(text))
        if found is None:
            raise fail("choice")
        return found

    return BeforeValidator(check)


def annotation(values: Value, required: bool) -> Any:
    """The pydantic type of a field holding `values` (validators from the declaration)."""
    if isinstance(values, DateValue):
        base: type = date
        validator = _date_validator(allow_future=values.future)
    elif isinstance(values, IntegerValue):
        base, validator = int, _integer(values)
    elif isinstance(values, TextValue):
        base, validator = str, _text(values)
    else:
        base, validator = str, _choice(values)
    return Annotated[base if required else base | None, validator]


def _field_definition(use: Use) -> tuple[Any, Any]:
    alias = use.name if use.field.python_name != use.name else None
    default = PydanticField(... if use.required else None, alias=alias)
    return annotation(use.values, use.required), default


class RecordBase(BaseModel):
    """A record's envelope (domain/kinds.py `IDENTITY`): the kind, whom it names, the institution's
    own number for it. Each kind's model adds its fields (`KIND_MODELS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: RecordKind
    person_id: Annotated[str, _text(PERSON_ID.value)]
    source_id: Annotated[str, _text(SOURCE_ID.value)]
    given_name: Annotated[str | None, _text(GIVEN_NAME.value)] = None
    family_name: Annotated[str | None, _text(FAMILY_NAME.value)] = None
    birth_date: Annotated[date | None, _date_validator(allow_future=False)] = None

    @property
    def sort_date(self) -> date:
        """The date that orders the record within the person's history (the sort key's date part)."""
        value = getattr(self, _SORT_ATTRIBUTES[self.kind])
        assert isinstance(value, date)
        return value

    def fields(self) -> dict[str, Any]:
        """The record's own fields (no person identification), template names, None left out."""
        data = self.model_dump(by_alias=True, exclude_none=True, mode="json")
        for key in ("person_id", "given_name", "family_name", "birth_date"):
            data.pop(key, None)
        return data


def _model_name(kind: Kind) -> str:
    return "".join(part.capitalize() for part in kind.name.split("_"))


def _kind_model(kind: Kind) -> type[RecordBase]:
    fields: dict[str, Any] = {use.field.python_name: _field_definition(use) for use in uses_of(kind)}
    model: type[RecordBase] = create_model(_model_name(kind), __base__=RecordBase, **fields)
    return model


# One model per kind, built from its declaration (in reading order).
KIND_MODELS: dict[RecordKind, type[RecordBase]] = {RecordKind(kind.name): _kind_model(kind) for kind in KINDS}
_ACCEPTED = {RecordKind(kind.name): frozenset(use.name for use in IDENTITY + uses_of(kind)) for kind in KINDS}
_SORT_ATTRIBUTES = {kind.name: next(use.field.python_name for use in uses_of(kind) if use.name == kind.sort_field)
                    for kind in KINDS}


def kind_fields(kind: RecordKind) -> frozenset[str]:
    """Template field names a kind accepts."""
    return _ACCEPTED[kind]


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
    errors.extend(_rule_errors(kind_named(kind), data))
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


_COMMON_NAMES = frozenset(use.name for use in IDENTITY + COMMON if use.name != "kind")


def _check_common(data: Mapping[str, object], today: date | None) -> list[FieldError]:
    common = {k: v for k, v in data.items() if k in _COMMON_NAMES}
    errors: list[FieldError] = []
    try:
        _CommonFields.model_validate(common, context={"today": today or vilnius_today()})
    except ValidationError as exc:
        errors.extend(field_errors(exc))
    return errors


_COMMON_DEFINITIONS: dict[str, Any] = {use.field.python_name: _field_definition(use) for use in COMMON}
_CommonFields = create_model("_CommonFields", __base__=RecordBase, kind=(RecordKind | None, None),
                             **_COMMON_DEFINITIONS)


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


def _rule_errors(kind: Kind, data: Mapping[str, object]) -> list[FieldError]:
    """The kind's declared rules over two fields (`AtMost`), on whatever parsed: a bound that is
    itself not valid is reported as such, and bounds nothing."""
    errors = []
    for rule in kind.rules:
        value, bound = _quiet_int(data.get(rule.field)), _quiet_int(data.get(rule.bound))
        if value is None or bound is None or value <= bound:
            continue
        declared = next(use.values for use in kind.uses if use.name == rule.bound)
        if not isinstance(declared, IntegerValue) or declared.minimum <= bound <= declared.maximum:
            errors.append(FieldError(rule.field, "range"))
    return errors


def _quiet_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    # Only a number a field could hold: int() refuses strings of over 4,300 digits (ValueError),
    # and such a value is already reported by its field's own check.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


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


RECORD_INPUT: Any = reduce(or_, KIND_MODELS.values())
