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
from chalicelib.domain.dates import utc_now, vilnius_date
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import add_identity_mismatches, set_suspension
from chalicelib.services.access import require


def note_identity_mismatches(institution_id: str, person_id: str, count: int, now: datetime | None = None) -> bool:
    """Count `count` mismatches by this representative; True if their writes are suspended now."""
    if count <= 0:
        return False
    now = now or utc_now()
    total = add_identity_mismatches(institution_id, person_id, vilnius_date(now).isoformat(), count)
    observability.metric("IdentityMismatches", count)
    if total <= settings().identity_mismatch_limit:
        return False
    if set_suspension(institution_id, person_id, now):
        observability.metric("RepresentativesSuspended", 1)
        observability.log("representative_suspended", "WARNING", institution_id=institution_id,
                          mismatches_today=total)
    return True


def lift_suspension(caller: CallerFacts, institution_id: str, person_id: str) -> None:
    """The ministry lets a suspended representative write again (their count starts afresh)."""
    require(policy.administer(caller))
    if not set_suspension(institution_id, person_id, None):
        raise Problem(P.staff.not_found)
    observability.log("representative_suspension_lifted", institution_id=institution_id)
