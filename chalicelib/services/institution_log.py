"""An institution's own log (docs/APPLICATIONS.md): its applications' decisions, its creation, its
permits granted and ended, its staff appointed, changed and removed.

Entries are `LOG#` items in the institution's partition of the `institutions` table, written by the
service that takes the step, in the same transaction as the step's own write (`Writes`): a step is
logged if and only if it happened. Readers: the ministry, and the institution's administrators
(`policy.read_institution_log`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import InstitutionLogEntry, institution_profile, log_item, log_of
from chalicelib.services.access import require
from chalicelib.services.paging import next_cursor, start_key
from chalicelib.services.persons import display_names


def log_entry(
    institution_id: str, event: str, actor_id: str, actor_role: str, *, step: int = 0, at: datetime | None = None,
    person_id: str | None = None, details: dict[str, Any] | None = None,
) -> InstitutionLogEntry:
    """A new entry (not written: the caller adds it to the transaction of its step). `step` orders
    the entries one transaction writes; `at` is when the step happened (now, unless copied)."""
    now = datetime.now(UTC)
    at = at or now
    return InstitutionLogEntry(
        institution_id, log_item(at.isoformat(timespec="microseconds"), step, secrets.token_hex(6)), at=at,
        event=event, actor_id=actor_id, actor_role=actor_role, person_id=person_id,
        details={key: value for key, value in (details or {}).items() if value is not None} or None,
        created_at=now, created_by=actor_id)


def log_page(caller: CallerFacts, institution_id: str, cursor: str | None, limit: int) -> dict[str, Any]:
    """A page of the log, newest first. The ministry sees who acted (their person) and the register's
    name of the person a step concerns; an administrator sees the acting role only — as a citizen's
    journal names the institution, not its official — and the person a step concerns by personal
    code alone, as in the staff list: an APPLIED or STAFF_* entry names whatever code someone typed,
    and the register's name for it would answer "whose code is this" (services/institutions.py)."""
    require(policy.read_institution_log(caller, institution_id))
    if institution_profile(institution_id) is None:
        raise Problem(P.institution.not_found)
    scope = f"institution-log:{institution_id}:{caller.person_id}"
    result = log_of(institution_id, limit, start_key(cursor, scope))
    entries = [entry for entry in result if isinstance(entry, InstitutionLogEntry)]
    concerned = {entry.person_id for entry in entries if entry.person_id}
    names = display_names(concerned) if caller.is_ministry and concerned else {}
    return {"entries": [_view(entry, names, caller.is_ministry) for entry in entries],
            "next_cursor": next_cursor(result.last_evaluated_key, scope)}


def _view(entry: InstitutionLogEntry, names: dict[str, str], ministry: bool) -> dict[str, Any]:
    actor: dict[str, Any] = {"role": entry.actor_role}
    if ministry:
        actor["person_id"] = entry.actor_id
    return {"at": entry.at.isoformat(), "event": entry.event, "actor": actor, "person_id": entry.person_id,
            "person_name": names.get(entry.person_id or ""), "details": entry.details or {}}
