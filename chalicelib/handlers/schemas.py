"""Response and request models of the HTTP contract (pydantic). Imported only when a handler
shapes an answer or `GET /openapi.json` is built, never when the app is loaded: routes name their
models as strings (`contract.RouteDoc`), so a cold start does not pay for pydantic's model building.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_serializer

# Request models defined with the rules they carry, named here for the routes.
from chalicelib.domain.applications import ApplicationInput, ApprovalInput, RejectionInput
from chalicelib.domain.institutions import (
    AuditInput,
    InstitutionInput,
    MinistryStaffInput,
    OfficialInput,
    PermitInput,
    StaffInput,
)
from chalicelib.domain.kinds import Field as DeclaredField
from chalicelib.domain.kinds import IntegerValue, stored_fields
from chalicelib.domain.persons import PersonInput
from chalicelib.domain.records import RECORD_INPUT, AnnulmentInput


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Health(Out):
    status: str


class OfferedLanguage(Out):
    code: str
    name: str = Field(description="the language's name in itself")
    switch: str = Field(description="'switch to this language', in that language")


class PageTexts(Out):
    language: str
    languages: list[OfferedLanguage]
    texts: dict[str, str] = Field(description="key → text; keys the language does not translate, in Lithuanian")


class Jwks(Out):
    keys: list[dict[str, str]]


class Child(Out):
    person_id: str
    given_name: str | None
    family_name: str | None


class Municipality(Out):
    code: str = Field(description="ISO 3166-2:LT code, e.g. LT-57")
    name: dict[str, str] = Field(description="the municipality's name by language")


class Municipalities(Out):
    municipalities: list[Municipality]


class ActsFor(Out):
    institution_id: str
    name: str
    role: str = Field(description="the staff entry's role: REPRESENTATIVE or ADMINISTRATOR")
    scopes: list[str] = Field(description="what the institution's valid permits allow today: read, write; "
                                          "empty when none is valid")


class Me(Out):
    person_id: str
    given_name: str | None
    family_name: str | None
    roles: list[str]
    institutions: list[str] = Field(description="ids of the institutions the caller acts for with a valid permit")
    acts_for: list[ActsFor] = Field(default=[], description="every institution the caller is staff of today")
    children: list[Child] = []
    municipalities: list[Municipality] = Field(default=[], description="where the caller is an official today")


class PersonOut(Out):
    person_id: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: str | None = None


class RecordEnvelope(Out):
    """A record's own fields, named as in the upload template. Absent fields are left out."""

    kind: str
    # Absent on another institution's record in a representative's view (docs/ACCESS.md).
    source_id: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None or k in self._always}

    _always: frozenset[str] = frozenset()


def _answered(field: DeclaredField) -> tuple[Any, Any]:
    """A declared field as answers carry it: dates as ISO text, integers as numbers, else text."""
    answered = int if isinstance(field.value, IntegerValue) else str
    alias = field.name if field.python_name != field.name else None
    return answered | None, Field(default=None, alias=alias)


if TYPE_CHECKING:
    RecordFields = RecordEnvelope
else:
    # Every declared field (domain/kinds.py), optional: which apply depends on the kind.
    RecordFields = create_model("RecordFields", __base__=RecordEnvelope,
                                **{field.python_name: _answered(field) for field in stored_fields()})


class RecordOut(RecordFields):
    record_id: str
    institution_id: str
    institution_name: str | None = None
    version: int
    dakpr_registration_number: str | None = None  # qualifications, once DAKPR registered them


class Texts(BaseModel):
    """A text in every language that has it: Lithuanian and English always, a further language
    when its catalogue translates it (chalicelib/domain/i18n.py)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str]
    lt: str
    en: str


class Section(Out):
    kind: str
    title: Texts
    record_ids: list[str]


class History(Out):
    person: PersonOut
    records: list[RecordOut]
    sections: list[Section]
    next_cursor: str | None


class JournalActor(Out):
    role: str
    institution_id: str | None = None
    institution_name: str | None = None


class JournalEntry(Out):
    """What a journal entry shows to whoever may see it (the person, an auditor)."""

    at: str
    action: str
    actor: JournalActor
    purpose: str | None
    record_id: str | None


class JournalEventOut(JournalEntry):
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Journal(Out):
    events: list[JournalEventOut]
    next_cursor: str | None


class RecordSaved(Out):
    record_id: str
    version: int
    status: str | None = None


class VersionOut(Out):
    version: int
    change: str
    changed_at: str
    changed_by: str
    fields: dict[str, Any]
    dakpr_state: str | None = None  # PENDING / DELIVERED / DEAD / SUPERSEDED (qualifications)
    dakpr_registration_number: str | None = None


class RecordDetail(RecordFields):
    _always = frozenset({"annul_reason"})

    record_id: str
    person_id: str
    institution_id: str
    status: str
    annul_reason: str | None = None
    version: int
    dakpr_registration_number: str | None = None
    versions: list[VersionOut]


class PersonSaved(Out):
    person_id: str
    version: int


class InstitutionOut(Out):
    institution_id: str
    name: str
    legal_entity_code: str
    municipality: str = Field(description="ISO 3166-2:LT code, e.g. LT-57 (docs/STATE.md section 2)")
    municipality_name: dict[str, str] = Field(description="the municipality's name by language")


class PermitOut(Out):
    permit_id: str
    scope: list[str]
    valid_from: str
    valid_to: str
    state: str


class Permits(Out):
    permits: list[PermitOut]


class Institutions(Out):
    institutions: list[InstitutionOut]


class Representative(Out):
    person_id: str
    name: str | None = Field(description="the register's name: the ministry's view only (others see the code)")
    role: str  # REPRESENTATIVE or ADMINISTRATOR
    valid_from: str | None  # ISO dates, inclusive; none: holds until removed
    valid_to: str | None


class Representatives(Out):
    representatives: list[Representative]


class StaffOut(Out):
    institution_id: str
    person_id: str
    role: str
    valid_from: str | None
    valid_to: str | None


class GrantedPermit(Out):
    permit_id: str
    scope: list[str]
    valid_from: str
    valid_to: str


class ExistingInstitution(Out):
    institution_id: str
    name: str
    legal_entity_code: str
    administrators: int = Field(description="how many administrators it has today (valid entries)")


class ApplicationOut(Out):
    """A permit application (docs/APPLICATIONS.md). The last four are the ministry's only."""

    application_id: str
    legal_entity_code: str
    name: str
    municipality: str = Field(description="ISO 3166-2:LT code, e.g. LT-57")
    municipality_name: dict[str, str]
    scope: list[str] = Field(description="asked for")
    purpose: str
    programmes: list[str]
    responsible_person_id: str
    status: Literal["PENDING", "APPROVED", "REJECTED"]
    submitted_at: str
    reason: str | None = Field(description="the ministry's reason, if it gave one")
    decided_at: str | None
    institution_id: str | None = Field(description="approved: the institution it acted on")
    permit: GrantedPermit | None
    you_administer: bool = Field(description="whether the caller is that institution's administrator now")
    applicant_id: str | None = None
    applicant_name: str | None = None
    responsible_name: str | None = None
    existing_institution: ExistingInstitution | None = Field(
        default=None, description="the institution already registered under the legal entity code, if any")


class Applications(Out):
    applications: list[ApplicationOut]
    next_cursor: str | None


class LogActor(Out):
    role: str
    person_id: str | None = Field(default=None, description="the ministry's view only")


class LogEntryOut(Out):
    at: str
    event: str
    actor: LogActor
    person_id: str | None = Field(description="whom the step concerns (a staff entry's person)")
    person_name: str | None = Field(description="the register's name of that person: the ministry's view only")
    details: dict[str, Any]


class InstitutionLog(Out):
    entries: list[LogEntryOut]
    next_cursor: str | None


class OfficialOut(Out):
    municipality: str
    person_id: str
    valid_from: str
    valid_to: str


class Official(Out):
    person_id: str
    name: str
    valid_from: str
    valid_to: str


class Officials(Out):
    officials: list[Official]


class MinistryAppointmentOut(Out):
    role: str = Field(description="ADMINISTRATOR, OFFICIAL or AUDITOR")
    person_id: str
    valid_from: str
    valid_to: str


class MinistryAppointment(MinistryAppointmentOut):
    name: str
    valid_today: bool


class MinistryStaff(Out):
    staff: list[MinistryAppointment]


class MinistryLogEntry(Out):
    at: str
    action: str = Field(description="APPOINTED, CHANGED or REMOVED")
    role: str = Field(description="ADMINISTRATOR, OFFICIAL or AUDITOR")
    person_id: str = Field(description="the person appointed, changed or removed")
    valid_from: str = Field(description="the appointment's validity (for a removal, the one removed)")
    valid_to: str
    acted_by: str = Field(description="the ministry administrator's personal code, or MINISTRY_STAFF for a bootstrap")


class MinistryLog(Out):
    entries: list[MinistryLogEntry]
    next_cursor: str | None


class AuditPerson(Out):
    person_id: str
    given_name: str | None = None
    family_name: str | None = None


class AuditUpload(Out):
    upload_id: str
    file_name: str


class AuditEvent(JournalEntry):
    individual: AuditPerson | None = Field(description="the person who acted (for an upload's entries, "
                                                           "the representative who uploaded the file)")
    system: str | None = Field(description="the register's own actor, when no person acted")
    upload: AuditUpload | None


class AuditJournal(Out):
    person: AuditPerson
    case: str
    events: list[AuditEvent]
    next_cursor: str | None


class MunicipalityInstitution(Out):
    institution_id: str
    name: str


class MunicipalityOut(Municipality):
    institutions: list[MunicipalityInstitution]


class TokenOut(Out):
    access_token: str
    token_type: str
    expires_in: int


class GatewayPostback(BaseModel):
    """What the state gateway posts back to `/auth/callback` (form-encoded)."""

    ticket: str = Field(max_length=512)
    customData: str = Field(max_length=200)


class UploadStarted(Out):
    upload_id: str
    method: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class Messages(BaseModel):
    """What a person reads, by language: Lithuanian and English always, a further language where
    its catalogue translates it (a reader falls back to Lithuanian)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, str] = Field(init=False)

    lt: str
    en: str


class ReportLine(Out):
    line: int
    column: str
    code: str
    messages: Messages


class ReportLinks(Out):
    json_url: str = Field(alias="json")
    csv: str


class UploadFacts(Out):
    """What every view of an upload carries."""

    upload_id: str
    file_name: str
    dry_run: bool
    status: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    failure_reason: str | None
    report: ReportLinks | None = None


class UploadStatus(UploadFacts):
    """One upload, with its first problems."""

    errors: list[ReportLine]


class UploadSummary(UploadFacts):
    """An upload as the institution's list shows it."""

    created_at: str


class Uploads(Out):
    uploads: list[UploadSummary]
    next_cursor: str | None


class LastUpload(Out):
    upload_id: str
    at: str | None
    status: str | None
    rows_written: int
    rows_rejected: int


class Activity(Out):
    institution_id: str
    last_api_change_at: str | None
    last_upload: LastUpload | None
    open_enrolments: int | None = Field(description="as of the last nightly pass; null until it has run")
    open_movements: int | None = Field(description="open movement items, as of the last nightly pass")
    overdue: bool
    overdue_reasons: list[str] = Field(description="no_recent_change, annual_report_missing (docs/STATE.md)")
    overdue_texts: list[dict[str, str]] = Field(description="each reason in words, by language")
    open_enrolments_on: str | None = Field(None, description="the day of the nightly pass that counted them")


class ReportingRow(Activity):
    name: str
    municipality: str
    municipality_name: dict[str, str]


class Reporting(Out):
    institutions: list[ReportingRow]
    next_cursor: str | None = Field(description="filters apply within a page: a page may hold fewer rows, even none")


class MovementInstitution(Out):
    institution_id: str
    name: str | None


class SchoolMovement(Out):
    side: Literal["left", "arrived"] = Field(description="left: the pupil left for `to_institution` — close "
                                                          "the enrolment `record_id`; arrived: from `from_institution`")
    record_id: str = Field(description="this institution's enrolment record of the pupil")
    # The rest is null unless the institution may read the pupil now (a school they attend or left
    # within FORMER_SCHOOL_ACCESS_MONTHS, not disputed): otherwise the record id alone.
    person_id: str | None = Field(default=None, description="null: this institution may not read the pupil now")
    given_name: str | None = None
    family_name: str | None = None
    from_institution: MovementInstitution | None = None
    to_institution: MovementInstitution | None = None
    arrived_on: str | None = Field(default=None, description="the new enrolment's start date")
    opened_at: str = Field(description="the date the item was opened")


class InstitutionMovements(Out):
    movements: list[SchoolMovement]
    next_cursor: str | None


class StateMovement(Out):
    """Nothing of the pupil: the state chases the old school, which knows whom (docs/STATE.md)."""

    from_institution: MovementInstitution
    to_institution: MovementInstitution
    municipality: str | None = Field(description="the old school's municipality code")
    municipality_name: dict[str, str] | None
    arrived_on: str
    opened_at: str


class OverdueMovements(Out):
    movements: list[StateMovement]
    overdue_days: int
    next_cursor: str | None


class OutsideChild(Out):
    """A school-age resident with no open enrolment (docs/STATE.md section 5)."""

    person_id: str
    given_name: str | None = Field(description="from the register's persons; null if the register never met them")
    family_name: str | None
    birth_date: str
    age: int = Field(description="full years on `listed_on`")
    last_institution_id: str | None = Field(description="null: never enrolled")
    last_institution_name: str | None
    leaving_reason: str | None = Field(description="MOVED_LT, MOVED_ABROAD, COMPLETED, OTHER (or text stored before)")
    since: str | None = Field(description="the last enrolment's end date; null if never enrolled")
    listed_on: str = Field(description="the day of the refresh that listed the child")


class OutsideEducation(Out):
    municipality: str
    municipality_name: dict[str, str]
    children: list[OutsideChild]
    next_cursor: str | None


class OutsideCountRow(Out):
    municipality: str
    municipality_name: dict[str, str]
    children: int


class OutsideCounts(Out):
    date: str
    total: int
    municipalities: list[OutsideCountRow] = Field(description="municipalities with at least one child on the list")


class StatisticsCount(Out):
    grade: int | None = Field(description="grade level (1-12) from the class; null: the class names none")
    programme: str | None
    learning_form: str | None
    sex: Literal["F", "M"] | None = Field(description="from the personal code; null for register-issued ids")
    count: int


class StatisticsInstitution(Out):
    institution_id: str
    name: str | None
    municipality: str
    municipality_name: dict[str, str]
    total: int
    counts: list[StatisticsCount]


class GradeCount(Out):
    grade: int | None
    count: int


class SexCount(Out):
    sex: str | None
    count: int


class ProgrammeCount(Out):
    programme: str | None
    count: int


class FormCount(Out):
    learning_form: str | None
    count: int


class Statistics(Out):
    date: str
    municipality: str | None = Field(description="null: national")
    municipality_name: dict[str, str] | None
    computed_at: str
    total: int
    by_grade: list[GradeCount]
    by_sex: list[SexCount]
    by_programme: list[ProgrammeCount]
    by_learning_form: list[FormCount]
    institutions: list[StatisticsInstitution]


class OpenCell(Out):
    grade: int | str = Field(description="grade level, `-` (no grade named) or `TOTAL`")
    count: int | None = Field(description="null: withheld (below 5, or so that no withheld count can be derived)")


class OpenRow(Out):
    institution_id: str | None = Field(description="null: the municipality's totals")
    name: str | None
    cells: list[OpenCell]


class OpenTable(Out):
    municipality: str
    municipality_name: dict[str, str] | None
    grades: list[int | str]
    rows: list[OpenRow]


class OpenStatistics(Out):
    date: str
    computed_at: str
    tables: list[OpenTable]


class UploadInput(BaseModel):
    """`POST /institutions/{iid}/uploads`."""

    model_config = ConfigDict(extra="forbid")

    file_name: str = Field(max_length=100, pattern=r"^[\w][\w .\-()+]{0,99}\.(csv|xlsx|CSV|XLSX)$")
    dry_run: bool = False


class FieldProblem(Out):
    field: str
    code: str
    messages: Messages


class ProblemOut(Out):
    """RFC 9457 problem details, with the register's stable `code`, its messages by language and
    every field problem."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    messages: Messages
    errors: list[FieldProblem]
    correlation_id: str
    current_version: int | None = None


# --- shares ---


class ShareInput(BaseModel):
    record_ids: list[str]
    expires_on: str


class ShareCreated(Out):
    share_id: str
    url: str
    expires_on: str
    record_ids: list[str]


class ShareOut(Out):
    share_id: str
    record_ids: list[str]
    expires_on: str
    revoked: bool
    views: int


class Shares(Out):
    shares: list[ShareOut]


class SharedPerson(Out):
    """Names only: the person's id (a personal code) is not shown to whoever holds the link."""

    given_name: str | None = None
    family_name: str | None = None


class SharedView(Out):
    person: SharedPerson
    records: list[RecordOut]
    expires_on: str


# --- transcripts ---


class Transcript(Out):
    transcript: str
    media_type: str = "application/vc+jwt"


class TranscriptToCheck(BaseModel):
    transcript: str = Field(max_length=2 * 1024 * 1024)


class WithdrawnRecord(Out):
    """A record of the transcript that no longer stands as issued: `annulled` (or gone) or `changed`."""

    record_id: str
    change: Literal["annulled", "changed"]
    record: dict[str, object]  # as the transcript states it


class Verified(Out):
    """`valid`: signed by the register, unchanged, and none of its records annulled or changed since
    issue; `withdrawn` says which were."""

    valid: bool
    issued_at: int
    subject: str | None = None  # the personal code, if the holder put it in
    credential: dict[str, object]
    withdrawn: list[WithdrawnRecord] = []


# --- record kinds (`GET /schema/records`) ---


class Choice(Out):
    code: str
    label: Texts


class FieldDescription(Out):
    """A field as a form would ask for it: its label, its type and what it takes."""

    name: str
    label: Texts
    type: Literal["date", "integer", "text", "code"]
    required: bool
    future: bool | None = None  # date: may lie ahead (a planned end)
    minimum: int | None = None  # integer
    maximum: int | None = None
    max_length: int | None = None  # text
    format: str | None = None  # text of a checked shape (class, programme, person_id, ...)
    choices: list[Choice] | None = None  # code: the codes and their labels


class KindDescription(Out):
    kind: str
    title: Texts
    sort_field: str  # the date that orders the kind's records
    heading: str | None  # the field that heads a record's card; None: the institution's name
    fields: list[FieldDescription]  # its own fields, then the common ones, in reading order


class RecordSchema(Out):
    """Every kind of record, in reading order; `identity`: the envelope every record carries."""

    identity: list[FieldDescription]
    kinds: list[KindDescription]


# --- transfer ---


class DeadLetter(Out):
    delivery_id: str
    record_id: str
    version: int
    institution_id: str
    attempts: int
    last_error: str | None
    dead_since: str | None


class DeadLetters(Out):
    dead_letters: list[DeadLetter]
    next_cursor: str | None


class Replayed(Out):
    delivery_id: str
    state: str


def _corrections() -> Any:
    from functools import reduce
    from operator import or_

    from chalicelib.domain.records import KIND_MODELS, correction_model

    return reduce(or_, (correction_model(model) for model in KIND_MODELS.values()))


RECORD_CORRECTION = _corrections()


__all__ = ["RECORD_INPUT", "AnnulmentInput", "ApplicationInput", "ApprovalInput", "AuditInput", "InstitutionInput",
           "MinistryStaffInput", "OfficialInput", "PermitInput", "PersonInput", "RejectionInput", "StaffInput"]
