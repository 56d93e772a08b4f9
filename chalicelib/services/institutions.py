"""The ministry's work: institutions, data-processing permits, representatives."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.institutions import InstitutionInput, PermitInput
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import condition_failed
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
    staff_item,
    staff_of,
)
from chalicelib.services.access import require
from chalicelib.services.persons import display_names

PERMIT_STATES = {"revoke": "REVOKED", "suspend": "SUSPENDED"}


def _existing(institution_id: str) -> InstitutionProfile:
    profile = institution_profile(institution_id)
    if profile is None:
        raise Problem(P.institution.not_found)
    return profile


def create_institution(caller: CallerFacts, body: dict[str, Any]) -> dict[str, Any]:
    require(policy.administer(caller))
    try:
        data = validate_model(InstitutionInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    profile = InstitutionProfile(data.institution_id, PROFILE_ITEM, name=data.name,
                                 legal_entity_code=data.legal_entity_code, municipality=data.municipality,
                                 created_at=datetime.now(UTC), created_by=caller.person_id)
    try:
        profile.save(condition=InstitutionItem.item.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            raise Problem(P.institution.exists) from None
        raise
    return data.model_dump() | {"municipality_name": municipality_name(data.municipality)}


def grant_permit(caller: CallerFacts, institution_id: str, body: dict[str, Any]) -> dict[str, Any]:
    require(policy.administer(caller))
    try:
        data = validate_model(PermitInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    _existing(institution_id)
    permit_id = secrets.token_hex(8)
    permit = Permit(institution_id, permit_item(permit_id), permit_id=permit_id, scope=set(data.scope),
                    valid_from=data.valid_from.isoformat(), valid_to=data.valid_to.isoformat(), state="ACTIVE",
                    created_at=datetime.now(UTC), created_by=caller.person_id)
    permit.save(condition=InstitutionItem.item.does_not_exist())
    return _permit_view(permit)


def list_permits(caller: CallerFacts, institution_id: str) -> list[dict[str, Any]]:
    require(policy.see_institution(caller, institution_id))
    _existing(institution_id)
    return [_permit_view(p) for p in permits_of(institution_id)]


def end_permit(caller: CallerFacts, institution_id: str, permit_id: str, action: str) -> dict[str, Any]:
    """Revoke (for good) or suspend a permit. Effective on the institution's very next request:
    access is decided from the permits as stored, never from what a token says."""
    require(policy.administer(caller))
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
    permit.update(actions=[Permit.state.set(PERMIT_STATES[action]), Permit.changed_at.set(datetime.now(UTC)),
                           Permit.changed_by.set(caller.person_id)])
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


def add_representative(caller: CallerFacts, institution_id: str, person_id: str) -> bool:
    """Make a person a representative; True if they were not one already."""
    require(policy.administer(caller))
    person_id = checked_person_id(person_id)
    _existing(institution_id)
    staff = StaffMember(institution_id, staff_item(person_id), staff_person_id=person_id,
                        created_at=datetime.now(UTC), created_by=caller.person_id)
    try:
        staff.save(condition=InstitutionItem.item.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False  # already a representative: PUT is idempotent
        raise
    return True


def remove_representative(caller: CallerFacts, institution_id: str, person_id: str) -> None:
    require(policy.administer(caller))
    person_id = checked_person_id(person_id)
    try:
        # Delete whatever version is stored: removal must not depend on having read the item
        # (PynamoDB would otherwise add "version does not exist", which a stored item never meets).
        InstitutionItem(institution_id, staff_item(person_id)).delete(
            condition=InstitutionItem.item.exists(), add_version_condition=False)
    except DeleteError as exc:
        if condition_failed(exc):
            raise Problem(P.staff.not_found) from None
        raise


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


def list_representatives(caller: CallerFacts, institution_id: str) -> list[dict[str, str]]:
    require(policy.see_institution(caller, institution_id))
    _existing(institution_id)
    staff = staff_of(institution_id)
    names = display_names({member.staff_person_id for member in staff})
    return [{"person_id": member.staff_person_id, "name": names.get(member.staff_person_id, "")} for member in staff]
