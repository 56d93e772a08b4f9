"""Guessing is not free: identity mismatches count against the representative who made them.

A record naming a person the writing institution does not teach must carry the person's names and
birth date as the register holds them (`domain/identity.py`). A mismatch answers one question for
free — "is this the name behind that code?" — so each one is counted per representative and day
(Vilnius time), in the API, in upload rows and in dry runs alike. Past `IDENTITY_MISMATCH_LIMIT`
a day the representative's writes are refused (`representative.suspended`) until the ministry lifts
the suspension; the `RepresentativesSuspended` metric raises an alarm (infra/app.json).
"""

from __future__ import annotations

from datetime import datetime

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.applications import STAFF_SUSPENDED, SUSPENSION_LIFTED
from chalicelib.domain.dates import utc_now, vilnius_date
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.base import Refused, Writes
from chalicelib.models.institutions import (
    InstitutionItem,
    StaffMember,
    add_identity_mismatches,
    staff_entry,
    staff_item,
)
from chalicelib.services.access import require
from chalicelib.services.institution_log import log_entry

# Who suspends automatically, in the institution's log (the pages' `role_system`).
SYSTEM = "system"


def note_identity_mismatches(institution_id: str, person_id: str, count: int, now: datetime | None = None) -> bool:
    """Count `count` mismatches by this representative; True if their writes are suspended now."""
    if count <= 0:
        return False
    now = now or utc_now()
    total = add_identity_mismatches(institution_id, person_id, vilnius_date(now).isoformat(), count)
    observability.metric("IdentityMismatches", count)
    if total <= settings().identity_mismatch_limit:
        return False
    if suspend(institution_id, person_id, now, total):
        observability.metric("RepresentativesSuspended", 1)
        observability.log("representative_suspended", "WARNING", institution_id=institution_id,
                          mismatches_today=total)
    return True


def suspend(institution_id: str, person_id: str, now: datetime, mismatches: int) -> bool:
    """Suspend the representative's writes, with its entry in the institution's log in the same
    transaction (a suspension is logged if and only if it happened). False if they are not
    appointed there, or were suspended already (by a racing request: logged once)."""
    writes = Writes()
    writes.update("staff", StaffMember(institution_id, staff_item(person_id)), [StaffMember.suspended_at.set(now)],
                  InstitutionItem.item.exists() & StaffMember.suspended_at.does_not_exist())
    writes.put("log", log_entry(institution_id, STAFF_SUSPENDED, SYSTEM, SYSTEM, at=now, person_id=person_id,
                                details={"mismatches": mismatches}))
    try:
        writes.commit(InstitutionItem)
    except Refused:
        return False
    return True


def lift_suspension(caller: CallerFacts, institution_id: str, person_id: str) -> None:
    """The ministry lets a suspended representative write again (their count starts afresh), logged
    in the same transaction. Lifting one that is not suspended changes and logs nothing."""
    decision = require(policy.administer(caller))
    stored = staff_entry(institution_id, person_id)
    if stored is None:
        raise Problem(P.staff.not_found)
    if stored.suspended_at is None:
        return
    writes = Writes()
    writes.update("staff", stored, [StaffMember.suspended_at.remove(), StaffMember.mismatch_count.set(0)],
                  InstitutionItem.item.exists() & StaffMember.suspended_at.exists())
    writes.put("log", log_entry(institution_id, SUSPENSION_LIFTED, caller.person_id, decision.acting_role,
                                person_id=person_id, details={"suspended_at": stored.suspended_at.isoformat()}))
    try:
        writes.commit(InstitutionItem)
    except Refused:
        return  # lifted (or removed) meanwhile: nothing left to lift
    observability.log("representative_suspension_lifted", institution_id=institution_id)
