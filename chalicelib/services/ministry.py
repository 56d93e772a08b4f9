"""The ministry's own people (docs/ACCESS.md, "Ministry roles"): its administrators appoint, change
and remove its administrators, officials and data-protection auditors, each with a validity.

Appointments live in the `officials` table under `MINISTRY#<role>` partitions (models/officials.py),
so the access check reads them in the Query it already makes per request: a removal or an ended
validity acts on the person's next request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.access import (
    ADMINISTRATOR_COVER_DAYS,
    MINISTRY_ADMINISTRATOR,
    MINISTRY_ADMINISTRATOR_ROLE,
    MINISTRY_ROLES,
    in_period,
    ministry_partition,
)
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.institutions import MinistryStaffInput
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import Refused
from chalicelib.models.officials import (
    COVER,
    TARGET,
    Official,
    change_ministry_staff,
    ministry_appointment,
    ministry_log,
    ministry_staff,
)
from chalicelib.services.access import require
from chalicelib.services.institutions import checked_person_id
from chalicelib.services.journal import MINISTRY_ROLE, Actor, new_event
from chalicelib.services.paging import next_cursor, start_key
from chalicelib.services.persons import display_names


def _role(role: str) -> str:
    """A role named in a path: exactly one of ADMINISTRATOR, OFFICIAL, AUDITOR."""
    if role not in MINISTRY_ROLES:
        raise Problem(P.request.ministry_role)
    return role


def list_ministry_staff(caller: CallerFacts) -> list[dict[str, Any]]:
    """Every ministry appointment (valid or not), by role then name: one Query per role. The names
    are the ones read at appointment (journaled then), never looked up again for a list."""
    require(policy.see_ministry_staff(caller))
    today = vilnius_today()
    rows = [{"role": role, "person_id": official.person_id, "name": official.name or "",
             "valid_from": official.valid_from, "valid_to": official.valid_to,
             "valid_today": in_period(official.valid_from, official.valid_to, today)}
            for role in MINISTRY_ROLES for official in ministry_staff(role)]
    order = {role: position for position, role in enumerate(MINISTRY_ROLES)}
    return sorted(rows, key=lambda row: (order[row["role"]], row["name"], row["person_id"]))


def appoint_ministry_staff(
    caller: CallerFacts, role: str, person_id: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Appoint (True: new) or change the validity of a ministry appointment; acts on the person's next request."""
    role, person_id = _role(role), checked_person_id(person_id)
    require(policy.manage_ministry_staff(caller, person_id))
    try:
        data = validate_model(MinistryStaffInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    existing = ministry_appointment(role, person_id)
    # Appointing again changes only the validity: who appointed them first, when, and the name read
    # then stay. A new appointment reads the name once, and the person's journal says so.
    name = existing.name if existing else display_names({person_id}).get(person_id, "")
    appointment = Official(ministry_partition(role), person_id, valid_from=data.valid_from.isoformat(),
                           valid_to=data.valid_to.isoformat(), name=name or None,
                           created_at=existing.created_at if existing else datetime.now(UTC),
                           created_by=existing.created_by if existing else caller.person_id)
    _change(caller, role, existing, appointment)
    return {"role": role, "person_id": person_id, "valid_from": appointment.valid_from,
            "valid_to": appointment.valid_to}, existing is None


def remove_ministry_staff(caller: CallerFacts, role: str, person_id: str) -> None:
    """Remove an appointment: the person's next request no longer holds the role."""
    role, person_id = _role(role), checked_person_id(person_id)
    require(policy.manage_ministry_staff(caller, person_id))
    existing = ministry_appointment(role, person_id)
    if existing is None:
        raise Problem(P.ministry.not_found)
    _change(caller, role, existing, None)


def ministry_log_page(caller: CallerFacts, cursor: str | None, limit: int) -> dict[str, Any]:
    """`GET /ministry/log`: who appointed, changed or removed whom, in which role, newest first."""
    require(policy.see_ministry_log(caller))
    scope = f"ministry-log:{caller.person_id}"
    items, last = ministry_log(start_key(cursor, scope), limit)
    return {"entries": [{"at": item.created_at.isoformat(), "action": item.log_action, "role": item.log_role,
                         "person_id": item.log_person, "valid_from": item.valid_from, "valid_to": item.valid_to,
                         "acted_by": item.created_by} for item in items],
            "next_cursor": next_cursor(last, scope)}


def _cover(caller: CallerFacts, role: str, before: Official | None, after: Official | None, *,
           today: date, until: date) -> str | None:
    """Which administrator stays valid from `today` to `until` when an ADMINISTRATOR appointment is
    removed or its validity changed (None: no check needed); the acting one if they do."""
    if role != MINISTRY_ADMINISTRATOR or before is None:
        return None  # a new appointment takes nobody away
    if after is not None and after.valid_from <= today.isoformat() and after.valid_to >= until.isoformat():
        return None  # the changed one stays itself, written in the same transaction
    staying = [a for a in ministry_staff(MINISTRY_ADMINISTRATOR) if a.person_id != before.person_id
               and a.valid_from <= today.isoformat() and a.valid_to >= until.isoformat()]
    if not staying:
        raise Problem(P.ministry.last_administrator)
    ids = [a.person_id for a in staying]
    return caller.person_id if caller.person_id in ids else ids[0]


def _change(caller: CallerFacts, role: str, before: Official | None, after: Official | None) -> None:
    today = vilnius_today()
    until = today + timedelta(days=ADMINISTRATOR_COVER_DAYS)
    cover = _cover(caller, role, before, after, today=today, until=until)
    changed = after or before
    assert changed is not None
    # The person's own journal: their appointment, change or removal, by a ministry administrator.
    entry = new_event(changed.person_id, MINISTRY_ROLE, Actor(caller.person_id, MINISTRY_ADMINISTRATOR_ROLE),
                      before=_shown(role, before), after=_shown(role, after))
    try:
        change_ministry_staff(role, before, after, caller.person_id, today, cover=cover, cover_until=until,
                              journal=entry)
    except Refused as refused:
        if TARGET in refused.tags:
            raise Problem(P.ministry.conflict) from None  # removed, re-appointed or changed meanwhile
        own = ministry_appointment(MINISTRY_ADMINISTRATOR, caller.person_id)
        if COVER in refused.tags or (own is not None and in_period(own.valid_from, own.valid_to, today)):
            # The administrator who was to stay was removed or shortened meanwhile.
            raise Problem(P.ministry.last_administrator) from None
        # The caller's own appointment was removed or ended since this request's access check
        # (another administrator, at the same moment): the change is refused, so two
        # administrators removing each other never leave the ministry without one.
        raise Problem(P.access.ministry_administrator) from None


def _shown(role: str, appointment: Official | None) -> dict[str, str] | None:
    if appointment is None:
        return None
    return {"ministry_role": role, "valid_from": appointment.valid_from, "valid_to": appointment.valid_to}
