"""Municipality officials (docs/STATE.md section 2): the ministry appoints and removes them; an
official sees their municipality's institutions (and, as the other state views land, its reporting,
statistics and children outside education) — never a learning history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.institutions import OfficialInput
from chalicelib.domain.municipalities import MUNICIPALITIES, is_municipality, municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.institutions import all_profiles
from chalicelib.models.officials import Official, appoint, officials_of, remove
from chalicelib.services.access import require
from chalicelib.services.institutions import checked_person_id
from chalicelib.services.persons import display_names


def _municipality(code: str) -> str:
    """A municipality named in a path: its code exactly (`LT-57`), as the views answer it."""
    if not is_municipality(code):
        raise Problem(P.request.municipality)
    return code


def municipalities() -> list[dict[str, Any]]:
    """The 60 municipalities with their names: public, the pages' choice list."""
    return [{"code": m.code, "name": m.label} for m in MUNICIPALITIES.codes]


def municipality_view(caller: CallerFacts, code: str) -> dict[str, Any]:
    """A municipality's name and institutions: an official's landing data. Reads every profile
    through the `by_item_type` index (items ∝ institutions, about 1,100), as the ministry's list does."""
    require(policy.see_municipality(caller, code))
    code = _municipality(code)
    institutions = [{"institution_id": p.institution_id, "name": p.name} for p in all_profiles()
                    if p.municipality == code]
    return {"code": code, "name": municipality_name(code),
            "institutions": sorted(institutions, key=lambda i: (i["name"], i["institution_id"]))}


def list_officials(caller: CallerFacts, code: str) -> list[dict[str, Any]]:
    require(policy.administer(caller))
    code = _municipality(code)
    appointed = officials_of(code)
    names = display_names({official.person_id for official in appointed})
    return [{"person_id": official.person_id, "name": names.get(official.person_id, ""),
             "valid_from": official.valid_from, "valid_to": official.valid_to} for official in appointed]


def appoint_official(
    caller: CallerFacts, code: str, person_id: str, body: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Appoint (True: new) or change the validity of an appointment; acts on the official's next request."""
    require(policy.administer(caller))
    code = _municipality(code)
    person_id = checked_person_id(person_id)
    try:
        data = validate_model(OfficialInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    official = Official(code, person_id, valid_from=data.valid_from.isoformat(), valid_to=data.valid_to.isoformat(),
                        created_at=datetime.now(UTC), created_by=caller.person_id)
    created = appoint(official)
    return {"municipality": code, "person_id": person_id, "valid_from": official.valid_from,
            "valid_to": official.valid_to}, created


def remove_official(caller: CallerFacts, code: str, person_id: str) -> None:
    """Remove an appointment: the next request of that official is refused."""
    require(policy.administer(caller))
    code = _municipality(code)
    if not remove(code, checked_person_id(person_id)):
        raise Problem(P.official.not_found)
