"""Applying a record change: validate, check access, write the record, its version and the
journal entry in one DynamoDB transaction (all or nothing).

A record is named by (institution, source_id): `record_id_for` derives its id, so a re-submission
updates instead of duplicating; its `RecordHead` says where it lives and at which version, and
every change is conditional on that head as read, so two concurrent writers cannot both win.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain import policy
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.records import AnnulmentInput, RecordBase, validate_record
from chalicelib.domain.text import fold
from chalicelib.domain.transfer import is_transferred
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import transaction
from chalicelib.models.institutions import institution_profile
from chalicelib.models.persons import Person
from chalicelib.models.records import (
    ACTIVE,
    ANNULLED,
    HEAD_KEY,
    Record,
    RecordHead,
    RecordVersion,
    record_head,
    record_key,
    version_key,
    version_partition,
)
from chalicelib.services.access import require
from chalicelib.services.journal import ANNUL, CREATE, UPDATE, Actor, new_event
from chalicelib.services.persons import add_person_writes

# Record attributes that hold template fields (`class` is `class_name` in the model).
FIELD_ATTRIBUTES = {
    "start_date": "start_date", "end_date": "end_date", "issue_date": "issue_date", "programme": "programme",
    "class": "class_name", "learning_form": "learning_form", "leaving_reason": "leaving_reason",
    "subject": "subject", "level": "level", "grade": "grade", "score": "score", "place": "place",
    "title": "title", "document_type": "document_type", "document_series": "document_series",
    "document_number": "document_number", "teacher": "teacher", "notes": "notes",
}


@dataclass(frozen=True)
class Outcome:
    record_id: str
    version: int
    created: bool
    changed: bool


def record_fields(record: Record) -> dict[str, Any]:
    """A stored record as template fields (what the API returns and the journal keeps)."""
    fields: dict[str, Any] = {"kind": record.kind, "source_id": record.source_id}
    for field, attribute in FIELD_ATTRIBUTES.items():
        value = getattr(record, attribute)
        if value is not None:
            fields[field] = int(value) if field == "score" else value
    return fields


def submit_record(
    caller: CallerFacts, institution_id: str, raw: dict[str, Any], correlation_id: str | None = None,
    today: date | None = None,
) -> Outcome:
    actor = _acting(caller, institution_id)
    try:
        record = validate_record(raw, today=today)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    return write_record(record, institution_id, actor, correlation_id)


def write_record(
    record: RecordBase, institution_id: str, actor: Actor, correlation_id: str | None = None, *,
    expected_version: int | None = None,
) -> Outcome:
    """Write a validated record whose access has been decided (API, ingest, demo data)."""
    person, new_person = _person_for(record, actor.person_id)
    return _write(record, person, new_person=new_person, institution_id=institution_id, actor=actor,
                  correlation_id=correlation_id, expected_version=expected_version)


def _acting(caller: CallerFacts, institution_id: str) -> Actor:
    decision = require(policy.write_records(caller, institution_id))
    profile = institution_profile(institution_id)
    if profile is None:
        raise Problem(404, "institution.not_found", "No such institution.")
    return Actor(caller.person_id, decision.acting_role, institution_id, profile.name)


def _located(institution_id: str, record_id: str, head: RecordHead | None = None) -> Record:
    """The current record with this id, if it is this institution's (404 otherwise, whoever's it is)."""
    if head is None and len(record_id) <= 64:
        head = record_head(record_id)
    current = _current(head)
    if current is None or current.institution_id != institution_id:
        raise Problem(404, "record.not_found", "No such record.")
    return current


def _expected_version(body: dict[str, Any]) -> int:
    version = body.pop("version", None)
    if isinstance(version, bool) or not isinstance(version, int):
        reason = "required" if version is None else "type"
        raise invalid([FieldError("version", reason)])
    return version


def correct_record(
    caller: CallerFacts, institution_id: str, record_id: str, body: dict[str, Any], *,
    correlation_id: str | None = None, today: date | None = None,
) -> Outcome:
    """`PUT`: replace a record's fields, given the version read (stale: 409 with the current one)."""
    actor = _acting(caller, institution_id)
    body = dict(body)
    expected = _expected_version(body)
    current = _located(institution_id, record_id)
    source_id = body.setdefault("source_id", current.source_id)
    if source_id != current.source_id:
        raise invalid([FieldError("source_id", "mismatch")])
    if current.status != ACTIVE:
        raise Problem(409, "record.annulled", "The record is annulled; submit a new one instead.")
    try:
        record = validate_record(body, today=today)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    return write_record(record, institution_id, actor, correlation_id, expected_version=expected)


def annul_record(
    caller: CallerFacts, institution_id: str, record_id: str, body: dict[str, Any], correlation_id: str | None = None
) -> Outcome:
    """`DELETE`: annul with a reason. The record leaves the history view; its versions and the
    journal keep it."""
    actor = _acting(caller, institution_id)
    try:
        annulment = validate_model(AnnulmentInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    reason = annulment.reason
    head = record_head(record_id)
    current = _located(institution_id, record_id, head)
    if current.status != ACTIVE:
        return Outcome(record_id, int(current.version), created=False, changed=False)  # annulled already
    expected = annulment.version
    if expected is not None and expected != current.version:
        raise _stale(current)
    now, number = datetime.now(UTC), int(current.version) + 1
    fields = record_fields(current)
    version = RecordVersion(version_partition(record_id), version_key(number), record_id=record_id,
                            version_number=number, owner_person_id=current.person_id,
                            owner_record_key=current.record_key, change=ANNUL, changed_at=now,
                            changed_by=actor.person_id, submitting_institution=institution_id,
                            snapshot=fields | {"status": ANNULLED, "annul_reason": reason})
    if is_transferred(current.kind, current.kind):
        version.queue_for_dakpr(now)  # DAKPR must hear that the document no longer stands
    assert head is not None
    annulled_head = RecordHead(version_partition(record_id), HEAD_KEY, record_id=record_id, version_number=number,
                               owner_person_id=current.person_id, owner_record_key=current.record_key,
                               status=ANNULLED, fingerprint=fingerprint(current.person_id, current.record_key,
                                                                        fields, ANNULLED))
    try:
        with transaction(Record) as tx:
            tx.save(annulled_head, condition=_head_condition(head))
            tx.save(version, condition=RecordVersion.person_id.does_not_exist())
            tx.update(current, actions=[Record.status.set(ANNULLED), Record.annul_reason.set(reason),
                                        Record.version.set(number), Record.updated_at.set(now),
                                        Record.updated_by.set(actor.person_id)],
                      condition=Record.version == current.version)
            tx.save(new_event(current.person_id, ANNUL, actor, record_id=record_id, before=fields,
                              after={"status": ANNULLED, "annul_reason": reason}, correlation_id=correlation_id))
    except TransactWriteError as exc:
        if _conflict(exc):
            raise _stale(_current(record_head(record_id))) from None
        raise
    return Outcome(record_id, number, created=False, changed=True)


def record_with_versions(caller: CallerFacts, institution_id: str, record_id: str) -> dict[str, Any]:
    """A record as its institution sees it, with every earlier version (who, when, what)."""
    require(policy.act_for_institution(caller, institution_id, policy.READ))
    current = _located(institution_id, record_id)
    versions = [
        {"version": int(v.version_number), "change": v.change, "changed_at": v.changed_at.isoformat(),
         "changed_by": v.changed_by, "fields": v.snapshot, "dakpr_state": v.dakpr_state,
         "dakpr_registration_number": v.dakpr_registration_number}
        for v in RecordVersion.query(version_partition(record_id), consistent_read=True)
    ]
    return {"record_id": record_id, "person_id": current.person_id, "institution_id": institution_id,
            "status": current.status, "annul_reason": current.annul_reason, "version": int(current.version),
            "dakpr_registration_number": current.dakpr_registration_number,
            **record_fields(current), "versions": versions}


def person_problems(record: RecordBase, person: Person | None) -> list[FieldError]:
    """Why this record cannot go to this person: a new person needs names (the register would
    otherwise hold a bare code); a known one must have the names given (a typo in a personal code
    must not attach a record to somebody else), case and accents aside."""
    if person is None:
        return [FieldError(f, "required") for f in ("given_name", "family_name") if not getattr(record, f)]
    return [FieldError(f, "mismatch") for f in ("given_name", "family_name")
            if getattr(record, f) and fold(getattr(record, f)) != fold(getattr(person, f))]


def person_from_record(record: RecordBase, changed_by: str, now: datetime) -> Person:
    """A new person from a record's names, with sex and birth date from the personal code."""
    try:
        code = parse_personal_code(record.person_id)
        birth, sex = (code.birth_date.isoformat() if code.birth_date else None), code.sex
    except PersonalCodeError:
        birth, sex = None, None  # a register-issued id carries no date
    if record.birth_date:
        birth = record.birth_date.isoformat()
    return Person(record.person_id, given_name=record.given_name, family_name=record.family_name, birth_date=birth,
                  sex=sex, source="INSTITUTION", created_at=now, updated_at=now, updated_by=changed_by)


def _person_for(record: RecordBase, changed_by: str) -> tuple[Person, bool]:
    """The record's person: the register's, checked against the names given; or a new one."""
    try:
        person: Person | None = Person.get(record.person_id, consistent_read=True)
    except Person.DoesNotExist:
        person = None
    problems = person_problems(record, person)
    if problems:
        raise invalid(problems)
    if person is None:
        return person_from_record(record, changed_by, datetime.now(UTC)), True
    return person, False


@dataclass(frozen=True)
class RecordItems:
    """The items one version of a record consists of."""

    record: Record
    version: RecordVersion
    head: RecordHead


def fingerprint(person_id: str, key: str, fields: dict[str, Any], status: str = ACTIVE) -> str:
    content = json.dumps([person_id, key, fields, status], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def record_items(
    record: RecordBase, person_id: str, institution_id: str, actor: Actor, *, number: int, now: datetime,
    current: Record | None = None,
) -> RecordItems:
    """Version `number` of a record as DynamoDB items (API transactions and bulk ingest alike)."""
    record_id = record_id_for(institution_id, record.source_id)
    fields = record.fields()
    key = record_key(record.kind.value, record.sort_date.isoformat(), record_id)
    item = Record(person_id, key, record_id=record_id, kind=record.kind.value, institution_id=institution_id,
                  institution_name=actor.institution_name, source_id=record.source_id, status=ACTIVE,
                  created_at=current.created_at if current else now,
                  created_by=current.created_by if current else actor.person_id,
                  updated_at=now, updated_by=actor.person_id, version=number)
    for field, attribute in FIELD_ATTRIBUTES.items():
        setattr(item, attribute, fields.get(field))
    version = RecordVersion(version_partition(record_id), version_key(number), record_id=record_id,
                            version_number=number, owner_person_id=person_id, owner_record_key=key,
                            change=UPDATE if current else CREATE, changed_at=now, changed_by=actor.person_id,
                            submitting_institution=institution_id, snapshot=fields)
    if is_transferred(record.kind.value, current.kind if current else None):
        version.queue_for_dakpr(now)  # written with the version: no change without its delivery
    head = RecordHead(version_partition(record_id), HEAD_KEY, record_id=record_id, version_number=number,
                      owner_person_id=person_id, owner_record_key=key, status=ACTIVE,
                      fingerprint=fingerprint(person_id, key, fields))
    return RecordItems(item, version, head)


def _head_condition(head: RecordHead | None) -> Any:
    """Every change is conditional on the head as read: the guard against concurrent writers."""
    if head is None:
        return RecordHead.person_id.does_not_exist()
    return RecordHead.version_number == head.version_number


def _write(
    record: RecordBase, person: Person, *, new_person: bool, institution_id: str, actor: Actor,
    correlation_id: str | None, expected_version: int | None = None,
) -> Outcome:
    record_id = record_id_for(institution_id, record.source_id)
    fields = record.fields()
    key = record_key(record.kind.value, record.sort_date.isoformat(), record_id)
    head = record_head(record_id)
    current = _current(head)
    if expected_version is not None and (current is None or int(current.version) != expected_version):
        raise _stale(current)
    if head is not None and head.fingerprint == fingerprint(person.person_id, key, fields) and current is not None:
        # The same row again (a retried request, a re-uploaded file): nothing changes twice.
        return Outcome(record_id, int(current.version), created=False, changed=False)

    number = int(head.version_number) + 1 if head else 1
    items = record_items(record, person.person_id, institution_id, actor, number=number, now=datetime.now(UTC),
                         current=current)
    before = record_fields(current) if current else None
    try:
        with transaction(Record) as tx:
            if new_person:
                add_person_writes(tx, person, new=True)
            tx.save(items.head, condition=_head_condition(head))
            tx.save(items.version, condition=RecordVersion.person_id.does_not_exist())
            if current is None:
                tx.save(items.record, condition=Record.person_id.does_not_exist())
            elif (current.person_id, current.record_key) != (person.person_id, key):
                # The sort date or the person changed: the record moves to its new key.
                tx.delete(current, condition=Record.version == current.version)
                tx.save(items.record, condition=Record.person_id.does_not_exist())
            else:
                tx.save(items.record, condition=Record.version == current.version)
            tx.save(new_event(person.person_id, UPDATE if current else CREATE, actor, record_id=record_id,
                              before=before, after=fields, correlation_id=correlation_id))
            if current is not None and current.person_id != person.person_id:
                tx.save(new_event(current.person_id, UPDATE, actor, record_id=record_id, before=before,
                                  after={"moved_to_another_person": True}, correlation_id=correlation_id))
    except TransactWriteError as exc:
        if _conflict(exc):
            raise _stale(_current(record_head(record_id))) from None
        raise
    return Outcome(record_id, number, created=current is None, changed=True)


def _stale(current: Record | None) -> Problem:
    version = int(current.version) if current is not None else None
    return Problem(409, "record.conflict", "The record was changed meanwhile: read it again and reapply your change.",
                   extra={"current_version": version})


def _current(head: RecordHead | None) -> Record | None:
    if head is None:
        return None
    try:
        return Record.get(head.owner_person_id, head.owner_record_key, consistent_read=True)
    except Record.DoesNotExist:
        return None


def _conflict(exc: TransactWriteError) -> bool:
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)
