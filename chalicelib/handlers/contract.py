"""The HTTP contract: response models the handlers shape their answers with, and the metadata each
route declares (`documented`). `GET /openapi.json` is generated from exactly these and from
Chalice's own route table, so the description cannot drift from the code: a route without
metadata fails a test, and a response that does not fit its model fails at the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_serializer

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def shaped(model: type[M], data: Any) -> dict[str, Any]:
    """`data` checked against `model` and returned as JSON-ready data."""
    result: dict[str, Any] = model.model_validate(data).model_dump(mode="json", by_alias=True)
    return result


class Health(Out):
    status: str


class Jwks(Out):
    keys: list[dict[str, str]]


class Child(Out):
    person_id: str
    given_name: str | None
    family_name: str | None


class Me(Out):
    person_id: str
    given_name: str | None
    family_name: str | None
    roles: list[str]
    institutions: list[str]
    children: list[Child] = []


class PersonOut(Out):
    person_id: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: str | None = None


class RecordFields(Out):
    """A record's own fields, named as in the upload template. Absent fields are left out."""

    kind: str
    source_id: str
    start_date: str | None = None
    end_date: str | None = None
    issue_date: str | None = None
    programme: str | None = None
    class_name: str | None = Field(default=None, alias="class")
    learning_form: str | None = None
    leaving_reason: str | None = None
    subject: str | None = None
    level: str | None = None
    grade: str | None = None
    score: int | None = None
    place: str | None = None
    title: str | None = None
    document_type: str | None = None
    document_series: str | None = None
    document_number: str | None = None
    teacher: str | None = None
    notes: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None or k in self._always}

    _always: frozenset[str] = frozenset()


class RecordOut(RecordFields):
    record_id: str
    institution_id: str
    institution_name: str | None = None
    version: int
    dakpr_registration_number: str | None = None  # qualifications, once DAKPR registered them


class Title(Out):
    lt: str
    en: str


class Section(Out):
    kind: str
    title: Title
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


class JournalEventOut(Out):
    at: str
    action: str
    actor: JournalActor
    purpose: str | None
    record_id: str | None
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
    municipality: str


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
    name: str


class Representatives(Out):
    representatives: list[Representative]


class StaffOut(Out):
    institution_id: str
    person_id: str


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


class ReportLine(Out):
    line: int
    column: str
    code: str
    message: str
    message_lt: str


class ReportLinks(Out):
    json_url: str = Field(alias="json")
    csv: str


class UploadStatus(Out):
    upload_id: str
    file_name: str
    dry_run: bool
    status: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    errors: list[ReportLine]
    failure_reason: str | None
    report: ReportLinks | None = None


class UploadInput(BaseModel):
    """`POST /institutions/{iid}/uploads`."""

    model_config = ConfigDict(extra="forbid")

    file_name: str = Field(max_length=100, pattern=r"^[\w][\w .\-()+]{0,99}\.(csv|xlsx|CSV|XLSX)$")
    dry_run: bool = False


class FieldProblem(Out):
    field: str
    code: str
    message: str
    message_lt: str


class ProblemOut(Out):
    """RFC 9457 problem details, with the register's stable `code` and every field problem."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem]
    correlation_id: str
    current_version: int | None = None


@dataclass(frozen=True)
class RouteDoc:
    summary: str
    response: type[BaseModel] | None = None
    status: int = 200
    request: Any = None  # a pydantic model or a type for TypeAdapter
    errors: tuple[int, ...] = ()
    auth: bool = True
    query: tuple[tuple[str, str], ...] = ()  # (name, description)
    headers: tuple[tuple[str, str], ...] = ()
    request_type: str = "application/json"
    response_types: tuple[str, ...] = ("application/json",)
    extra_statuses: dict[int, str] = field(default_factory=dict)


def documented(doc: RouteDoc) -> Callable[[F], F]:
    """Attach the route's contract to its view function (read by `openapi.build_spec`)."""

    def attach(view: F) -> F:
        view.__dict__["__route_doc__"] = doc
        return view

    return attach


PAGING = (("limit", "page size, 1-100 (default 50)"), ("cursor", "next_cursor of the previous page"))
PURPOSE = ("purpose", "why the data is read (required of the ministry)")


def _corrections() -> Any:
    from functools import reduce
    from operator import or_

    from chalicelib.domain.records import KIND_MODELS, correction_model

    return reduce(or_, (correction_model(model) for model in KIND_MODELS.values()))


RECORD_CORRECTION = _corrections()
