"""The ministry's work: institutions, data-processing permits, representatives. Each change is
written with its entry in the institution's own log, in one transaction (services/institution_log.py)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.access import STAFF_ADMINISTRATOR, STAFF_REPRESENTATIVE, minor_by_code, staff_entry_valid
from chalicelib.domain.applications import (
    INSTITUTION_CREATED,
    PERMIT_GRANTED,
    PERMIT_REVOKED,
    PERMIT_SUSPENDED,
    STAFF_APPOINTED,
    STAFF_CHANGED,
    STAFF_REMOVED,
)
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.institutions import InstitutionInput, PermitInput, StaffInput
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import Refused, Writes
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionItem,
    InstitutionProfile,
    Permit,
    StaffMember,
    all_profiles,
    institution_profile,
    permit_item,
    permits_of,
    staff_entry,
    staff_item,
    staff_of,
)
from chalicelib.services.access import require
from chalicelib.services.institution_log import log_entry
from chalicelib.services.persons import display_names

PERMIT_STATES = {"revoke": "REVOKED", "suspend": "SUSPENDED"}
PERMIT_ENDED = {"REVOKED": PERMIT_REVOKED, "SUSPENDED": PERMIT_SUSPENDED}


def _existing(institution_id: str) -> InstitutionProfile:
    profile = institution_profile(institution_id)
    if profile is None:
        raise Problem(P.institution.not_found)
    return profile


def create_institution(caller: CallerFacts, body: dict[str, Any]) -> dict[str, Any]:
    decision = require(policy.administer(caller))
    try:
        data = validate_model(InstitutionInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    profile = InstitutionProfile(data.institution_id, PROFILE_ITEM, name=data.name,
                                 legal_entity_code=data.legal_entity_code, municipality=data.municipality,
                                 created_at=datetime.now(UTC), created_by=caller.person_id)
    writes = Writes()
    writes.put("profile", profile, InstitutionItem.item.does_not_exist())
    writes.put("log", log_entry(data.institution_id, INSTITUTION_CREATED, caller.person_id, decision.acting_role,
                                details=profile_details(profile)))
    try:
        writes.commit(InstitutionItem)
    except Refused:
        raise Problem(P.institution.exists) from None
    return data.model_dump() | {"municipality_name": municipality_name(data.municipality)}


def grant_permit(caller: CallerFacts, institution_id: str, body: dict[str, Any]) -> dict[str, Any]:
    decision = require(policy.administer(caller))
    try:
        data = validate_model(PermitInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    _existing(institution_id)
    permit = new_permit(institution_id, data.scope, data.valid_from.isoformat(), data.valid_to.isoformat(),
                        caller.person_id)
    writes = Writes()
    writes.put("permit", permit, InstitutionItem.item.does_not_exist())
    writes.put("log", permit_granted(permit, caller.person_id, decision.acting_role))
    writes.commit(InstitutionItem)
    return _permit_view(permit)


def new_permit(institution_id: str, scope: frozenset[str], valid_from: str, valid_to: str, by: str) -> Permit:
    permit_id = secrets.token_hex(8)
    return Permit(institution_id, permit_item(permit_id), permit_id=permit_id, scope=set(scope),
                  valid_from=valid_from, valid_to=valid_to, state="ACTIVE", created_at=datetime.now(UTC),
                  created_by=by)


def permit_granted(permit: Permit, actor_id: str, actor_role: str, *, step: int = 0,
                   at: datetime | None = None) -> Any:
    """The log's entry for a permit granted (by the ministry, or by an application's approval)."""
    return log_entry(permit.institution_id, PERMIT_GRANTED, actor_id, actor_role, step=step, at=at,
                     details={"permit_id": permit.permit_id, "scope": sorted(permit.scope or ()),
                              "valid_from": permit.valid_from, "valid_to": permit.valid_to})


def profile_details(profile: InstitutionProfile) -> dict[str, Any]:
    return {"name": profile.name, "legal_entity_code": profile.legal_entity_code,
            "municipality": profile.municipality}


def list_permits(caller: CallerFacts, institution_id: str) -> list[dict[str, Any]]:
    require(policy.see_institution(caller, institution_id))
    _existing(institution_id)
    return [_permit_view(p) for p in permits_of(institution_id)]


def end_permit(caller: CallerFacts, institution_id: str, permit_id: str, action: str) -> dict[str, Any]:
    """Revoke (for good) or suspend a permit. Effective on the institution's very next request:
    access is decided from the permits as stored, never from what a token says."""
    decision = require(policy.administer(caller))
    if action not in PERMIT_STATES:
        raise Problem(P.request.action)
    try:
        permit = InstitutionItem.get(institution_id, permit_item(permit_id), consistent_read=True)
    except InstitutionItem.DoesNotExist:
        raise Problem(P.permit.not_found) from None
    if not isinstance(permit, Permit):
        raise Problem(P.permit.not_found)
    if permit.state == "REVOKED":
        return _permit_view(permit)  # already ended: nothing to change
    state = PERMIT_STATES[action]
    if permit.state == state:
        return _permit_view(permit)  # suspended already: nothing to change, nothing to log
    writes = Writes()
    # Not versioned: the state it was read in is what must still hold.
    writes.update("permit", permit, [Permit.state.set(state), Permit.changed_at.set(datetime.now(UTC)),
                                     Permit.changed_by.set(caller.person_id)],
                  InstitutionItem.item.exists() & (Permit.state == permit.state))
    writes.put("log", log_entry(institution_id, PERMIT_ENDED[state], caller.person_id, decision.acting_role,
                                details={"permit_id": permit_id, "previous_state": permit.state}))
    try:
        writes.commit(InstitutionItem)
    except Refused:
        raise Problem(P.person.conflict) from None  # ended or changed meanwhile: read again
    permit.state = state
    return _permit_view(permit)


def _permit_view(permit: Permit) -> dict[str, Any]:
    return {"permit_id": permit.permit_id, "scope": sorted(permit.scope or ()), "valid_from": permit.valid_from,
            "valid_to": permit.valid_to, "state": permit.state}


def checked_person_id(person_id: str) -> str:
    """A person id from a path, normalised; a malformed one is refused as `validation.person_id.*`."""
    person_id = normalise_person_id(person_id)
    reason = person_id_error(person_id)
    if reason:
        raise invalid([FieldError("person_id", reason)])
    return person_id


def add_representative(
    caller: CallerFacts, institution_id: str, person_id: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Appoint a staff entry (True: new) or replace its role and validity; acts on the person's
    next request. The ministry appoints either role; an institution's administrator only its
    representatives (`policy.manage_staff`), and may not turn an administrator into one. An entry
    is never replaced by a new one: its suspension and mismatch counters stay with the person."""
    person_id = checked_person_id(person_id)
    try:
        data = validate_model(StaffInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    decision = require(policy.manage_staff(caller, institution_id, data.role, person_id))
    _existing(institution_id)
    today = vilnius_today()
    if minor_by_code(person_id, today):
        raise invalid([FieldError("person_id", "minor")])
    valid_from = data.valid_from.isoformat() if data.valid_from else None
    valid_to = data.valid_to.isoformat() if data.valid_to else None
    stored = staff_entry(institution_id, person_id)
    role = data.role
    if stored is not None and not body:
        # Appointing again by code alone (the ministry's page): an entry in force stays as it is —
        # a role or validity changes only when the body says so; one that has ended (expired, or
        # removed while suspended) holds again, in its role, until removed.
        require(policy.manage_staff(caller, institution_id, stored.role or STAFF_REPRESENTATIVE, person_id))
        role = stored.role or STAFF_REPRESENTATIVE
        if staff_entry_valid(stored.valid_from, stored.valid_to, today):
            valid_from, valid_to = stored.valid_from, stored.valid_to
    view = {"institution_id": institution_id, "person_id": person_id, "role": role,
            "valid_from": valid_from, "valid_to": valid_to}
    writes = Writes()
    details = {"role": role, "valid_from": valid_from, "valid_to": valid_to}
    if stored is None:
        staff = StaffMember(institution_id, staff_item(person_id), staff_person_id=person_id, role=role,
                            valid_from=valid_from, valid_to=valid_to, created_at=datetime.now(UTC),
                            created_by=caller.person_id)
        writes.put("staff", staff, InstitutionItem.item.does_not_exist())
        writes.put("log", log_entry(institution_id, STAFF_APPOINTED, caller.person_id, decision.acting_role,
                                    person_id=person_id, details=details))
        _still_administering(writes, caller, institution_id, today)
        try:
            writes.commit(InstitutionItem)
        except Refused as refused:
            raise _refused(refused, P.person.conflict) from None  # appointed meanwhile: read again
        return view, True
    # Replacing an entry is managing the role it holds now, too (an administrator cannot demote one).
    require(policy.manage_staff(caller, institution_id, stored.role or STAFF_REPRESENTATIVE, person_id))
    if (stored.role or STAFF_REPRESENTATIVE, stored.valid_from, stored.valid_to) == (role, valid_from, valid_to):
        return view, False  # nothing changes: nothing is written, nothing logged
    writes.update("staff", stored, staff_changes(role, valid_from, valid_to), holds_role(stored.role))
    writes.put("log", log_entry(institution_id, STAFF_CHANGED, caller.person_id, decision.acting_role,
                                person_id=person_id, details=details | {"previous_role": stored.role}))
    _still_administering(writes, caller, institution_id, today)
    try:
        writes.commit(InstitutionItem)
    except Refused as refused:
        raise _refused(refused, P.person.conflict) from None  # removed or changed meanwhile: read again
    return view, False


def staff_changes(role: str, valid_from: str | None, valid_to: str | None) -> list[Any]:
    """An entry's new role and validity (neither date: it holds until removed)."""
    validity = ([StaffMember.valid_from.set(valid_from), StaffMember.valid_to.set(valid_to)]
                if valid_from and valid_to else [StaffMember.valid_from.remove(), StaffMember.valid_to.remove()])
    return [StaffMember.role.set(role), *validity]


def holds_role(role: str) -> Any:
    """The stored entry still exists and holds `role` (an entry stored without one is a representative)."""
    holds = StaffMember.role == role
    if role == STAFF_REPRESENTATIVE:
        holds = holds | StaffMember.role.does_not_exist()
    return InstitutionItem.item.exists() & holds


ACTING = "acting"


def _still_administering(writes: Writes, caller: CallerFacts, institution_id: str, today: date) -> None:
    """An institution's administrator acts only while their own entry still makes them one: checked
    in the transaction itself (the access check read it from an index, which may lag a removal made
    a moment before). The ministry's right is its own appointment, re-read on every request."""
    if caller.is_ministry:
        return
    day = today.isoformat()
    in_force = ((StaffMember.valid_from.does_not_exist() | (StaffMember.valid_from <= day))
                & (StaffMember.valid_to.does_not_exist() | (StaffMember.valid_to >= day)))
    writes.check(ACTING, InstitutionItem, institution_id, staff_item(caller.person_id),
                 holds_role(STAFF_ADMINISTRATOR) & in_force)


def _refused(refused: Refused, otherwise: P.Code) -> Problem:
    """The acting administrator removed meanwhile is `access.administrator`; else `otherwise`."""
    return Problem(P.access.administrator if ACTING in refused.tags else otherwise)


def remove_representative(caller: CallerFacts, institution_id: str, person_id: str) -> None:
    """Remove a staff entry: the person's next request no longer counts it. The ministry deletes
    it. An administrator removing a representative whose writes are suspended, or who has counted
    identity mismatches today, ends the entry instead (valid until yesterday): the entry, its
    suspension and counters stay, so appointing the person again neither lifts what only the
    ministry lifts nor starts the day's count afresh (docs/ACCESS.md)."""
    person_id = checked_person_id(person_id)
    # Whether the caller manages this institution's staff at all, before anything about the entry.
    require(policy.manage_staff(caller, institution_id, STAFF_REPRESENTATIVE, person_id))
    for _ in range(2):  # once more if a suspension or a mismatch landed between the read and the write
        stored = staff_entry(institution_id, person_id)
        if stored is None:
            raise Problem(P.staff.not_found)
        decision = require(policy.manage_staff(caller, institution_id, stored.role, person_id))
        try:
            _remove(caller, stored, decision.acting_role)
            return
        except Refused as refused:
            if ACTING in refused.tags:
                raise _refused(refused, P.staff.not_found) from None
            continue
    raise Problem(P.staff.not_found)


def _remove(caller: CallerFacts, stored: StaffMember, acting_role: str) -> None:
    institution_id, person_id = stored.institution_id, stored.staff_person_id
    role = stored.role or STAFF_REPRESENTATIVE
    today = vilnius_today()
    writes = Writes()
    if caller.is_ministry:
        # Not versioned: the condition on the role is what must still hold.
        writes.delete("staff", InstitutionItem(institution_id, staff_item(person_id)), holds_role(stored.role))
        details: dict[str, Any] = {"role": role}
    elif stored.suspended_at is None and stored.mismatch_day != today.isoformat():
        # Deleted only if, at the write, still neither suspended nor counted today.
        writes.delete("staff", InstitutionItem(institution_id, staff_item(person_id)),
                      holds_role(stored.role) & StaffMember.suspended_at.does_not_exist()
                      & (StaffMember.mismatch_day.does_not_exist() | (StaffMember.mismatch_day != today.isoformat())))
        details = {"role": role}
    else:
        if not staff_entry_valid(stored.valid_from, stored.valid_to, today):
            raise Problem(P.staff.not_found)  # ended already: removed, as far as the administrator goes
        ended = (today - timedelta(days=1)).isoformat()
        started = stored.valid_from if stored.valid_from and stored.valid_from <= ended else ended
        writes.update("staff", stored, [StaffMember.valid_from.set(started), StaffMember.valid_to.set(ended)],
                      holds_role(stored.role))
        details = {"role": role, "valid_from": started, "valid_to": ended}
    writes.put("log", log_entry(institution_id, STAFF_REMOVED, caller.person_id, acting_role,
                                person_id=person_id, details=details))
    _still_administering(writes, caller, institution_id, today)
    writes.commit(InstitutionItem)


def list_institutions(caller: CallerFacts) -> list[dict[str, Any]]:
    """All institutions (the ministry), or the caller's own (a representative)."""
    visible = policy.visible_institutions(caller)
    if visible is None:
        profiles = all_profiles()
    else:
        profiles = [p for p in (institution_profile(iid) for iid in sorted(visible)) if p is not None]
    return [{"institution_id": p.institution_id, "name": p.name, "legal_entity_code": p.legal_entity_code,
             "municipality": p.municipality, "municipality_name": municipality_name(p.municipality)}
            for p in profiles]


def acted_for(staff_scopes: dict[str, list[str]], administers: list[str]) -> list[dict[str, Any]]:
    """The institutions a person is staff of today, as `/me` names them: id, name, role, scopes.
    Read from the caller's own facts (no policy needed: it is about themself); one GetItem each."""
    acted = []
    for iid in sorted(staff_scopes):
        profile = institution_profile(iid)
        acted.append({"institution_id": iid, "name": profile.name if profile else iid,
                      "role": STAFF_ADMINISTRATOR if iid in administers else STAFF_REPRESENTATIVE,
                      "scopes": list(staff_scopes[iid])})
    return acted


def list_representatives(caller: CallerFacts, institution_id: str) -> list[dict[str, Any]]:
    """The institution's staff entries. Names from the register for the ministry only: to an
    institution's administrator or representatives an entry is the personal code they typed, its
    role and validity — appointing a code and reading the list must never answer "whose code is
    this" (that name is what the identity check asks of a school that does not teach the person)."""
    require(policy.see_institution(caller, institution_id))
    _existing(institution_id)
    staff = staff_of(institution_id)
    names = display_names({member.staff_person_id for member in staff}) if caller.is_ministry and staff else {}
    return [{"person_id": member.staff_person_id, "name": names.get(member.staff_person_id),
             "role": member.role or STAFF_REPRESENTATIVE, "valid_from": member.valid_from,
             "valid_to": member.valid_to} for member in staff]
