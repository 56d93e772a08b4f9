"""The journal: every change to a person's records and every read of their data by someone else.

Reads are journaled before the data is returned, in the same request: if the journal cannot be
written, the data is not given out (fail closed). Changes are journaled in the same DynamoDB
transaction as the change itself (`services/records.py`).
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


def journal_read(person_id: str, actor: Actor, purpose: str | None, correlation_id: str | None,
                 action: str = READ) -> None:
    """Append a read. Raises if it cannot be written: the caller must not return the data then."""
    new_event(person_id, action, actor, purpose=purpose, correlation_id=correlation_id).save(
        condition=JournalEvent.event_key.does_not_exist()
    )


def journal_page(person_id: str, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """The person's journal, newest first, as the person may see it."""
    events, following = journal_events(person_id, f"journal:{person_id}", cursor, limit)
    return [visible(event) for event in events], following


def journal_events(person_id: str, scope: str, cursor: str | None, limit: int) -> tuple[list[JournalEvent], str | None]:
    """One page of the person's journal, newest first: one Query. `scope` binds the cursor to its reader."""
    result = JournalEvent.query(person_id, scan_index_forward=False, limit=limit,
                                last_evaluated_key=start_key(cursor, scope))
    events = list(result)
    return events, next_cursor(result.last_evaluated_key, scope)


def visible(event: JournalEvent) -> dict[str, Any]:
    """An entry as the person sees it: the institution, never the individual behind it."""
    actor: dict[str, Any] = {"role": event.actor_role}
    if event.institution_id:
        actor |= {"institution_id": event.institution_id, "institution_name": event.institution_name}
    return {
        "at": event.at.isoformat(), "action": event.action, "actor": actor, "purpose": event.purpose,
        "record_id": event.record_id, "before": event.before, "after": event.after,
    }
