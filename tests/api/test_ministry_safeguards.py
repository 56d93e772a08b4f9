"""The safeguards around ministry roles (docs/ACCESS.md, "Ministry roles"): an auditor never audits
their own or their child's journal; the ministry always keeps an administrator for the next
`ADMINISTRATOR_COVER_DAYS`; every change of a ministry role is kept in the ministry's log and on the
person's own journal, and the name shown is the one read then; a change never silently re-appoints
someone removed meanwhile."""
# ruff: noqa: F811 - the fixtures `admin` and `auditor` are imported from test_ministry_roles.py

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.access import (
    ADMINISTRATOR_COVER_DAYS,
    MINISTRY_ADMINISTRATOR,
    MINISTRY_AUDITOR,
    MINISTRY_LOG_PARTITION,
    MINISTRY_OFFICIAL,
    ministry_partition,
)
from chalicelib.domain.checksum import mod11_check_digit
from chalicelib.models.officials import Official, ministry_appointment, ministry_staff
from chalicelib.models.persons import Person
from chalicelib.services import access as access_service
from chalicelib.services import ministry as ministry_service
from chalicelib.services.access import appointed, caller_facts
from chalicelib.services.population import Child, population_register
from tests.api.conftest import PEOPLE, TODAY, World
from tests.api.test_ministry_roles import (  # noqa: F401 - `admin`, `auditor` are fixtures
    ADMIN,
    CASE,
    TARGET,
    admin,
    appoint,
    auditor,
    code,
    log_in,
    named_in_ministry_staff,
    period,
    staff,
)

# --- an auditor never audits their own journal, nor their child's -----------------------------------


def test_an_auditor_does_not_audit_their_own_journal(auditor: World) -> None:
    """Their own journal would tell them which official read their data — what no citizen learns —
    and the AUDIT entry meant for the citizen would be shown to the auditor themself."""
    read = auditor.call("ministry", "GET", f"/persons/{PEOPLE[TARGET]}/history?purpose=Patikrinimas")
    assert read.status_code == 200, read.body
    own = auditor.call(TARGET, "POST", "/audit/journal", {"person_id": PEOPLE[TARGET], "case": CASE})
    assert (own.status_code, code(own)) == (403, "audit.self")
    assert PEOPLE["ministry"] not in own.body.decode()


def test_an_auditor_does_not_audit_their_minor_childs_journal(admin: World) -> None:
    assert admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE['guardian']}",
                      period(0, 30)).status_code == 201
    child = admin.call("guardian", "POST", "/audit/journal", {"person_id": PEOPLE["pupil_a"], "case": CASE})
    assert (child.status_code, code(child)) == (403, "audit.self")
    assert not [e for e in admin.call("pupil_a", "GET", "/me/journal").json_body["events"] if e["action"] == "AUDIT"]
    # Anyone else's journal, for a stated case, stays theirs to audit.
    other = admin.call("guardian", "POST", "/audit/journal", {"person_id": PEOPLE["pupil_b"], "case": CASE})
    assert other.status_code == 200, other.body


# --- the ministry always keeps an administrator ------------------------------------------------------


def test_two_administrators_removing_each_other_leave_one_valid_tomorrow(admin: World) -> None:
    """An administrator whose appointment ends today cannot remove the only other one: from tomorrow
    the ministry would have none (only MINISTRY_STAFF could bootstrap one then)."""
    appoint(TARGET, MINISTRY_ADMINISTRATOR, start=-30, end=0)  # ends today
    log_in(admin, TARGET)
    removed = admin.call(TARGET, "DELETE", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[ADMIN]}")
    assert (removed.status_code, code(removed)) == (409, "ministry.last_administrator")
    shortened = admin.call(TARGET, "PUT", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[ADMIN]}", period(-1, 1))
    assert (shortened.status_code, code(shortened)) == (409, "ministry.last_administrator")
    tomorrow = TODAY + timedelta(days=1)
    assert caller_facts(PEOPLE[ADMIN], tomorrow).ministry_administrator


def test_an_administrator_is_removed_or_shortened_while_another_stays_for_the_period(admin: World) -> None:
    # ADMIN is valid until today + 30: they stay, so they may remove or shorten another administrator.
    appoint(TARGET, MINISTRY_ADMINISTRATOR)
    path = f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[TARGET]}"
    assert admin.call(ADMIN, "PUT", path, period(-1, 2)).status_code == 200
    assert admin.call(ADMIN, "DELETE", path).status_code == 204
    # An administrator staying only ADMINISTRATOR_COVER_DAYS - 1 days is not enough...
    appoint(TARGET, MINISTRY_ADMINISTRATOR, end=ADMINISTRATOR_COVER_DAYS - 1)
    log_in(admin, TARGET)
    refused = admin.call(TARGET, "DELETE", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[ADMIN]}")
    assert (refused.status_code, code(refused)) == (409, "ministry.last_administrator")
    # ...but lengthening the other's appointment is no removal, and another who stays is enough.
    assert admin.call(TARGET, "PUT", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[ADMIN]}",
                      period(-1, 400)).status_code == 200
    appoint("official", MINISTRY_ADMINISTRATOR, end=ADMINISTRATOR_COVER_DAYS)
    assert admin.call(TARGET, "DELETE", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[ADMIN]}").status_code == 204
    # Other roles are never held back by it.
    appoint("pupil_b", MINISTRY_OFFICIAL)
    assert admin.call(TARGET, "DELETE", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE['pupil_b']}").status_code == 204


def test_the_administrator_who_stays_is_checked_in_the_same_transaction(
    admin: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The acting administrator leaves in 5 days; `official` is the one who stays. Another
    administrator shortens `official` between this request's read and its write: the transaction's
    check on `official` refuses the removal, so the two changes cannot both land."""
    appoint(ADMIN, MINISTRY_ADMINISTRATOR, end=5)
    appoint(TARGET, MINISTRY_ADMINISTRATOR, end=60)
    appoint("official", MINISTRY_ADMINISTRATOR, end=60)
    real = ministry_staff  # what the service calls (monkeypatched there below)

    def read_then_shortened(role: str) -> list[Official]:
        found = real(role)
        Official(ministry_partition(MINISTRY_ADMINISTRATOR), PEOPLE["official"]).update(
            actions=[Official.valid_to.set((TODAY + timedelta(days=3)).isoformat())])
        return found

    monkeypatch.setattr(ministry_service, "ministry_staff", read_then_shortened)
    refused = admin.call(ADMIN, "DELETE", f"/ministry/staff/{MINISTRY_ADMINISTRATOR}/{PEOPLE[TARGET]}")
    assert (refused.status_code, code(refused)) == (409, "ministry.last_administrator")
    assert {a.person_id for a in real(MINISTRY_ADMINISTRATOR)} == {PEOPLE[w] for w in (ADMIN, TARGET, "official")}


# --- no name lookup without a trace ------------------------------------------------------------------


def test_a_ministry_administrator_learns_no_strangers_name_without_a_trace(admin: World) -> None:
    """Appointing a guessed code for a far future period, reading the list, removing it: the person's
    own journal shows both changes, and the ministry's log keeps them for its auditors."""
    future = period(300, 301)
    probe = f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE['pupil_b']}"
    log_in(admin, "pupil_b")
    before = len(admin.call("pupil_b", "GET", "/me/journal?limit=100").json_body["events"])
    assert admin.call(ADMIN, "PUT", probe, future).status_code == 201
    listed = staff(admin)
    learnt = next(r["name"] for r in listed if r["person_id"] == PEOPLE["pupil_b"])
    assert admin.call(ADMIN, "DELETE", probe).status_code == 204
    mine = admin.call("pupil_b", "GET", "/me/journal?limit=100").json_body["events"]
    assert learnt == "PupilB Testas" and len(mine) == before + 2
    assert [(e["action"], e["actor"]["role"]) for e in mine[:2]] == [("MINISTRY_ROLE", "ministry_administrator")] * 2
    assert (mine[0]["before"], mine[0]["after"]) == ({"ministry_role": MINISTRY_AUDITOR} | future, None)
    assert (mine[1]["before"], mine[1]["after"]) == (None, {"ministry_role": MINISTRY_AUDITOR} | future)
    assert PEOPLE[ADMIN] not in str(mine)  # the person sees the ministry's administrator, not which one
    log = admin.call(ADMIN, "GET", "/ministry/log").json_body["entries"]
    rows = [(e["action"], e["role"], e["person_id"], e["acted_by"], e["valid_from"], e["valid_to"]) for e in log[:2]]
    assert rows == [
        (action, MINISTRY_AUDITOR, PEOPLE["pupil_b"], PEOPLE[ADMIN], *future.values())
        for action in ("REMOVED", "APPOINTED")]


def test_the_list_shows_the_name_read_at_appointment(admin: World) -> None:
    assert admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE[TARGET]}",
                      period(0, 30)).status_code == 201
    person = Person.get(PEOPLE[TARGET])
    person.update(actions=[Person.given_name.set("Renamed")])
    # A change of validity keeps the name read at appointment: no further lookup.
    assert admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE[TARGET]}",
                      period(0, 40)).status_code == 200
    assert next(r["name"] for r in staff(admin) if r["person_id"] == PEOPLE[TARGET]) == "Resident Testas"


def test_the_ministry_log_pages_newest_first_for_administrators_and_auditors(auditor: World) -> None:
    path = f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE['pupil_b']}"
    log_in(auditor, "pupil_b")
    assert auditor.call(ADMIN, "PUT", path, period(0, 10)).status_code == 201
    assert auditor.call(ADMIN, "PUT", path, period(0, 20)).status_code == 200
    assert auditor.call(ADMIN, "DELETE", path).status_code == 204
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = auditor.call(TARGET, "GET", f"/ministry/log{query}")  # the auditor (fixture) reads it too
        assert page.status_code == 200, page.body
        seen += page.json_body["entries"]
        cursor = page.json_body["next_cursor"]
        if not cursor:
            break
    assert [(e["action"], e["role"], e["valid_to"]) for e in seen] == [
        ("REMOVED", MINISTRY_OFFICIAL, period(0, 20)["valid_to"]),
        ("CHANGED", MINISTRY_OFFICIAL, period(0, 20)["valid_to"]),
        ("APPOINTED", MINISTRY_OFFICIAL, period(0, 10)["valid_to"]),
        ("APPOINTED", MINISTRY_AUDITOR, period(0, 30)["valid_to"]),  # the fixture's auditor
    ]
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)
    for who in ("ministry", "official", "pupil_b"):
        refused = auditor.call(who, "GET", "/ministry/log")
        assert (refused.status_code, code(refused)) == (403, "access.ministry_administrator"), who


def test_a_log_item_never_counts_as_an_appointment_or_a_municipality(admin: World) -> None:
    for role in (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR):
        assert admin.call(ADMIN, "PUT", f"/ministry/staff/{role}/{PEOPLE[TARGET]}", period(0, 30)).status_code == 201
        assert admin.call(ADMIN, "DELETE", f"/ministry/staff/{role}/{PEOPLE[TARGET]}").status_code == 204
    lines = list(Official.query(MINISTRY_LOG_PARTITION))
    assert len(lines) == 6 and {line.log_person for line in lines} == {PEOPLE[TARGET]}
    # Neither the person acted on nor the one acting holds anything from the log.
    assert appointed(PEOPLE[TARGET], TODAY) == (frozenset(), frozenset())
    assert appointed(PEOPLE[ADMIN], TODAY) == (frozenset(), frozenset({MINISTRY_ADMINISTRATOR}))
    # The index holds a line under its own key (a moment), which is nobody's: it grants nothing.
    assert all(appointed(line.person_id, TODAY) == (frozenset(), frozenset()) for line in lines)
    assert [m["code"] for m in admin.call("official", "GET", "/me").json_body["municipalities"]] == ["LT-57"]
    assert not [r for r in staff(admin) if r["person_id"] == PEOPLE[TARGET]]


def test_a_bootstrap_is_logged(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    named_in_ministry_staff(monkeypatch, "resident")
    assert access_service.caller_facts(PEOPLE["resident"]).ministry_administrator
    [line] = Official.query(MINISTRY_LOG_PARTITION)
    assert (line.log_action, line.log_role, line.log_person, line.created_by) == (
        "APPOINTED", MINISTRY_ADMINISTRATOR, PEOPLE["resident"], "MINISTRY_STAFF")


# --- a change is conditional on the item as read ----------------------------------------------------


def test_a_validity_change_racing_a_removal_does_not_silently_undo_it(
    admin: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Administrator B removes official C while administrator A changes C's validity: A read C before
    B's removal landed. A's write is conditional on C as read: refused, and C stays removed."""
    appoint(TARGET, MINISTRY_OFFICIAL)
    real = ministry_appointment

    def read_then_removed(role: str, person_id: str) -> Any:
        found = real(role, person_id)
        if found is not None and role == MINISTRY_OFFICIAL:
            Official(ministry_partition(role), person_id).delete()  # B's DELETE lands here
        return found

    monkeypatch.setattr(ministry_service, "ministry_appointment", read_then_removed)
    changed = admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE[TARGET]}", period(0, 5))
    monkeypatch.setattr(ministry_service, "ministry_appointment", real)
    assert (changed.status_code, code(changed)) == (409, "ministry.conflict")
    assert real(MINISTRY_OFFICIAL, PEOPLE[TARGET]) is None


def test_a_change_racing_a_removal_and_a_new_appointment_is_refused(
    admin: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removed and appointed anew (by `official`, another administrator) between A's read and write:
    the item is not the one A read, so A's change — and A's removal — are refused."""
    appoint(TARGET, MINISTRY_AUDITOR)
    appoint("official", MINISTRY_ADMINISTRATOR)
    real = ministry_appointment

    def read_then_replaced(role: str, person_id: str) -> Any:
        found = real(role, person_id)
        if found is not None and role == MINISTRY_AUDITOR:
            Official(ministry_partition(role), person_id, valid_from=found.valid_from, valid_to=found.valid_to,
                     created_at=datetime.now(UTC), created_by=PEOPLE["official"]).save()
        return found

    monkeypatch.setattr(ministry_service, "ministry_appointment", read_then_replaced)
    for method, body in (("PUT", period(0, 5)), ("DELETE", None)):
        refused = admin.call(ADMIN, method, f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE[TARGET]}", body)
        assert (refused.status_code, code(refused)) == (409, "ministry.conflict"), method
    monkeypatch.setattr(ministry_service, "ministry_appointment", real)
    stands = real(MINISTRY_AUDITOR, PEOPLE[TARGET])
    assert stands is not None and stands.created_by == PEOPLE["official"]  # B's appointment stands
    assert not list(Official.query(MINISTRY_LOG_PARTITION))  # nothing refused is logged
    assert len(ministry_staff(MINISTRY_AUDITOR)) == 1


# A girl born in 2014 whose code says the year only (month and day "00", as codes issued when the
# date was not known): 12 today, but `is_minor` cannot tell from an unknown date.
_UNDATED = "6140000" + "123"
UNDATED_CHILD = _UNDATED + str(mod11_check_digit(_UNDATED))
ADULT_CHILD = PEOPLE["resident"]  # the graduate, of age


@pytest.mark.parametrize("child", [UNDATED_CHILD, ADULT_CHILD], ids=["birth-year-only", "of-age"])
def test_an_auditor_does_not_audit_a_child_of_theirs_of_any_age(
    admin: World, monkeypatch: pytest.MonkeyPatch, child: str
) -> None:
    """Any child the Population Register gives the auditor is refused, not only one it can tell is a
    minor: an unknown birth date must not let the rule fail open, and a grown-up child's journal is
    still the auditor's own family's."""
    now = datetime.now(UTC)
    if child == UNDATED_CHILD:
        Person(UNDATED_CHILD, given_name="Ugnė", family_name="Testaitė", created_at=now, updated_at=now,
               updated_by="test", sex="F").save()
    real = population_register()

    class WithTheChild:  # the register's source, with one more child of the auditor's
        def children_of(self, person_id: str) -> list[Child]:
            born = None if child == UNDATED_CHILD else date(2000, 1, 1)
            extra = [Child(child, born)] if person_id == PEOPLE["guardian"] else []
            return [*real.children_of(person_id), *extra]

    monkeypatch.setattr(access_service, "population_register", WithTheChild)
    assert admin.call("resident2", "PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE['guardian']}",
                      period(0, 30)).status_code == 201
    refused = admin.call("guardian", "POST", "/audit/journal", {"person_id": child, "case": CASE})
    assert (refused.status_code, refused.json_body["code"]) == (403, "audit.self")
