"""What the ministry submits about institutions (profiles and data-processing permits), about
municipality officials and its own people (an appointment's validity), and what a data-protection
auditor states for a lookup."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from chalicelib.domain.access import STAFF_REPRESENTATIVE, STAFF_ROLES
from chalicelib.domain.legal_entity import legal_entity_code_error
from chalicelib.domain.municipalities import municipality_code
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.validation import fail, parse_iso_date, text_field

INSTITUTION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,39}")
SCOPES = frozenset({"read", "write"})
MAX_PERMIT_YEARS = 10


def _institution_id(value: object) -> str:
    if not isinstance(value, str):
        raise fail("type")
    if not INSTITUTION_ID_RE.fullmatch(value):
        raise fail("format")
    return value


def _legal_entity_code(value: object) -> str:
    if not isinstance(value, str):
        raise fail("type")
    if not value.strip():
        raise fail("required")  # an empty form field is missing, not a wrong character
    reason = legal_entity_code_error(value)
    if reason:
        raise fail(reason)
    return value.strip()


def _municipality(value: object) -> str:
    if not isinstance(value, str):
        raise fail("type")
    if not value.strip():
        raise fail("required")
    code = municipality_code(value)
    if code is None:
        raise fail("choice")
    return code


def _scope(value: object) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise fail("type")
    scope = frozenset(value)
    if not scope <= SCOPES:
        raise fail("choice")
    # Writing without reading makes no sense for a school: write implies read.
    return scope | {"read"} if "write" in scope else scope


def _date(value: object) -> date:
    return parse_iso_date(value)


def _staff_role(value: object) -> str:
    if not isinstance(value, str):
        raise fail("type")
    if value not in STAFF_ROLES:
        raise fail("choice")
    return value


def _check_period(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise fail("before_start", "valid_to")
    if (valid_to - valid_from).days > MAX_PERMIT_YEARS * 366:
        raise fail("range", "valid_to")


InstitutionId = Annotated[str, BeforeValidator(_institution_id)]
# The rules of an institution's facts, named for every input that takes them (a profile, a permit,
# a permit application: chalicelib/domain/applications.py).
LegalEntityCode = Annotated[str, BeforeValidator(_legal_entity_code)]
MunicipalityCode = Annotated[str, BeforeValidator(_municipality)]  # a code or a name in; stored as its code
Scope = Annotated[frozenset[str], BeforeValidator(_scope)]


class InstitutionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    institution_id: InstitutionId
    name: Annotated[str, text_field(300)]
    legal_entity_code: LegalEntityCode
    municipality: MunicipalityCode  # stored as its code (LT-57)


class ValidityInput(BaseModel):
    """A period the ministry grants something for (a permit, an official's appointment): ISO dates,
    both inclusive, at most `MAX_PERMIT_YEARS` long, so that every grant comes up for review."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_from: Annotated[date, BeforeValidator(_date)]
    valid_to: Annotated[date, BeforeValidator(_date)]

    @model_validator(mode="after")
    def _period(self) -> Self:
        _check_period(self.valid_from, self.valid_to)
        return self


class PermitInput(ValidityInput):
    scope: Scope


class OfficialInput(ValidityInput):
    """`PUT /municipalities/{code}/officials/{person_id}`: the appointment's validity."""


class MinistryStaffInput(ValidityInput):
    """`PUT /ministry/staff/{role}/{person_id}`: the appointment's validity, as a municipality official's."""


# A case reference is a complaint's or an inquiry's number and a few words: it is shown to the
# citizen in their journal, so it is kept short.
MAX_CASE_LENGTH = 200


def _person_id(value: object) -> str:
    if not isinstance(value, str):
        raise fail("type")
    person_id = normalise_person_id(value)
    reason = person_id_error(person_id)
    if reason:
        raise fail(reason)
    return person_id


class AuditInput(BaseModel):
    """`POST /audit/journal`: whose journal, for which case; the personal code travels in the body,
    never in a URL (URLs are logged). `cursor` continues a page; `limit` is 1–100."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    person_id: Annotated[str, BeforeValidator(_person_id)]
    case: Annotated[str, text_field(MAX_CASE_LENGTH)]
    cursor: str | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class StaffInput(BaseModel):
    """`PUT /institutions/{iid}/staff/{person_id}`'s optional body: the entry's role and validity.
    The validity is both dates or neither; without it the entry holds until removed (as every entry
    stored before validities existed does)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_from: Annotated[date | None, BeforeValidator(_date)] = None
    valid_to: Annotated[date | None, BeforeValidator(_date)] = None
    role: Annotated[str, BeforeValidator(_staff_role)] = STAFF_REPRESENTATIVE

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_from is None and self.valid_to is not None:
            raise fail("required", "valid_from")
        if self.valid_to is None and self.valid_from is not None:
            raise fail("required", "valid_to")
        if self.valid_from is not None and self.valid_to is not None:
            _check_period(self.valid_from, self.valid_to)
        return self
