"""The ministry's own people (docs/ACCESS.md, "Ministry roles"): its administrators appoint, change
and remove its administrators, officials and data-protection auditors, each with a validity.

Appointments live in the `officials` table under `MINISTRY#<role>` partitions (models/officials.py),
so the access check reads them in the Query it already makes per request: a removal or an ended
validity acts on the person's next request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.access import MINISTRY_ROLES, in_period, ministry_partition
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.institutions import MinistryStaffInput
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.officials import (
    ActingAdministratorGone,
    Official,
    change_ministry_staff,
    ministry_appointment,
    ministry_staff,
)
from chalicelib.services.access import require
from chalicelib.services.institutions import checked_person_id
from chalicelib.services.persons import display_names


def _role(role: str) -> str:
    """A role named in a path: exactly one of ADMINISTRATOR, OFFICIAL, AUDITOR."""
    if role not in MINISTRY_ROLES:
        raise Problem(P.request.ministry_role)
    return role


def list_ministry_staff(caller: CallerFacts) -> list[dict[str, Any]]:
    """Every ministry appointment (valid or not), by role then name: one Query per role."""
    require(policy.see_ministry_staff(caller))
    today = vilnius_today()
    appointed = [(role, official) for role in MINISTRY_ROLES for official in ministry_staff(role)]
    names = display_names({official.person_id for _, official in appointed}) if appointed else {}
    rows = [{"role": role, "person_id": official.person_id, "name": names.get(official.person_id, ""),
             "valid_from": official.valid_from, "valid_to": official.valid_to,
             "valid_today": in_period(official.valid_from, official.valid_to, today)}
            for role, official in appointed]
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
    # Appointing again changes only the validity: who appointed them first, and when, stays.
    appointment = Official(ministry_partition(role), person_id, valid_from=data.valid_from.isoformat(),
                           valid_to=data.valid_to.isoformat(),
                           created_at=existing.created_at if existing else datetime.now(UTC),
                           created_by=existing.created_by if existing else caller.person_id)
    _change(caller, appointment=appointment)
    return {"role": role, "person_id": person_id, "valid_from": appointment.valid_from,
            "valid_to": appointment.valid_to}, existing is None


def remove_ministry_staff(caller: CallerFacts, role: str, person_id: str) -> None:
    """Remove an appointment: the person's next request no longer holds the role."""
    role, person_id = _role(role), checked_person_id(person_id)
    require(policy.manage_ministry_staff(caller, person_id))
    if ministry_appointment(role, person_id) is None:
        raise Problem(P.ministry.not_found)
    _change(caller, removed=(role, person_id))


def _change(caller: CallerFacts, *, appointment: Official | None = None,
            removed: tuple[str, str] | None = None) -> None:
    try:
        change_ministry_staff(appointment, removed, caller.person_id, vilnius_today())
    except ActingAdministratorGone:
        # The caller's own appointment was removed or ended since this request's access check
        # (another administrator, at the same moment): the change is refused, so two
        # administrators removing each other never leave the ministry without one.
        raise Problem(P.access.ministry_administrator) from None
