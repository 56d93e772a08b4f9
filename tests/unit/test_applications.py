"""Permit applications' pure rules (chalicelib/domain/applications.py) and their access decisions
(chalicelib/domain/policy.py), without AWS."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.applications import (
    ApplicationInput,
    ApprovalInput,
    RejectionInput,
    institution_id_for,
    scope_error,
)
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.legal_entity import make_legal_entity_code
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.validation import validate_model

CODE = make_legal_entity_code("30458112")
RESPONSIBLE = make_personal_code("F", date(1990, 2, 2), 9)
GOOD: dict[str, Any] = {"legal_entity_code": f" {CODE} ", "name": "  Saulėtekio progimnazija ",
                        "municipality": "Kauno miesto savivaldybė", "scope": ["write"], "purpose": "Ugdymas",
                        "programmes": ["201001001", "(201001001) Pagrindinio ugdymo programa", "201001001"],
                        "responsible_person_id": f" {RESPONSIBLE}\u00a0"}


def codes(model: Any, body: dict[str, Any]) -> set[str]:
    with pytest.raises(DomainValidationError) as raised:
        validate_model(model, body)
    return {error.code for error in raised.value.errors}


def test_a_good_application_is_normalised() -> None:
    data = validate_model(ApplicationInput, GOOD)
    assert data.legal_entity_code == CODE and data.name == "Saulėtekio progimnazija"
    assert data.municipality == "LT-15"  # a name in, its code stored (as InstitutionInput)
    assert data.scope == frozenset({"read", "write"})  # write implies read
    # Each programme as a record writes it; the same code twice is one.
    assert data.programmes == ("201001001", "(201001001) Pagrindinio ugdymo programa")
    assert data.responsible_person_id == RESPONSIBLE


@pytest.mark.parametrize(("change", "expected"), [
    ({"legal_entity_code": CODE[:-1] + str((int(CODE[-1]) + 1) % 10)}, "validation.legal_entity_code.checksum"),
    ({"legal_entity_code": "12345"}, "validation.legal_entity_code.length"),
    ({"municipality": "LT-99"}, "validation.municipality.choice"),
    ({"municipality": " "}, "validation.municipality.required"),
    ({"legal_entity_code": ""}, "validation.legal_entity_code.required"),
    ({"scope": []}, "validation.scope.type"),
    ({"scope": ["admin"]}, "validation.scope.choice"),
    ({"programmes": []}, "validation.programmes.required"),
    ({"programmes": ["Pradinis"]}, "validation.programmes.format"),
    ({"programmes": ["201001001"] * 21}, "validation.programmes.range"),
    ({"programmes": "201001001"}, "validation.programmes.type"),
    ({"responsible_person_id": "MR-0123456789"}, "validation.responsible_person_id.characters"),
    ({"responsible_person_id": ""}, "validation.responsible_person_id.required"),
    ({"purpose": "x" * 1001}, "validation.purpose.too_long"),
    ({"name": None}, "validation.name.required"),
    ({"institution_id": "x"}, "validation.institution_id.unknown"),
])
def test_each_bad_field_is_named(change: dict[str, Any], expected: str) -> None:
    assert codes(ApplicationInput, GOOD | change) == {expected}


def test_approval_and_rejection_inputs() -> None:
    good = {"scope": ["read"], "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
    assert validate_model(ApprovalInput, good).institution_id is None
    assert codes(ApprovalInput, good | {"valid_to": "2040-01-01"}) == {"validation.valid_to.range"}
    assert codes(ApprovalInput, good | {"institution_id": "a b"}) == {"validation.institution_id.format"}
    assert codes(RejectionInput, {"reason": " "}) == {"validation.reason.required"}
    assert codes(RejectionInput, {}) == {"validation.reason.required"}


def test_a_permit_is_never_wider_than_asked() -> None:
    read, both = frozenset({"read"}), frozenset({"read", "write"})
    assert scope_error(read, both) is None and scope_error(both, both) is None
    assert scope_error(both, read) == "range"


def test_the_institution_is_the_ministrys_choice_else_the_legal_entity_code() -> None:
    assert institution_id_for(CODE, None) == CODE
    assert institution_id_for(CODE, "vilniaus-saule") == "vilniaus-saule"


APPLICANT, OTHER = "39001010000", "49001010000"


def test_an_application_is_read_by_its_applicant_and_the_ministry_only() -> None:
    assert policy.read_application(CallerFacts(APPLICANT), APPLICANT).acting_role == "applicant"
    assert policy.read_application(CallerFacts(OTHER, is_ministry=True), APPLICANT).allowed
    for stranger in (CallerFacts(OTHER), CallerFacts(OTHER, administers=frozenset({"x"}),
                                                     municipalities=frozenset({"LT-57"}))):
        refused = policy.read_application(stranger, APPLICANT)
        assert not refused.allowed and refused.code == P.application.not_found


def test_the_ministry_decides_but_not_its_own_or_where_named() -> None:
    ministry = CallerFacts(OTHER, is_ministry=True)
    assert policy.decide_application(ministry, APPLICANT, APPLICANT).allowed
    assert policy.decide_application(ministry, OTHER, APPLICANT).code == P.application.own
    assert policy.decide_application(ministry, APPLICANT, OTHER).code == P.application.own
    assert policy.decide_application(CallerFacts(OTHER), APPLICANT, APPLICANT).code == P.access.ministry_only


def test_the_log_is_read_by_the_ministry_and_the_institutions_administrator() -> None:
    assert policy.read_institution_log(CallerFacts(OTHER, is_ministry=True), "a").allowed
    admin = CallerFacts(OTHER, administers=frozenset({"a"}), staff_scopes={"a": frozenset(), "b": frozenset()})
    assert policy.read_institution_log(admin, "a").acting_role == "institution_administrator"
    for institution in ("b", "c"):  # a plain representative at b; nothing at c
        assert policy.read_institution_log(admin, institution).code == P.access.administrator
