"""The journal: every change to a person's records and every read of their data by someone else.

Reads are journaled before the data is returned, in the same request: if the journal cannot be
written, the data is not given out (fail closed). Changes are journaled in the same DynamoDB
transaction as the change itself (`services/records.py`).

A change through the API is one entry. An upload journals a pupil's changes in one chunk of the file
as one item listing them (action `RECORDS`, `listing_event`): half the items of a typical file,
which has two rows per pupil. Readers expand it (`entries`): the person and the auditor see one
entry per record, as if each had been written alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.models.journal import JournalEvent, event_key
from chalicelib.services.paging import next_cursor, start_key

READ, CREATE, UPDATE, ANNUL, EXPORT = "READ", "CREATE", "UPDATE", "ANNUL", "EXPORT"
TRANSFER = "TRANSFER"  # passed to another register (DAKPR)
AUDIT = "AUDIT"  # a data-protection auditor saw who stood behind the journal's entries (services/audit.py)
# A ministry administrator appointed the person to a ministry role, changed or removed it (services/ministry.py);
# the name the register holds is read at appointment, which this entry also stands for.
MINISTRY_ROLE = "MINISTRY_ROLE"
# One item listing several records' changes (an upload's, per pupil per chunk); never shown as such.
RECORDS = "RECORDS"


@dataclass(frozen=True)
class Actor:
    """Who acted. `person_id` is kept for audits and never shown to the person the event is about."""

    person_id: str
    role: str
    institution_id: str | None = None
    institution_name: str | None = None


def new_event(
    person_id: str, action: str, actor: Actor, *, purpose: str | None = None, record_id: str | None = None,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, correlation_id: str | None = None,
) -> JournalEvent:
    at = datetime.now(UTC)
    event_id = secrets.token_hex(8)
    return JournalEvent(
        person_id, event_key(at.isoformat(timespec="microseconds"), event_id), event_id=event_id, at=at,
        action=action, actor_id=actor.person_id, actor_role=actor.role, institution_id=actor.institution_id,
        institution_name=actor.institution_name, purpose=purpose, record_id=record_id, before=before, after=after,
        correlation_id=correlation_id,
    )


@dataclass(frozen=True)
class Change:
    """One record's change as the journal tells it: an entry of its own (`event`) or one line of an
    item listing several (`listing_event`)."""

    person_id: str
    action: str
    record_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def event(self, actor: Actor, correlation_id: str | None) -> JournalEvent:
        return new_event(self.person_id, self.action, actor, record_id=self.record_id, before=self.before,
                         after=self.after, correlation_id=correlation_id)

    def listed(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "action": self.action, "before": self.before, "after": self.after}


def listing_event(person_id: str, actor: Actor, changes: list[Change], correlation_id: str | None) -> JournalEvent:
    """One item for several changes of one person's records, in the order they were planned."""
    event = new_event(person_id, RECORDS, actor, correlation_id=correlation_id)
    event.records = [change.listed() for change in changes]
    return event


def journal_read(person_id: str, actor: Actor, purpose: str | None, correlation_id: str | None,
                 action: str = READ) -> None:
    """Append a read. Raises if it cannot be written: the caller must not return the data then."""
    new_event(person_id, action, actor, purpose=purpose, correlation_id=correlation_id).save(
        condition=JournalEvent.event_key.does_not_exist()
    )


def journal_page(person_id: str, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """The person's journal, newest first, as the person may see it."""
    events, following = journal_events(person_id, f"journal:{person_id}", cursor, limit)
    return [entry for event in events for entry in entries(event)], following


def journal_events(person_id: str, scope: str, cursor: str | None, limit: int) -> tuple[list[JournalEvent], str | None]:
    """One page of the person's journal, newest first: one Query. `scope` binds the cursor to its reader."""
    result = JournalEvent.query(person_id, scan_index_forward=False, limit=limit,
                                last_evaluated_key=start_key(cursor, scope))
    events = list(result)
    return events, next_cursor(result.last_evaluated_key, scope)


def entries(event: JournalEvent) -> list[dict[str, Any]]:
    """A stored item as the entries it stands for, newest first like the page: an item listing
    several records' changes is one entry per record (the last listed first, as it was planned
    last), each with the item's time and actor; any other item is one entry."""
    entry = visible(event)
    if event.action != RECORDS:
        return [entry]
    return [entry | {"action": listed["action"], "record_id": listed["record_id"], "before": listed.get("before"),
                     "after": listed.get("after")} for listed in reversed(event.records or [])]


def visible(event: JournalEvent) -> dict[str, Any]:
    """An entry as the person sees it: the institution, never the individual behind it."""
    actor: dict[str, Any] = {"role": event.actor_role}
    if event.institution_id:
        actor |= {"institution_id": event.institution_id, "institution_name": event.institution_name}
    return {
        "at": event.at.isoformat(), "action": event.action, "actor": actor, "purpose": event.purpose,
        "record_id": event.record_id, "before": event.before, "after": event.after,
    }
