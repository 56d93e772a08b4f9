"""Permit applications (docs/APPLICATIONS.md): a person applies on behalf of an education provider;
the ministry approves — creating the institution if it is new, granting the permit, appointing the
responsible person its administrator, logging every step, all in one transaction — or rejects with
a reason."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.access import STAFF_ADMINISTRATOR, STAFF_REPRESENTATIVE, staff_entry_valid
from chalicelib.domain.applications import (
    ADMINISTRATOR_APPOINTED,
    APPLIED,
    APPROVED,
    INSTITUTION_CREATED,
    MAX_PENDING_PER_APPLICANT,
    PENDING,
    REJECTED,
    ApplicationInput,
    ApprovalInput,
    RejectionInput,
    institution_id_for,
    scope_error,
)
from chalicelib.domain.dates import vilnius_date, vilnius_today
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.applications import (
    PENDING_COUNT_ITEM,
    PENDING_ITEM,
    PENDING_QUEUE,
    Application,
    ApplicationsItem,
    PendingCount,
    PendingMarker,
    application_item,
    application_of,
    pending_count_key,
)
from chalicelib.models.base import Refused, Writes
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionItem,
    InstitutionLogEntry,
    InstitutionProfile,
    Permit,
    StaffMember,
    institution_profile,
    staff_entry,
    staff_item,
    staff_of,
)
from chalicelib.services.access import require
from chalicelib.services.institution_log import log_entry
from chalicelib.services.institutions import holds_role, new_permit, permit_granted, profile_details, staff_changes
from chalicelib.services.paging import next_cursor, start_key
from chalicelib.services.persons import display_names

APPLICANT = policy.APPLICANT


def _validated(model: Any, body: dict[str, Any]) -> Any:
    try:
        return validate_model(model, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None


def apply(caller: CallerFacts, body: dict[str, Any]) -> dict[str, Any]:
    """Any logged-in person. One pending application per legal entity: the `PENDING` marker is put
    on condition, in the application's own transaction, so two at once end in one and a 409."""
    data = _validated(ApplicationInput, body)
    code = data.legal_entity_code
    application_id = f"{code}-{secrets.token_hex(8)}"
    application = Application(
        code, application_item(application_id), application_id=application_id, applicant_id=caller.person_id,
        submitted_at=datetime.now(UTC).isoformat(timespec="microseconds"), name=data.name,
        municipality=data.municipality, scope=set(data.scope), purpose=data.purpose, programmes=list(data.programmes),
        responsible_person_id=data.responsible_person_id, status=PENDING, pending=PENDING_QUEUE)
    writes = Writes()
    writes.put("marker", PendingMarker(code, PENDING_ITEM, application_id=application_id),
               ApplicationsItem.item.does_not_exist())
    writes.put("application", application, ApplicationsItem.item.does_not_exist())
    # At most MAX_PENDING_PER_APPLICANT at once, counted in this very transaction: one person
    # cannot hold every legal entity's one pending slot (docs/APPLICATIONS.md, "Limits").
    writes.update("count", PendingCount(pending_count_key(caller.person_id), PENDING_COUNT_ITEM), [
        PendingCount.pending_count.add(1), ApplicationsItem.item_type.set(PendingCount)],
        PendingCount.pending_count.does_not_exist() | (PendingCount.pending_count < MAX_PENDING_PER_APPLICANT))
    try:
        writes.commit(ApplicationsItem)
    except Refused as refused:
        if "marker" in refused.tags:
            raise Problem(P.application.pending) from None
        raise Problem(P.application.too_many) from None
    return _view(application, caller)


def my_applications(caller: CallerFacts, cursor: str | None, limit: int) -> dict[str, Any]:
    """The caller's own applications, newest first (the `by_applicant` index)."""
    scope = f"applications:mine:{caller.person_id}"
    result = ApplicationsItem.by_applicant.query(caller.person_id, scan_index_forward=False, limit=limit,
                                                 last_evaluated_key=start_key(cursor, scope))
    found = [item for item in result if isinstance(item, Application)]
    return {"applications": [_view(item, caller) for item in found],
            "next_cursor": next_cursor(result.last_evaluated_key, scope)}


def pending_applications(caller: CallerFacts, cursor: str | None, limit: int) -> dict[str, Any]:
    """The ministry's queue, oldest first: the sparse `pending` index holds pending ones only."""
    require(policy.administer(caller))
    scope = f"applications:pending:{caller.person_id}"
    result = ApplicationsItem.pending_queue.query(PENDING_QUEUE, limit=limit,
                                                  last_evaluated_key=start_key(cursor, scope))
    found = [item for item in result if isinstance(item, Application)]
    return {"applications": [_view(item, caller) for item in found],
            "next_cursor": next_cursor(result.last_evaluated_key, scope)}


def _readable(caller: CallerFacts, application_id: str) -> Application:
    application = application_of(application_id)
    # The same answer whether it does not exist or is not the caller's to read.
    if application is None:
        raise Problem(P.application.not_found)
    require(policy.read_application(caller, application.applicant_id))
    return application


def read_application(caller: CallerFacts, application_id: str) -> dict[str, Any]:
    """One application: its applicant's or the ministry's. The ministry also sees who applied and
    whom they named (by name), and the institution already registered under the legal entity code."""
    application = _readable(caller, application_id)
    view = _view(application, caller)
    if caller.is_ministry:
        names = display_names({application.applicant_id, application.responsible_person_id})
        view |= {"applicant_name": names.get(application.applicant_id),
                 "responsible_name": names.get(application.responsible_person_id)}
        existing = institution_profile(application.legal_entity_code)
        view["existing_institution"] = None if existing is None else {
            "institution_id": existing.institution_id, "name": existing.name,
            "legal_entity_code": existing.legal_entity_code,
            # Before approving for a provider already registered: who administers it today.
            "administrators": _administrators_today(existing.institution_id)}
    return view


def _administrators_today(institution_id: str) -> int:
    today = vilnius_today()
    return sum(1 for member in staff_of(institution_id)
               if member.role == STAFF_ADMINISTRATOR and staff_entry_valid(member.valid_from, member.valid_to, today))


def _deciding(caller: CallerFacts, application_id: str) -> tuple[Application, policy.Decision]:
    require(policy.administer(caller))
    application = application_of(application_id)
    if application is None:
        raise Problem(P.application.not_found)
    decision = require(policy.decide_application(caller, application.applicant_id,
                                                 application.responsible_person_id))
    return application, decision


def _decided(writes: Writes, application: Application, status: str, caller: CallerFacts, *, now: datetime,
             reason: str | None, extra: list[Any]) -> None:
    """The application's own change (only while still PENDING) and the marker's release."""
    writes.update("application", application, [
        Application.status.set(status), Application.pending.remove(), Application.decided_at.set(now),
        Application.decided_by.set(caller.person_id),
        Application.reason.set(reason) if reason else Application.reason.remove(), *extra,
    ], Application.status == PENDING)
    writes.delete("marker", PendingMarker(application.legal_entity_code, PENDING_ITEM),
                  PendingMarker.application_id == application.application_id)
    # Every pending application added one in its own transaction; this one is decided only once
    # (the condition on its status above), so the count never goes below zero.
    writes.update("count", PendingCount(pending_count_key(application.applicant_id), PENDING_COUNT_ITEM),
                  [PendingCount.pending_count.add(-1)], None)


def _applied(application: Application, institution_id: str) -> InstitutionLogEntry:
    """The application's first step, copied into the institution's log when it is decided (until
    then the application itself is its record: there may be no institution yet)."""
    return log_entry(institution_id, APPLIED, application.applicant_id, APPLICANT,
                     at=datetime.fromisoformat(application.submitted_at), person_id=application.responsible_person_id,
                     details={"application_id": application.application_id, "name": application.name,
                              "scope": sorted(application.scope or ()), "purpose": application.purpose,
                              "programmes": list(application.programmes or [])})


def approve(caller: CallerFacts, application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """One transaction, on condition that the application is still PENDING: two reviewers racing
    end in one decision and a 409 (`application.decided`), never two permits."""
    application, decision = _deciding(caller, application_id)
    data = _validated(ApprovalInput, body)
    reason = scope_error(data.scope, frozenset(application.scope or ()))
    if reason:
        raise invalid([FieldError("scope", reason)])
    if application.status != PENDING:
        raise Problem(P.application.decided)
    code, role = application.legal_entity_code, decision.acting_role
    iid = institution_id_for(code, data.institution_id)
    profile = institution_profile(iid)
    if profile is not None and profile.legal_entity_code != code:
        raise Problem(P.application.institution_mismatch)
    now = datetime.now(UTC)
    permit = new_permit(iid, data.scope, data.valid_from.isoformat(), data.valid_to.isoformat(), caller.person_id)
    writes = Writes()
    _decided(writes, application, APPROVED, caller, now=now, reason=data.reason, extra=[
        Application.institution_id.set(iid), Application.permit_id.set(permit.permit_id),
        Application.granted_scope.set(set(data.scope)), Application.valid_from.set(permit.valid_from),
        Application.valid_to.set(permit.valid_to)])
    writes.put("log", _applied(application, iid))
    writes.put("log", log_entry(iid, APPROVED, caller.person_id, role, at=now, step=0,
                                details={"application_id": application_id, "reason": data.reason}))
    # A new institution has no staff yet: nothing to read.
    stored = staff_entry(iid, application.responsible_person_id) if profile is not None else None
    if profile is None:
        profile = InstitutionProfile(iid, PROFILE_ITEM, name=application.name, legal_entity_code=code,
                                     municipality=application.municipality, created_at=now,
                                     created_by=caller.person_id)
        writes.put("institution", profile, InstitutionItem.item.does_not_exist())
        writes.put("log", log_entry(iid, INSTITUTION_CREATED, caller.person_id, role, at=now, step=1,
                                    details=profile_details(profile)))
    else:
        # Still the same legal entity's when the transaction writes.
        writes.check("institution", InstitutionItem, iid, PROFILE_ITEM,
                     InstitutionProfile.legal_entity_code == code)
    writes.put("permit", permit, InstitutionItem.item.does_not_exist())
    writes.put("log", permit_granted(permit, caller.person_id, role, step=2, at=now))
    _appoint_administrator(writes, application.responsible_person_id, stored, permit, caller, role=role, now=now)
    try:
        writes.commit(ApplicationsItem)
    except Refused as refused:
        if refused.tags & {"application", "marker"}:
            raise Problem(P.application.decided) from None
        raise Problem(P.application.conflict) from None  # the institution or its staff changed meanwhile
    return read_application(caller, application_id)


def _appoint_administrator(writes: Writes, person_id: str, stored: StaffMember | None, permit: Permit,
                           caller: CallerFacts, *, role: str, now: datetime) -> None:
    """The responsible person becomes the institution's ADMINISTRATOR. A new entry holds until
    removed (as the ministry's own appointment without a validity). An entry already there is not
    replaced (its suspension and counters stay): an administrator in force today stays as is — no
    write, nothing logged — and any other entry (a representative, or an administrator expired or
    not yet valid) becomes an administrator for the permit's validity, never for good: an entry that
    had ended must not turn into a permanent administrator. Each on condition that the entry still
    holds the role read."""
    iid = permit.institution_id
    if stored is None:
        writes.put("staff", StaffMember(iid, staff_item(person_id), staff_person_id=person_id,
                                        role=STAFF_ADMINISTRATOR, created_at=now, created_by=caller.person_id),
                   InstitutionItem.item.does_not_exist())
        details: dict[str, Any] = {"previous_role": None}
    elif stored.role == STAFF_ADMINISTRATOR and staff_entry_valid(stored.valid_from, stored.valid_to,
                                                                   vilnius_date(now)):
        writes.check("staff", InstitutionItem, iid, staff_item(person_id), holds_role(STAFF_ADMINISTRATOR))
        return
    else:
        writes.update("staff", stored, staff_changes(STAFF_ADMINISTRATOR, permit.valid_from, permit.valid_to),
                      holds_role(stored.role or STAFF_REPRESENTATIVE))
        details = {"previous_role": stored.role or STAFF_REPRESENTATIVE, "valid_from": permit.valid_from,
                   "valid_to": permit.valid_to}
    writes.put("log", log_entry(iid, ADMINISTRATOR_APPOINTED, caller.person_id, role, at=now, step=3,
                                person_id=person_id, details=details))


def reject(caller: CallerFacts, application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Nothing is granted. If an institution is registered under the legal entity code, its log
    keeps the application and the rejection; otherwise the application itself is their record."""
    application, decision = _deciding(caller, application_id)
    data = _validated(RejectionInput, body)
    if application.status != PENDING:
        raise Problem(P.application.decided)
    now = datetime.now(UTC)
    writes = Writes()
    _decided(writes, application, REJECTED, caller, now=now, reason=data.reason, extra=[])
    profile = institution_profile(application.legal_entity_code)
    if profile is not None and profile.legal_entity_code == application.legal_entity_code:
        writes.put("log", _applied(application, profile.institution_id))
        writes.put("log", log_entry(profile.institution_id, REJECTED, caller.person_id, decision.acting_role, at=now,
                                    details={"application_id": application_id, "reason": data.reason}))
    try:
        writes.commit(ApplicationsItem)
    except Refused:
        raise Problem(P.application.decided) from None
    return read_application(caller, application_id)


def _view(application: Application, caller: CallerFacts) -> dict[str, Any]:
    granted = None
    if application.status == APPROVED and application.permit_id:
        granted = {"permit_id": application.permit_id, "scope": sorted(application.granted_scope or ()),
                   "valid_from": application.valid_from, "valid_to": application.valid_to}
    view: dict[str, Any] = {
        "application_id": application.application_id, "legal_entity_code": application.legal_entity_code,
        "name": application.name, "municipality": application.municipality,
        "municipality_name": municipality_name(application.municipality), "scope": sorted(application.scope or ()),
        "purpose": application.purpose, "programmes": list(application.programmes or []),
        "responsible_person_id": application.responsible_person_id, "status": application.status,
        "submitted_at": application.submitted_at, "reason": application.reason,
        "decided_at": application.decided_at.isoformat() if application.decided_at else None,
        "institution_id": application.institution_id, "permit": granted,
        # Whether the caller administers the institution now (read per request, not from the token).
        "you_administer": bool(application.institution_id and application.institution_id in caller.administers),
    }
    if caller.is_ministry:
        view["applicant_id"] = application.applicant_id
    return view
