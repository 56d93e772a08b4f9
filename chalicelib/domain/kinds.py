"""Record kinds and their fields, declared once.

This module is the only place a kind of record or a field is stated: per field its labels, its
upload columns (Lithuanian and English) and the other headers accepted for it, its DynamoDB
attribute, the values it takes; per kind its title, the prefix of its stored sort key (reading
order), which fields it takes and which of them are required, and what other institutions see of
it. Everything else is derived from here: the validation models (`domain/records.py`), the
`Record` item's attributes (`models/records.py`), the field map of the write path
(`services/records.py`), the OpenAPI schemas, the upload templates, the history's sections, the
access policy's visible fields and `GET /schema/records`, from which the pages take every kind
title, field label and code label (docs/DATA_MODEL.md, "Record kinds").

Pure data and small lookups, no pydantic and no AWS: `models/records.py` imports it, and paths
that load the models without pydantic (the DAKPR transfer, status lists) stay without it.
"""

import keyword
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

from chalicelib.domain.i18n import Text, text, translated
from chalicelib.domain.text import fold

# --- what a field's value may be ---------------------------------------------------------------


class DateValue(NamedTuple):
    """An ISO date (`YYYY-MM-DD`), not before 1900 and not after today unless `future` (a
    planned end)."""

    future: bool = False


class IntegerValue(NamedTuple):
    minimum: int
    maximum: int


class TextValue(NamedTuple):
    """Text of at most `max_length` characters. `form`: a shape `domain/records.py` checks and
    normalises (a class name, a programme code, ...); None: any text."""

    max_length: int
    form: str | None = None


class Code(NamedTuple):
    code: str
    label: Text
    aliases: tuple[str, ...] = ()  # further spellings accepted (uploads), compared folded


class CodeList(NamedTuple):
    """One of `codes`. Accepted as the code, either label or an alias, compared folded
    (`Šalies` is `NATIONAL`); stored and answered as the code."""

    codes: tuple[Code, ...]

    def spellings(self) -> dict[str, str]:
        """Every accepted spelling, folded → its code."""
        found: dict[str, str] = {}
        for code in self.codes:
            for spelling in (code.code, *code.label.values(), *code.aliases):
                found.setdefault(fold(spelling), code.code)
        return found


Value = DateValue | IntegerValue | TextValue | CodeList


def value_type(value: Value) -> str:
    """The value's type as `GET /schema/records` names it."""
    return {DateValue: "date", IntegerValue: "integer", TextValue: "text", CodeList: "code"}[type(value)]


# --- fields and kinds --------------------------------------------------------------------------


class Field(NamedTuple):
    """A field, the same on every kind that takes it: one upload column, one DynamoDB attribute."""

    name: str  # in the API, and the English template's column
    label: Text
    value: Value
    column_lt: str  # the Lithuanian template's column
    aliases: tuple[str, ...] = ()  # further headers accepted, compared folded
    attribute: str | None = None  # the DynamoDB attribute, when not the name

    @property
    def stored_as(self) -> str:
        return self.attribute or self.name

    @property
    def python_name(self) -> str:
        """The attribute name in Python models (`class` is a keyword: `class_name`)."""
        return self.name if self.name.isidentifier() and not keyword.iskeyword(self.name) else f"{self.name}_name"


class Use(NamedTuple):
    """A field as a kind takes it. A kind may give the field its own label (an exam's
    `start_date` is its date) or its own values (an exam's `level` is not an olympiad's)."""

    field: Field
    required: bool = False
    label: Text | None = None
    value: Value | None = None
    shared: bool = False  # other institutions that read the pupil see it (docs/ACCESS.md)

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def values(self) -> Value:
        return self.value or self.field.value


def required(field: Field, *, label: Text | None = None, value: Value | None = None, shared: bool = False) -> Use:
    return Use(field, True, label, value, shared)


def optional(field: Field, *, label: Text | None = None, value: Value | None = None, shared: bool = False) -> Use:
    return Use(field, False, label, value, shared)


class AtMost(NamedTuple):
    """A rule over two fields: `field` may not exceed `bound` when the record gives one (reason
    `range` on `field`)."""

    field: str
    bound: str


class Kind(NamedTuple):
    name: str
    # The stored sort key's prefix (`<prefix><sort date>#<record id>`): it puts a person's records
    # in reading order in one Query. Stored data carries it: never change one. A new kind takes a
    # prefix that sorts where it belongs (docs/DATA_MODEL.md, "Reading order").
    prefix: str
    title: Text
    uses: tuple[Use, ...]  # its own fields, in reading order (the common ones follow)
    sort_field: str = "start_date"  # the date that orders it within its kind
    heading: str | None = None  # the field that heads its card (None: the institution's name)
    # Other institutions see the whole record (the document is what a next school needs); else
    # only its `shared` fields, and nothing at all if none is shared.
    whole_to_others: bool = False
    rules: tuple[AtMost, ...] = ()


# --- the fields, in the upload template's column order -----------------------------------------

EVENT_LEVELS = CodeList((
    Code("SCHOOL", text("mokyklos", "school"), ("mokyklinis",)),
    Code("MUNICIPAL", text("savivaldybės", "municipal"), ("miesto", "rajono")),
    Code("NATIONAL", text("šalies", "national"), ("respublikinis", "nacionalinis")),
    Code("INTERNATIONAL", text("tarptautinis", "international"), ("tarptautine",)),
))
EXAM_LEVELS = CodeList(tuple(Code(level, text(level, level))
                             for level in ("A", "B", "A1", "A2", "B1", "B2", "C1", "C2")))
DOCUMENT_TYPES = CodeList((
    Code("MATURITY_CERTIFICATE", text("Brandos atestatas", "Maturity certificate")),
    Code("BASIC_EDUCATION_CERTIFICATE", text("Pagrindinio išsilavinimo pažymėjimas", "Basic education certificate")),
    Code("QUALIFICATION_CERTIFICATE", text("Kvalifikacijos pažymėjimas", "Qualification certificate")),
    Code("VOCATIONAL_DIPLOMA", text("Profesinio mokymo diplomas", "Vocational diploma")),
    Code("LEARNING_ACHIEVEMENT_CERTIFICATE",
         text("Mokymosi pasiekimų pažymėjimas", "Learning achievement certificate")),
))

KIND = Field("kind", text("Įrašo rūšis", "Kind of record"), TextValue(30), "rusis", ("iraso_rusis",))
PERSON_ID = Field("person_id", text("Asmens kodas", "Personal code"), TextValue(20, "person_id"), "asmens_kodas",
                  ("ak",))
GIVEN_NAME = Field("given_name", text("Vardas", "Given name"), TextValue(100, "name"), "vardas", ("first_name",))
FAMILY_NAME = Field("family_name", text("Pavardė", "Family name"), TextValue(100, "name"), "pavarde",
                    ("last_name", "surname"))
BIRTH_DATE = Field("birth_date", text("Gimimo data", "Date of birth"), DateValue(), "gimimo_data")
SOURCE_ID = Field("source_id", text("Įstaigos įrašo numeris", "The institution's record number"),
                  TextValue(100, "source_id"), "iraso_id", ("iraso_nr", "saltinio_id"))
START_DATE = Field("start_date", text("Nuo", "From"), DateValue(), "pradzios_data", ("pradzia", "data"))
END_DATE = Field("end_date", text("Iki", "To"), DateValue(future=True), "pabaigos_data", ("pabaiga",))
PROGRAMME = Field("programme", text("Programa", "Programme"), TextValue(300, "programme"), "programa",
                  ("mokymosi_programa", "program"))
CLASS = Field("class", text("Klasė", "Class"), TextValue(10, "class"), "klase", ("grupe",))
SUBJECT = Field("subject", text("Dalykas", "Subject"), TextValue(200), "dalykas")
LEVEL = Field("level", text("Lygis", "Level"), EVENT_LEVELS, "lygis", ("lygmuo",))
GRADE = Field("grade", text("Įvertinimas", "Grade"), TextValue(20, "grade"), "pazymys", ("ivertinimas",))
SCORE = Field("score", text("Balai", "Score"), IntegerValue(0, 100), "balai", ("balas", "rezultatas"))
PLACE = Field("place", text("Vieta", "Place"), TextValue(100, "place"), "vieta", ("apdovanojimas",))
TITLE = Field("title", text("Pavadinimas", "Title"), TextValue(200), "pavadinimas")
DOCUMENT_TYPE = Field("document_type", text("Dokumentas", "Document"), DOCUMENT_TYPES, "dokumento_tipas",
                      ("dokumentas",))
DOCUMENT_SERIES = Field("document_series", text("Serija", "Series"), TextValue(200), "serija", ("dokumento_serija",))
DOCUMENT_NUMBER = Field("document_number", text("Numeris", "Number"), TextValue(30, "document_number"), "numeris",
                        ("dokumento_numeris",))
ISSUE_DATE = Field("issue_date", text("Išduotas", "Issued"), DateValue(), "isdavimo_data")
TEACHER = Field("teacher", text("Mokytojas", "Teacher"), TextValue(200), "mokytojas", ("mokytojai",))
NOTES = Field("notes", text("Pastabos", "Notes"), TextValue(2000), "pastabos")
LEARNING_FORM = Field("learning_form", text("Mokymosi forma", "Form of learning"), TextValue(200), "mokymosi_forma",
                      ("pagrindine_mokymosi_forma_budas",))
# National achievement tests: NMPP in grades 4, 6 and 8, PUPP in grade 10.
TESTED_GRADES = CodeList((
    Code("4", text("NMPP, 4 klasė", "NMPP, grade 4"), ("4_klase",)),
    Code("6", text("NMPP, 6 klasė", "NMPP, grade 6"), ("6_klase",)),
    Code("8", text("NMPP, 8 klasė", "NMPP, grade 8"), ("8_klase",)),
    Code("10", text("PUPP, 10 klasė", "PUPP, grade 10"), ("10_klase", "pupp")),
))
ACHIEVEMENT_LEVELS = CodeList((
    Code("NOT_SATISFACTORY", text("nepatenkinamas", "not satisfactory"), ("nepasiektas_patenkinamas",)),
    Code("SATISFACTORY", text("patenkinamas", "satisfactory")),
    Code("BASIC", text("pagrindinis", "basic")),
    Code("ADVANCED", text("aukštesnysis", "advanced")),
))
# Why a pupil left: a code list, so the state can tell a pupil who moved school from one who left
# education (docs/STATE.md). Values stored as free text before it was a list read as they were; a
# correction of such a record chooses a code.
LEAVING_REASONS = CodeList((
    Code("MOVED_LT", text("išvyko į kitą Lietuvos mokyklą", "moved to another school in Lithuania"),
         ("perejo_i_kita_mokykla", "isvyko_i_kita_mokykla", "persikele")),
    Code("MOVED_ABROAD", text("išvyko į užsienį", "moved abroad"), ("isvyko_uz_lietuvos_ribu", "emigravo")),
    Code("COMPLETED", text("baigė programą", "completed the programme"), ("baige_mokykla", "baige")),
    Code("OTHER", text("kita", "other")),
))
LEAVING_REASON = Field("leaving_reason", text("Išvykimo priežastis", "Reason for leaving"), LEAVING_REASONS,
                       "isvykimo_priezastis")



def _language(code: str, lithuanian: str, english: str) -> Code:
    """An ISO 639-1 language, named as Lithuanian names it (`lenkų`, also `lenkų kalba`)."""
    return Code(code, text(lithuanian, english), (f"{fold(lithuanian)}_kalba",))


LANGUAGES = CodeList((
    _language("lt", "lietuvių", "Lithuanian"), _language("pl", "lenkų", "Polish"), _language("ru", "rusų", "Russian"),
    _language("en", "anglų", "English"), _language("de", "vokiečių", "German"), _language("fr", "prancūzų", "French"),
    _language("be", "baltarusių", "Belarusian"), _language("uk", "ukrainiečių", "Ukrainian"),
    _language("lv", "latvių", "Latvian"), _language("es", "ispanų", "Spanish"),
))
LANGUAGE_OF_INSTRUCTION = Field("language_of_instruction", text("Mokomoji kalba", "Language of instruction"),
                                LANGUAGES, "mokomoji_kalba", ("mokymo_kalba", "ugdymo_kalba"))
GRADE_LEVEL = Field("grade_level", text("Patikrinimas", "Test"), TESTED_GRADES, "patikrinimo_klase",
                    ("patikrinimas", "tikrinama_klase"))
# Points out of a maximum; without one, the score is a percentage (0–100).
MAX_POINTS = Field("max_points", text("Didžiausias galimas balas", "Maximum points"), IntegerValue(1, 100),
                   "didziausias_balas", ("maksimalus_balas", "max_balai"))

FIELDS: tuple[Field, ...] = (
    KIND, PERSON_ID, GIVEN_NAME, FAMILY_NAME, BIRTH_DATE, SOURCE_ID, START_DATE, END_DATE, PROGRAMME, CLASS, SUBJECT,
    LEVEL, GRADE, SCORE, PLACE, TITLE, DOCUMENT_TYPE, DOCUMENT_SERIES, DOCUMENT_NUMBER, ISSUE_DATE, TEACHER, NOTES,
    LEARNING_FORM, LEAVING_REASON, GRADE_LEVEL, MAX_POINTS, LANGUAGE_OF_INSTRUCTION,
)
# Every record names its kind, the person and the institution's own number for it; these are the
# record's envelope, not its content (`RecordBase` in domain/records.py validates them).
IDENTITY: tuple[Use, ...] = (required(KIND), required(PERSON_ID), optional(GIVEN_NAME), optional(FAMILY_NAME),
                             optional(BIRTH_DATE), required(SOURCE_ID))
# Every kind takes these after its own fields.
COMMON: tuple[Use, ...] = (optional(TEACHER), optional(NOTES))

ON_THE_DAY = text("Data", "Date")  # a one-day event's `start_date`

KINDS: tuple[Kind, ...] = (  # in reading order (their prefixes' order)
    Kind("ENROLLMENT", "1#ENROLLMENT#", text("Lankytos mokyklos", "Institutions attended"), (
        required(START_DATE, shared=True), optional(END_DATE, shared=True), optional(CLASS, shared=True),
        required(PROGRAMME, shared=True), optional(LEARNING_FORM, shared=True),
        optional(LANGUAGE_OF_INSTRUCTION, shared=True), optional(LEAVING_REASON),
    )),
    Kind("SUBJECT", "2#SUBJECT#", text("Pasirenkamieji dalykai", "Elective subjects"), (
        required(SUBJECT), required(START_DATE), optional(END_DATE), optional(GRADE), optional(CLASS),
    ), heading="subject"),
    Kind("EXAM", "3#EXAM#", text("Egzaminai", "Exams"), (
        required(SUBJECT), required(START_DATE, label=ON_THE_DAY), required(SCORE), optional(LEVEL, value=EXAM_LEVELS),
    ), heading="subject"),
    # Between exams (`3#`) and olympiads (`4#`): `#` < `.` < digits (docs/DATA_MODEL.md).
    Kind("NATIONAL_TEST", "3.5#NATIONAL_TEST#",
         text("Nacionaliniai mokinių pasiekimų patikrinimai", "National achievement tests"), (
        required(GRADE_LEVEL), required(SUBJECT), required(START_DATE, label=ON_THE_DAY), required(SCORE),
        optional(MAX_POINTS), optional(LEVEL, label=text("Pasiekimų lygis", "Achievement level"),
                                       value=ACHIEVEMENT_LEVELS),
    ), heading="subject", rules=(AtMost("score", "max_points"),)),
    Kind("OLYMPIAD", "4#OLYMPIAD#", text("Olimpiados", "Olympiads"), (
        required(SUBJECT), required(START_DATE, label=ON_THE_DAY), required(PLACE), optional(LEVEL),
    ), heading="subject"),
    Kind("ACHIEVEMENT", "5#ACHIEVEMENT#", text("Kiti pasiekimai", "Other achievements"), (
        required(TITLE), required(START_DATE), optional(END_DATE), optional(LEVEL),
    ), heading="title"),
    Kind("QUALIFICATION", "6#QUALIFICATION#",
         text("Išsilavinimo ir kvalifikacijos dokumentai", "Diplomas and certificates"), (
        required(DOCUMENT_TYPE), optional(DOCUMENT_SERIES), required(DOCUMENT_NUMBER), required(ISSUE_DATE),
        optional(PROGRAMME), optional(TITLE),
    ), sort_field="issue_date", heading="document_type", whole_to_others=True),
)


# --- derived: computed once, on first use -------------------------------------------------------


@cache
def kinds_by_name() -> Mapping[str, Kind]:
    return {kind.name: kind for kind in KINDS}


def kind_named(name: str) -> Kind:
    return kinds_by_name()[name]


def kind_prefix(name: str) -> str:
    return kinds_by_name()[name].prefix


def uses_of(kind: Kind) -> tuple[Use, ...]:
    """Every field a record of `kind` takes besides its envelope: its own, then the common ones."""
    return kind.uses + COMMON


def template_fields() -> tuple[str, ...]:
    return tuple(field.name for field in FIELDS)


@cache
def stored_fields() -> tuple[Field, ...]:
    """The fields a `Record` item keeps as attributes of their own: all but the envelope."""
    envelope = {use.name for use in IDENTITY}
    return tuple(field for field in FIELDS if field.name not in envelope)


@cache
def header_names() -> Mapping[str, str]:
    """Every header an upload may use, folded → the field it names: the field's name, its
    Lithuanian column, its aliases."""
    found: dict[str, str] = {}
    for field in FIELDS:
        for header in (field.name, field.column_lt, *field.aliases):
            if found.setdefault(fold(header), field.name) != field.name:
                raise ValueError(f"header {header!r} names both {found[fold(header)]} and {field.name}")
    return found


@cache
def shown_to_other_institutions() -> Mapping[str, frozenset[str] | None]:
    """Kind → the fields an institution sees of another institution's record of that kind (None:
    the whole record). Kinds not listed are not shown to other institutions at all."""
    shown: dict[str, frozenset[str] | None] = {}
    for kind in KINDS:
        shared = frozenset(use.name for use in uses_of(kind) if use.shared)
        if kind.whole_to_others:
            shown[kind.name] = None
        elif shared:
            shown[kind.name] = frozenset({"kind"}) | shared
    return shown


def code_labels(field: Field) -> Mapping[str, Text]:
    """A code-list field's codes → their labels."""
    assert isinstance(field.value, CodeList), field.name
    return {code.code: code.label for code in field.value.codes}


# --- the description the pages and integrators read (`GET /schema/records`) ----------------------


def _choice_key(use: Use, code: Code) -> str:
    return f"choice.{use.name}.{code.code}"


def _label_key(kind: Kind | None, use: Use) -> tuple[str, Text]:
    """A field's label and its catalogue key; a kind's own label under its own key."""
    if kind is not None and use.label is not None:
        return f"field.{kind.name}.{use.name}", use.label
    return f"field.{use.name}", use.field.label


@cache
def kind_title(name: str) -> Mapping[str, str]:
    """A kind's title in every language that has it (the history's section titles)."""
    return translated(f"kind.{name}", kind_named(name).title)


def label_of(kind: Kind | None, use: Use) -> dict[str, str]:
    """A field's label in every language that has it."""
    return translated(*_label_key(kind, use))


def declared_texts() -> dict[str, Text]:
    """Every text the record kinds declare, by the catalogue key a further language translates it
    under: kind titles, the labels the pages show, code labels (the untranslated list, tests)."""
    found: dict[str, Text] = dict(_label_key(None, use) for use in IDENTITY)
    for kind in KINDS:
        found[f"kind.{kind.name}"] = kind.title
        for use in uses_of(kind):
            key, label = _label_key(kind, use)
            found[key] = label
            if isinstance(use.values, CodeList):
                found |= {_choice_key(use, code): code.label for code in use.values.codes}
    return found


def _described(kind: Kind | None, use: Use) -> dict[str, Any]:
    values = use.values
    described: dict[str, Any] = {"name": use.name, "label": label_of(kind, use), "type": value_type(values),
                                 "required": use.required}
    if isinstance(values, DateValue):
        described["future"] = values.future
    elif isinstance(values, IntegerValue):
        described |= {"minimum": values.minimum, "maximum": values.maximum}
    elif isinstance(values, TextValue):
        described |= {"max_length": values.max_length, "format": values.form}
    else:
        described["choices"] = [{"code": code.code, "label": translated(_choice_key(use, code), code.label)}
                                for code in values.codes]
    return described


@cache
def schema_document() -> dict[str, Any]:
    """Every kind in reading order with its title and fields (label, type, required, values), and
    the envelope every record carries. Texts are objects by language (`i18n.translated`)."""
    return {
        "identity": [_described(None, use) for use in IDENTITY if use.name != "kind"],
        "kinds": [{"kind": kind.name, "title": kind_title(kind.name),
                   "sort_field": kind.sort_field, "heading": kind.heading,
                   "fields": [_described(kind, use) for use in uses_of(kind)]}
                  for kind in KINDS],
    }
