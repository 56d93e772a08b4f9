"""The data-protection auditor's lookup (docs/ACCESS.md, "Ministry roles"): for a stated case, which
individual stood behind each entry of a person's journal.

The person sees their journal with the institution that acted, never the official; the auditor, who
answers a complaint, sees the acting person's name and personal code — for an upload's entries, the
representative who uploaded the file. Only the journal: no history, no record's content (an entry's
before/after stays out). Every page looked at is first journaled on the person's own journal
(action AUDIT, role auditor, the case as purpose): a lookup that cannot be journaled is not answered.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.institutions import AuditInput
from chalicelib.domain.person_id import person_id_error
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.journal import JournalEvent
from chalicelib.models.persons import Person
from chalicelib.models.uploads import Upload
from chalicelib.services.access import require
from chalicelib.services.journal import (
    ANNUL,
    AUDIT,
    CREATE,
    RECORDS,
    UPDATE,
    Actor,
    entries,
    journal_events,
    journal_read,
)
from chalicelib.services.persons import find_person

# Entries an upload writes keep the upload's id as their correlation id (services/ingest.py); an
# item listing a pupil's records (RECORDS) is shown as one entry per record, each naming the upload.
WRITES = frozenset({CREATE, UPDATE, ANNUL, RECORDS})


def audit_journal(caller: CallerFacts, body: dict[str, Any], correlation_id: str | None) -> dict[str, Any]:
    """`POST /audit/journal`: one page of the person's journal with who stood behind each entry."""
    case = body.get("case")
    # Who may, first: a non-auditor learns nothing from how their body is wrong. No case → 400.
    require(policy.audit_journal(caller, case.strip() if isinstance(case, str) else None))
    try:
        asked = validate_model(AuditInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    require(policy.audit_person(caller, asked.person_id))
    person = find_person(asked.person_id)
    if person is None:
        raise Problem(P.person.not_found)
    try:
        journal_read(person.person_id, Actor(caller.person_id, "auditor"), asked.case, correlation_id, action=AUDIT)
    except PynamoDBException:
        raise Problem(P.journal.unavailable) from None  # fail closed: no unjournaled lookup
    events, following = journal_events(person.person_id, f"audit:{caller.person_id}:{person.person_id}",
                                       asked.cursor, asked.limit)
    return {"person": {"person_id": person.person_id, "given_name": person.given_name,
                       "family_name": person.family_name},
            "case": asked.case, "events": _behind(events), "next_cursor": following}


def _behind(events: list[JournalEvent]) -> list[dict[str, Any]]:
    uploads = _uploads({e.correlation_id for e in events if e.action in WRITES and e.correlation_id})
    shown: list[dict[str, Any]] = []
    for event in events:
        person = event.actor_id if person_id_error(event.actor_id) is None else None
        upload = uploads.get(event.correlation_id or "") if event.action in WRITES else None
        # A correlation id comes from the request; an upload counts only if it is this entry's own.
        if upload is not None and (upload.institution_id != event.institution_id
                                   or (person is not None and upload.uploaded_by != person)):
            upload = None
        if upload is not None:
            person = upload.uploaded_by
        for entry in entries(event):
            del entry["before"], entry["after"]  # who, not what: the records' content is not the auditor's
            entry |= {"individual": {"person_id": person} if person else None,  # each entry its own dict
                      "system": None if person else event.actor_id,
                      "upload": {"upload_id": upload.upload_id, "file_name": upload.file_name} if upload else None}
            shown.append(entry)
    names = _names({e["individual"]["person_id"] for e in shown if e["individual"]})
    for entry in shown:
        if entry["individual"]:
            entry["individual"] |= names.get(entry["individual"]["person_id"], {"given_name": None,
                                                                                "family_name": None})
    return shown


def _uploads(ids: set[str]) -> dict[str, Upload]:
    return {upload.upload_id: upload for upload in Upload.batch_get(ids)} if ids else {}


def _names(person_ids: set[str]) -> dict[str, dict[str, str | None]]:
    if not person_ids:
        return {}
    return {p.person_id: {"given_name": p.given_name, "family_name": p.family_name}
            for p in Person.batch_get(person_ids)}
