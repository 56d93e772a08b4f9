"""The access policy as pure decisions (no AWS)."""

from datetime import date

from chalicelib.domain.access import PermitFacts, is_minor, login_roles, permit_is_valid
from chalicelib.domain.policy import (
    CallerFacts,
    act_for_institution,
    administer,
    read_person,
    see_institution,
    see_outside_education,
    visible_institutions,
    write_records,
)

RW = frozenset({"read", "write"})
REP_A = CallerFacts("rep", staff_scopes={"A": RW})
GUARDIAN = CallerFacts("parent", minor_children=frozenset({"child"}))
MINISTRY = CallerFacts("official", is_ministry=True)
NOBODY = CallerFacts("resident")


def test_own_data_needs_no_purpose_and_is_not_on_anyone_elses_behalf() -> None:
    decision = read_person(NOBODY, "resident", frozenset(), None)
    assert decision.allowed and decision.acting_role == "self"


def test_guardian_reads_a_minor_child_only() -> None:
    assert read_person(GUARDIAN, "child", frozenset(), None).acting_role == "guardian"
    refused = read_person(GUARDIAN, "stranger", frozenset(), None)
    assert (refused.allowed, refused.code) == (False, "person.not_found")


def test_representative_reads_pupils_of_their_institution_only() -> None:
    allowed = read_person(REP_A, "pupil", frozenset({"A", "B"}), None)
    assert allowed.allowed and allowed.acting_institution == "A"
    assert read_person(REP_A, "pupil", frozenset({"B"}), None).code == "person.not_found"
    # Naming another institution does not help; naming their own narrows to it.
    assert read_person(REP_A, "pupil", frozenset({"A"}), None, institution="B").code == "person.not_found"
    assert read_person(REP_A, "pupil", frozenset({"A"}), None, institution="A").allowed


def test_a_permit_without_read_scope_reads_nothing() -> None:
    write_only_staff = CallerFacts("rep", staff_scopes={"A": frozenset()})
    assert read_person(write_only_staff, "pupil", frozenset({"A"}), None).code == "person.not_found"


def test_ministry_needs_a_purpose() -> None:
    assert read_person(MINISTRY, "anyone", frozenset(), None).code == "access.purpose_required"
    assert read_person(MINISTRY, "anyone", frozenset(), "statistics").acting_role == "ministry"


def test_writes_need_a_valid_write_permit_of_that_institution() -> None:
    assert write_records(REP_A, "A").allowed
    assert write_records(REP_A, "B").code == "access.institution"
    assert write_records(CallerFacts("rep", staff_scopes={"A": frozenset({"read"})}), "A").code == "access.permit"
    assert write_records(MINISTRY, "A").code == "access.institution"  # the ministry does not write records


def test_institution_level_actions() -> None:
    assert act_for_institution(REP_A, "A", "write").allowed
    assert act_for_institution(REP_A, "B").code == "access.institution"
    assert administer(MINISTRY).allowed and not administer(REP_A).allowed
    assert see_institution(REP_A, "A").allowed and not see_institution(REP_A, "B").allowed
    assert visible_institutions(MINISTRY) is None and visible_institutions(REP_A) == frozenset({"A"})
    assert visible_institutions(NOBODY) == frozenset()


def test_permit_validity() -> None:
    permit = PermitFacts("ACTIVE", "2026-01-01", "2026-12-31", RW)
    assert permit_is_valid(permit, date(2026, 1, 1), "write")
    assert permit_is_valid(permit, date(2026, 12, 31))
    assert not permit_is_valid(permit, date(2027, 1, 1))
    assert not permit_is_valid(permit, date(2025, 12, 31))
    assert not permit_is_valid(PermitFacts("SUSPENDED", "2026-01-01", "2026-12-31", RW), date(2026, 6, 1))
    assert not permit_is_valid(PermitFacts("REVOKED", "2026-01-01", "2026-12-31", RW), date(2026, 6, 1))
    assert not permit_is_valid(PermitFacts("ACTIVE", "2026-01-01", "2026-12-31", frozenset({"read"})),
                               date(2026, 6, 1), "write")


def test_guardianship_ends_on_the_eighteenth_birthday() -> None:
    assert is_minor(date(2008, 11, 29), date(2026, 11, 28))
    assert not is_minor(date(2008, 11, 28), date(2026, 11, 28))
    # Born on 29 February: of age on 1 March of a common year.
    assert is_minor(date(2008, 2, 29), date(2026, 2, 28))
    assert not is_minor(date(2008, 2, 29), date(2026, 3, 1))
    assert not is_minor(None, date(2026, 1, 1))


def test_login_roles() -> None:
    assert login_roles(is_ministry=False, represented_institutions=[], has_minor_children=False) == ["resident"]
    assert login_roles(is_ministry=True, represented_institutions=["A"], has_minor_children=True) == [
        "resident", "guardian", "representative", "ministry"]
    assert login_roles(is_ministry=False, represented_institutions=[], has_minor_children=False,
                       municipalities=["LT-57"]) == ["resident", "municipality"]


def test_an_enrolment_gives_reading_while_open_and_for_months_after_it_ended() -> None:
    from chalicelib.domain.access import add_months, enrolment_standing

    today = date(2026, 12, 1)
    standing = enrolment_standing([("open", None), ("recent", "2025-12-01"), ("old", "2025-11-30"),
                                   ("both", "2020-06-30"), ("both", None)], today, 12)
    assert standing.reading == {"open", "recent", "both"} and standing.former == {"old"}
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 14) == date(2027, 1, 30)


def test_a_former_school_reads_only_what_it_wrote() -> None:
    from chalicelib.domain import policy

    rep = CallerFacts("rep", staff_scopes={"a": frozenset({policy.READ})})
    decision = policy.read_person(rep, "pupil", frozenset({"b"}), None, former=frozenset({"a"}))
    assert decision.allowed and decision.acting_institution == "a"
    assert policy.readable_in_full(rep, decision, frozenset({"b"}), former=frozenset({"a"})) == frozenset({"a"})
    assert not policy.sees_other_schools(rep, frozenset({"b"}))
    assert not policy.record_visible("ENROLLMENT", "b", frozenset({"a"}), others=False)
    assert policy.record_visible("EXAM", "a", frozenset({"a"}), others=False)
    assert not policy.read_person(rep, "pupil", frozenset({"b"}), None, former=frozenset({"c"})).allowed


def test_every_municipality_at_once_is_the_ministrys_and_an_official_names_their_own() -> None:
    from chalicelib.domain import problems as P
    from chalicelib.domain.policy import see_municipality

    official = CallerFacts("official", municipalities=frozenset({"LT-15"}))
    assert see_municipality(MINISTRY, None).allowed and see_municipality(official, "LT-15").allowed
    for caller, municipality in ((official, None), (official, "LT-57"), (REP_A, None), (NOBODY, "LT-15")):
        decision = see_municipality(caller, municipality)
        assert not decision.allowed and decision.code is P.access.municipality


def test_only_the_municipalitys_official_with_a_purpose_sees_its_children_outside_education() -> None:
    official = CallerFacts("official", municipalities=frozenset({"LT-57"}))
    allowed = see_outside_education(official, "LT-57", "check")
    assert (allowed.allowed, allowed.acting_role) == (True, "municipality")
    assert see_outside_education(official, "LT-57", None).code == "access.purpose_required"
    assert see_outside_education(official, "LT-15", "check").code == "access.municipality"
    # The ministry sees the national counts, never the children; nor does a school.
    for other in (MINISTRY, REP_A, NOBODY):
        assert see_outside_education(other, "LT-57", "check").code == "access.municipality"
