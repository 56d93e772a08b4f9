"""Permit applications (docs/APPLICATIONS.md): what a person submits on behalf of an education
provider, and what the ministry decides. Pure: validation and the rules of a decision.

The facts an application shares with an institution's profile and permit (legal entity code,
municipality, scope, validity, institution id) are validated by the same rules as the ministry's
own inputs (`domain/institutions.py`); a programme is written as a record's programme is
(`(301001001) Vidurinio ugdymo programa`, or the code alone: `domain/records.py`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from chalicelib.domain.access import minor_by_code
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.institutions import InstitutionId, LegalEntityCode, MunicipalityCode, Scope, ValidityInput
from chalicelib.domain.person_id import normalise_person_id
from chalicelib.domain.personal_code import personal_code_error
from chalicelib.domain.records import FORMS
from chalicelib.domain.text import TextError, clean_text
from chalicelib.domain.validation import fail, text_field

PENDING, APPROVED, REJECTED = "PENDING", "APPROVED", "REJECTED"
STATUSES = (PENDING, APPROVED, REJECTED)
MAX_PROGRAMMES = 20
MAX_PURPOSE = 1000
MAX_REASON = 1000
# How many applications one person may have pending at once (services/applications.py keeps the
# count race-free): enough for a person applying for a few providers, too few to hold every legal
# entity's one pending slot (docs/APPLICATIONS.md, "Limits").
MAX_PENDING_PER_APPLICANT = 3

# The steps an institution's log keeps (services/institution_log.py), each with what it names.
APPLIED, INSTITUTION_CREATED, PERMIT_GRANTED = "APPLIED", "INSTITUTION_CREATED", "PERMIT_GRANTED"
ADMINISTRATOR_APPOINTED = "ADMINISTRATOR_APPOINTED"
PERMIT_REVOKED, PERMIT_SUSPENDED = "PERMIT_REVOKED", "PERMIT_SUSPENDED"
STAFF_APPOINTED, STAFF_CHANGED, STAFF_REMOVED = "STAFF_APPOINTED", "STAFF_CHANGED", "STAFF_REMOVED"
# A representative's writes suspended (identity mismatches, services/suspension.py) and the ministry lifting it.
STAFF_SUSPENDED, SUSPENSION_LIFTED = "STAFF_SUSPENDED", "SUSPENSION_LIFTED"
LOG_EVENTS = (APPLIED, APPROVED, REJECTED, INSTITUTION_CREATED, PERMIT_GRANTED, ADMINISTRATOR_APPOINTED,
              PERMIT_REVOKED, PERMIT_SUSPENDED, STAFF_APPOINTED, STAFF_CHANGED, STAFF_REMOVED, STAFF_SUSPENDED,
              SUSPENSION_LIFTED)


def _personal_code(value: object) -> str:
    """The responsible person logs in through the state gateway, so a personal code (not a
    register-issued id: such a person cannot log in to administer)."""
    if not isinstance(value, str):
        raise fail("type")
    code = normalise_person_id(value)
    if not code:
        raise fail("required")
    reason = personal_code_error(code)
    if reason:
        raise fail(reason)
    if minor_by_code(code, vilnius_today()):
        raise fail("minor")  # an administrator acts for the institution: of age, as any staff
    return code


def _programmes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail("required" if value in (None, [], "") else "type")
    if len(value) > MAX_PROGRAMMES:
        raise fail("range")
    programmes: list[str] = []
    for entry in value:
        try:
            text = clean_text(entry, 300)
        except TextError as exc:
            raise fail(exc.reason) from None
        if text is None:
            raise fail("required")
        normalised = FORMS["programme"](text)
        if normalised not in programmes:
            programmes.append(normalised)
    return tuple(programmes)


PersonalCode = Annotated[str, BeforeValidator(_personal_code)]


class ApplicationInput(BaseModel):
    """`POST /applications`: a permit asked for on behalf of an education provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    legal_entity_code: LegalEntityCode
    name: Annotated[str, text_field(300)]
    municipality: MunicipalityCode
    scope: Scope
    purpose: Annotated[str, text_field(MAX_PURPOSE)]
    programmes: Annotated[tuple[str, ...], BeforeValidator(_programmes)]
    responsible_person_id: PersonalCode


class ApprovalInput(ValidityInput):
    """`POST /applications/{id}/approval`: the permit's validity and scope (not wider than asked:
    checked against the application by `scope_error`), and optionally the institution's id — by
    default the legal entity code (docs/APPLICATIONS.md, "The institution's id")."""

    scope: Scope
    institution_id: InstitutionId | None = None
    reason: Annotated[str | None, text_field(MAX_REASON)] = None


class RejectionInput(BaseModel):
    """`POST /applications/{id}/rejection`: the ministry's reason, which the applicant reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: Annotated[str, text_field(MAX_REASON)]


def scope_error(granted: frozenset[str], asked: frozenset[str]) -> str | None:
    """A permit is never wider than the application asked for: `range` if it is."""
    return None if granted <= asked else "range"


def institution_id_for(legal_entity_code: str, chosen: str | None) -> str:
    """The institution an approval acts on: the ministry's choice, else the legal entity code —
    how the register's institutions are identified (devstack/seed.py), so an approval for a
    provider already registered under its code adds to it instead of creating a second one."""
    return chosen or legal_entity_code
