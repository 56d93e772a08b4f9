"""The ministry's roles as pure decisions (`policy.manage_ministry_staff`, `policy.audit_journal`),
their independence from one another, and which `officials` partitions are ministry roles."""

from __future__ import annotations

import pytest

from chalicelib.domain import problems as P
from chalicelib.domain.access import (
    AUDITOR,
    MINISTRY_ADMINISTRATOR_ROLE,
    MINISTRY_LOG_PARTITION,
    login_roles,
    ministry_role,
)
from chalicelib.domain.municipalities import is_municipality
from chalicelib.domain.policy import (
    CallerFacts,
    administer,
    audit_journal,
    audit_person,
    manage_ministry_staff,
    read_person,
    see_ministry_log,
    see_ministry_staff,
    see_municipality,
)

ADMIN = CallerFacts("admin", ministry_administrator=True)
OFFICIAL = CallerFacts("official", is_ministry=True)
AUDITOR_FACTS = CallerFacts("auditor", auditor=True)
EVERYTHING = CallerFacts("all", is_ministry=True, ministry_administrator=True, auditor=True)


@pytest.mark.parametrize(("caller", "person", "code"), [
    (ADMIN, "x", None),
    (ADMIN, "admin", P.ministry.self),  # never themself: so they cannot end the last administrator either
    (EVERYTHING, "all", P.ministry.self),
    (OFFICIAL, "x", P.access.ministry_administrator),  # the ministry, but not its administrator
    (AUDITOR_FACTS, "x", P.access.ministry_administrator),
    (CallerFacts("rep", staff_scopes={"inst-a": frozenset({"read", "write"})}, administers=frozenset({"inst-a"})),
     "x", P.access.ministry_administrator),
])
def test_manage_ministry_staff(caller: CallerFacts, person: str, code: P.Code | None) -> None:
    decision = manage_ministry_staff(caller, person)
    assert decision.allowed is (code is None)
    assert decision.code is code
    assert see_ministry_staff(caller).allowed is caller.ministry_administrator


@pytest.mark.parametrize(("caller", "case", "code"), [
    (AUDITOR_FACTS, "Skundas 15", None),
    (AUDITOR_FACTS, None, P.access.purpose_required),
    (AUDITOR_FACTS, "", P.access.purpose_required),
    (OFFICIAL, "Skundas 15", P.access.auditor),
    (ADMIN, "Skundas 15", P.access.auditor),
    (CallerFacts("guardian", minor_children=frozenset({"child"})), "Skundas 15", P.access.auditor),
])
def test_audit_journal(caller: CallerFacts, case: str | None, code: P.Code | None) -> None:
    decision = audit_journal(caller, case)
    assert decision.allowed is (code is None)
    assert decision.code is code
    if decision.allowed:
        assert decision.acting_role == AUDITOR


def test_the_roles_are_independent() -> None:
    # An administrator or an auditor is not the ministry: no institutions, no municipalities, no history.
    for caller in (ADMIN, AUDITOR_FACTS):
        assert administer(caller).code is P.access.ministry_only
        assert see_municipality(caller, None).allowed is False
        assert read_person(caller, "pupil", frozenset(), "purpose").code is P.person.not_found
    assert administer(OFFICIAL).allowed and audit_journal(OFFICIAL, "c").allowed is False
    assert login_roles(is_ministry=False, represented_institutions=(), has_minor_children=False,
                       ministry_administrator=True, auditor=True) == ["resident", MINISTRY_ADMINISTRATOR_ROLE, AUDITOR]


@pytest.mark.parametrize(("partition", "role"), [
    ("MINISTRY#ADMINISTRATOR", "ADMINISTRATOR"), ("MINISTRY#OFFICIAL", "OFFICIAL"), ("MINISTRY#AUDITOR", "AUDITOR"),
    ("MINISTRY#BOOTSTRAP", None), ("MINISTRY#", None), ("LT-57", None), ("OFFICIAL", None),
    (MINISTRY_LOG_PARTITION, None),
])
def test_which_partitions_hold_a_ministry_role(partition: str, role: str | None) -> None:
    assert ministry_role(partition) == role


PARENT_AUDITOR = CallerFacts("auditor", auditor=True, minor_children=frozenset({"child"}))


@pytest.mark.parametrize(("person", "code"), [
    ("someone", None),
    ("auditor", P.audit.self),  # their own journal: who read their data is what no citizen learns
    ("child", P.audit.self),  # nor their minor child's (the Population Register's children)
])
def test_an_auditor_never_audits_their_own_or_their_childs_journal(person: str, code: P.Code | None) -> None:
    decision = audit_person(PARENT_AUDITOR, person)
    assert decision.allowed is (code is None)
    assert decision.code is code


def test_the_ministry_log_is_its_administrators_and_auditors() -> None:
    assert [see_ministry_log(caller).allowed for caller in (ADMIN, AUDITOR_FACTS, OFFICIAL, EVERYTHING)] == [
        True, True, False, True]
    assert see_ministry_log(OFFICIAL).code is P.access.ministry_administrator


def test_the_log_partition_is_neither_a_role_nor_a_municipality() -> None:
    assert ministry_role(MINISTRY_LOG_PARTITION) is None and not is_municipality(MINISTRY_LOG_PARTITION)
