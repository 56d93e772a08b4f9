"""Who manages an institution's staff (`policy.manage_staff`) and when an entry counts — pure logic."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain import problems as P
from chalicelib.domain.access import STAFF_ADMINISTRATOR, STAFF_REPRESENTATIVE, minor_by_code, staff_entry_valid
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.policy import CallerFacts, manage_staff

ADMIN = CallerFacts("admin", staff_scopes={"inst-a": frozenset()}, administers=frozenset({"inst-a"}))


@pytest.mark.parametrize(("caller", "institution", "role", "person", "code"), [
    (CallerFacts("m", is_ministry=True), "inst-a", STAFF_ADMINISTRATOR, "x", None),
    # No one appoints or changes themself, the ministry's official included.
    (CallerFacts("m", is_ministry=True), "inst-a", STAFF_ADMINISTRATOR, "m", P.staff.self),
    (CallerFacts("m", is_ministry=True), "inst-a", STAFF_REPRESENTATIVE, "m", P.staff.self),
    (ADMIN, "inst-a", STAFF_ADMINISTRATOR, "admin", P.staff.self),
    (ADMIN, "inst-a", STAFF_REPRESENTATIVE, "x", None),  # whatever the permit's scope (none here)
    (ADMIN, "inst-a", STAFF_ADMINISTRATOR, "x", P.staff.administrator),
    (ADMIN, "inst-b", STAFF_REPRESENTATIVE, "x", P.access.administrator),
    (ADMIN, "inst-a", STAFF_REPRESENTATIVE, "admin", P.staff.self),
    (CallerFacts("rep", staff_scopes={"inst-a": frozenset({"read", "write"})}), "inst-a", STAFF_REPRESENTATIVE, "x",
     P.access.administrator),
])
def test_manage_staff(caller: CallerFacts, institution: str, role: str, person: str, code: P.Code | None) -> None:
    decision = manage_staff(caller, institution, role, person)
    assert decision.allowed is (code is None)
    assert decision.code is code


@pytest.mark.parametrize(("code", "minor"), [
    (make_personal_code("M", date(2008, 3, 2), 1), True),  # 18 tomorrow
    (make_personal_code("M", date(2008, 3, 1), 1), False),  # 18 today
    (make_personal_code("F", date(1980, 1, 1), 2), False),
    ("MR-0123456789", False),  # a register-issued id says nothing
])
def test_a_minor_is_told_by_the_personal_codes_birth_date(code: str, minor: bool) -> None:
    assert minor_by_code(code, date(2026, 3, 1)) is minor


@pytest.mark.parametrize(("valid_from", "valid_to", "counts"), [
    (None, None, True),  # stored before validities existed
    ("2026-03-01", "2026-03-01", True),
    ("2026-03-02", "2026-12-31", False),
    ("2025-01-01", "2026-02-28", False),
])
def test_a_staff_entry_counts_only_within_its_validity(valid_from: str | None, valid_to: str | None,
                                                       counts: bool) -> None:
    assert staff_entry_valid(valid_from, valid_to, date(2026, 3, 1)) is counts
