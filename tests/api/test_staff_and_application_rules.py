"""Rules that close ways around the permit applications and staff management (issue 16): names
the register holds are the ministry's to see, no one appoints themself, one person cannot hold
every legal entity's pending slot, a suspension outlives removal and is logged, a PUT that changes
nothing writes nothing, an approval never makes a permanent administrator of an ended entry, and a
minor is never staff (docs/APPLICATIONS.md, docs/ACCESS.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.config import settings
from chalicelib.domain.legal_entity import make_legal_entity_code
from chalicelib.domain.personal_code import parse_personal_code
from chalicelib.models.institutions import StaffMember, staff_entry
from chalicelib.services.suspension import note_identity_mismatches
from tests.api.conftest import PEOPLE, TODAY, World, record_body
from tests.api.test_applications import NEW_CODE, WORLD_CODE, application, applied, approval, events, log


@pytest.fixture
def world(world: World) -> World:
    """The world, where `resident2` (the responsible person of `applied`) can log in too."""
    from chalicelib.services.sessions import access_token_for, open_session

    code = PEOPLE["resident2"]
    world.tokens["resident2"] = access_token_for(code, open_session(code, "test").session_id)[0]
    return world


def administering(world: World, scope: list[str] | None = None) -> None:
    """resident2 administers the new institution NEW_CODE (an approval made them so)."""
    made = applied(world)
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                        approval(scope=scope or ["read"]))
    assert answer.status_code == 200, answer.json_body


def staff_list(world: World, who: str, institution: str) -> list[dict[str, Any]]:
    answer = world.call(who, "GET", f"/institutions/{institution}/staff")
    assert answer.status_code == 200, answer.json_body
    found: list[dict[str, Any]] = answer.json_body["representatives"]
    return found


def suspend(institution: str, who: str) -> None:
    """Enough identity mismatches in one go to pass the day's limit."""
    assert note_identity_mismatches(institution, PEOPLE[who], 1000)


# --- names: the ministry's only ----------------------------------------------------------------------


def test_an_administrator_sees_the_people_of_the_staff_list_and_log_by_code_never_by_name(world: World) -> None:
    """Appointing any personal code and reading the staff list or the log was a lookup of the
    register's name for it (a 12-year-old's here); an APPLIED entry named whoever an application
    said was responsible, a stranger included."""
    administering(world)
    guessed = PEOPLE["pupil_b"]
    adult = PEOPLE["adult_child"]
    assert world.call("resident2", "PUT", f"/institutions/{NEW_CODE}/staff/{adult}").status_code == 201
    probe = applied(world, who="resident2", responsible_person_id=guessed, scope=["read"])
    assert world.call("ministry", "POST", f"/applications/{probe['application_id']}/rejection",
                      {"reason": "Atsakingas asmuo nesusijęs su įstaiga."}).status_code == 200

    mine = {s["person_id"]: s for s in staff_list(world, "resident2", NEW_CODE)}
    assert set(mine) == {PEOPLE["resident2"], adult}
    assert {s["name"] for s in mine.values()} == {None}
    assert mine[adult]["role"] == "REPRESENTATIVE"
    entries = log(world, NEW_CODE, "resident2").json_body["entries"]
    concerned = {(e["event"], e["person_id"]) for e in entries if e["person_id"]}
    assert ("APPLIED", guessed) in concerned and ("STAFF_APPOINTED", adult) in concerned
    assert {e["person_name"] for e in entries} == {None}
    # A representative of an existing institution: the same.
    assert {s["name"] for s in staff_list(world, "rep_b", "inst-b")} == {None}

    # The ministry sees the register's names.
    theirs = {s["person_id"]: s["name"] for s in staff_list(world, "ministry", NEW_CODE)}
    assert theirs[adult] == "AdultChild Testas"
    named = {e["person_id"]: e["person_name"] for e in log(world, NEW_CODE).json_body["entries"] if e["person_id"]}
    assert named[guessed] == "PupilB Testas"


def test_without_the_lookup_an_approved_applicant_cannot_pass_the_identity_check(world: World) -> None:
    """An applicant with a write permit appoints a stranger's code, reads no name, and so cannot
    name them as the register does: the enrolment is a counted mismatch, the history stays hidden."""
    administering(world, scope=["read", "write"])
    victim = PEOPLE["pupil_b"]  # attends inst-b only
    assert world.call("resident2", "PUT", f"/institutions/{NEW_CODE}/staff/{victim}").status_code == 201
    shown = [s for s in staff_list(world, "resident2", NEW_CODE) if s["person_id"] == victim]
    assert shown and shown[0]["name"] is None
    assert world.call("resident2", "DELETE", f"/institutions/{NEW_CODE}/staff/{victim}").status_code == 204
    birth = parse_personal_code(victim).birth_date
    assert birth is not None
    enrolled = world.call("resident2", "POST", f"/institutions/{NEW_CODE}/records", {
        "kind": "ENROLLMENT", "person_id": victim, "given_name": "Spėjimas", "family_name": "Testas",
        "birth_date": birth.isoformat(), "source_id": "grab-1", "start_date": "2026-09-01", "programme": "201001001"})
    assert (enrolled.status_code, enrolled.json_body["code"]) == (422, "person.identity_mismatch")
    history = world.call("resident2", "GET", f"/persons/{victim}/history")
    assert (history.status_code, history.json_body["code"]) == (404, "person.not_found")


# --- no one appoints themself -------------------------------------------------------------------------


def test_the_ministry_cannot_appoint_itself_an_institutions_administrator_around_application_own(
    world: World,
) -> None:
    made = applied(world, who="resident", responsible_person_id=PEOPLE["ministry"])
    refused = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", approval())
    assert refused.status_code == 403 and refused.json_body["code"] == "application.own"
    own = f"/institutions/inst-a/staff/{PEOPLE['ministry']}"
    for method, body in (("PUT", {"role": "ADMINISTRATOR"}), ("PUT", None), ("DELETE", None)):
        around = world.call("ministry", method, own, body)
        assert around.status_code == 403 and around.json_body["code"] == "staff.self", around.json_body
    assert PEOPLE["ministry"] not in {s["person_id"] for s in staff_list(world, "ministry", "inst-a")}


# --- at most three pending applications per person ----------------------------------------------------


def _codes(count: int) -> list[str]:
    return [make_legal_entity_code(f"3045{n:04d}") for n in range(count)]


def test_one_person_holds_at_most_three_pending_applications(world: World) -> None:
    first, second, third, fourth = _codes(4)
    made = [applied(world, code=code) for code in (first, second, third)]
    refused = world.call("resident", "POST", "/applications", application(fourth))
    assert (refused.status_code, refused.json_body["code"]) == (409, "application.too_many")
    # Nothing of it was written: the legal entity is free for its own provider, and the queue holds three.
    assert world.call("rep_a", "POST", "/applications", application(fourth)).status_code == 201
    assert len(world.call("ministry", "GET", "/applications").json_body["applications"]) == 4
    # A decision frees a place — a rejection as an approval.
    assert world.call("ministry", "POST", f"/applications/{made[0]['application_id']}/rejection",
                      {"reason": "Ne ta įstaiga."}).status_code == 200
    again = world.call("resident", "POST", "/applications", application(first))
    assert again.status_code == 201, again.json_body
    assert world.call("resident", "POST", "/applications", application(_codes(5)[4])).json_body["code"] == (
        "application.too_many")
    # A legal entity's own pending application still answers as such, whoever holds it.
    assert world.call("resident", "POST", "/applications", application(second)).json_body["code"] == (
        "application.pending")


def test_two_applications_racing_for_the_last_place_end_in_one(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is conditioned in the application's own transaction: two sent together when one
    place is left (each read nothing beforehand) end in one 201 and one 409, never four pending."""
    codes = _codes(4)
    for code in codes[:2]:
        applied(world, code=code)
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.errors import Problem
    from chalicelib.services import applications
    from chalicelib.services.access import caller_facts

    # The service itself, from two threads: chalice.test.Client keeps one `current_request` for
    # the app, so two requests through it at once can swap their bodies.
    caller = caller_facts(PEOPLE["resident"])

    def apply(code: str) -> str:
        try:
            applications.apply(caller, application(code))
        except Problem as problem:
            return str(problem.code)
        return "applied"

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(apply, codes[2:]))
    assert sorted(answers) == ["application.too_many", "applied"]


# --- identifiers --------------------------------------------------------------------------------------


def test_an_institution_id_with_a_trailing_newline_is_not_a_new_institution(world: World) -> None:
    made = applied(world, code=WORLD_CODE)
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                        approval(institution_id="inst-a\n"))
    assert answer.status_code == 422, answer.json_body
    assert [e["code"] for e in answer.json_body["errors"]] == ["validation.institution_id.format"]
    created = world.call("ministry", "POST", "/institutions", {
        "institution_id": "inst-z\n", "name": "Z", "legal_entity_code": WORLD_CODE, "municipality": "LT-57"})
    assert created.status_code == 422, created.json_body


# --- a change that changes nothing writes nothing -----------------------------------------------------


def test_a_staff_put_that_changes_nothing_writes_nothing_to_the_log(world: World) -> None:
    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    body = {"valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=30)).isoformat()}
    answers = [world.call("resident", "PUT", f"/institutions/inst-b/staff/{PEOPLE['guardian']}", body)
               for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert answers[2].json_body["valid_to"] == body["valid_to"]
    assert events(world, "inst-b") == ["STAFF_APPOINTED", "STAFF_APPOINTED"]  # guardian's, resident's
    # A real change is logged.
    changed = world.call("resident", "PUT", f"/institutions/inst-b/staff/{PEOPLE['guardian']}",
                         {"role": "REPRESENTATIVE"})  # no validity: until removed
    assert changed.status_code == 200 and changed.json_body["valid_to"] is None
    assert events(world, "inst-b")[0] == "STAFF_CHANGED"


def test_an_approval_that_leaves_an_administrator_as_is_logs_no_appointment(world: World) -> None:
    assert world.call("ministry", "PUT", f"/institutions/inst-a/staff/{PEOPLE['resident2']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    made = applied(world, code=WORLD_CODE)
    approved = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                          approval(institution_id="inst-a"))
    assert approved.status_code == 200, approved.json_body
    logged = events(world, "inst-a")
    assert "PERMIT_GRANTED" in logged and "ADMINISTRATOR_APPOINTED" not in logged
    entry = staff_entry("inst-a", PEOPLE["resident2"])
    assert entry is not None and entry.role == "ADMINISTRATOR" and entry.valid_to is None


@pytest.mark.parametrize(("start", "end"), [(-30, -1), (5, 30), (None, None)],
                         ids=["expired", "not yet valid", "until removed"])
def test_approval_promoting_an_entry_gives_it_the_permits_validity(
    world: World, start: int | None, end: int | None,
) -> None:
    body = {} if start is None or end is None else {"valid_from": (TODAY + timedelta(days=start)).isoformat(),
                                                     "valid_to": (TODAY + timedelta(days=end)).isoformat()}
    assert world.call("ministry", "PUT", f"/institutions/inst-a/staff/{PEOPLE['resident2']}", body).status_code == 201
    made = applied(world, code=WORLD_CODE)
    granted = approval(institution_id="inst-a", valid_to=(TODAY + timedelta(days=90)).isoformat())
    assert world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                      granted).status_code == 200
    entry = staff_entry("inst-a", PEOPLE["resident2"])
    assert entry is not None
    assert (entry.role, entry.valid_from, entry.valid_to) == ("ADMINISTRATOR", granted["valid_from"],
                                                              granted["valid_to"])
    appointed = [e for e in log(world, "inst-a").json_body["entries"] if e["event"] == "ADMINISTRATOR_APPOINTED"]
    assert appointed[0]["details"]["valid_to"] == granted["valid_to"]


# --- suspensions ---------------------------------------------------------------------------------------


def test_a_suspension_and_its_lifting_are_in_the_institutions_log(world: World) -> None:
    suspend("inst-b", "rep_b")
    assert not note_identity_mismatches("inst-b", PEOPLE["resident"], 1000)  # not staff there: nothing
    suspended = log(world, "inst-b").json_body["entries"]
    assert [(e["event"], e["person_id"], e["actor"]["role"]) for e in suspended] == [
        ("STAFF_SUSPENDED", PEOPLE["rep_b"], "system")]
    # Suspended already: counted, not suspended (nor logged) again.
    assert note_identity_mismatches("inst-b", PEOPLE["rep_b"], 1)
    assert events(world, "inst-b") == ["STAFF_SUSPENDED"]
    path = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}/suspension"
    assert world.call("ministry", "DELETE", path).status_code == 204
    assert events(world, "inst-b") == ["SUSPENSION_LIFTED", "STAFF_SUSPENDED"]
    # Nothing left to lift: nothing changes, nothing is logged.
    assert world.call("ministry", "DELETE", path).status_code == 204
    assert events(world, "inst-b") == ["SUSPENSION_LIFTED", "STAFF_SUSPENDED"]
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b", "s-1")).status_code == 201


def test_an_administrator_cannot_clear_a_suspension_by_removing_and_reappointing(world: World) -> None:
    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    suspend("inst-b", "rep_b")
    rep_b = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}"
    assert world.call("resident", "DELETE", rep_b).status_code == 204
    # Removed: no longer staff on the next request, and removing again finds nothing.
    gone = world.call("rep_b", "GET", "/institutions/inst-b/permits")
    assert (gone.status_code, gone.json_body["code"]) == (403, "access.institution")
    assert world.call("resident", "DELETE", rep_b).json_body["code"] == "staff.not_found"
    entry = staff_entry("inst-b", PEOPLE["rep_b"])
    assert isinstance(entry, StaffMember) and entry.suspended_at is not None
    assert entry.valid_to == (TODAY - timedelta(days=1)).isoformat()

    assert world.call("resident", "PUT", rep_b).status_code == 200  # the same entry, in force again
    again = world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b", "s-2"))
    assert (again.status_code, again.json_body["code"]) == (403, "representative.suspended")
    assert world.call("rep_b", "GET", "/institutions/inst-b/permits").status_code == 200  # reads as before
    assert events(world, "inst-b")[:3] == ["STAFF_CHANGED", "STAFF_REMOVED", "STAFF_SUSPENDED"]

    # The ministry removes outright.
    assert world.call("ministry", "DELETE", rep_b).status_code == 204
    assert staff_entry("inst-b", PEOPLE["rep_b"]) is None


def test_removing_and_reappointing_does_not_restart_the_days_mismatch_count(world: World) -> None:
    """A representative at the day's limit of identity mismatches, not over it: their administrator's
    removal ends the entry rather than deleting it, so appointing them again keeps the day's count
    and the next mismatch suspends — the limit on guessing whose code is whose still bites."""
    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    limit = settings().identity_mismatch_limit
    assert not note_identity_mismatches("inst-b", PEOPLE["rep_b"], limit)
    rep_b = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}"
    assert world.call("resident", "DELETE", rep_b).status_code == 204
    gone = world.call("rep_b", "GET", "/institutions/inst-b/permits")
    assert (gone.status_code, gone.json_body["code"]) == (403, "access.institution")
    assert world.call("resident", "PUT", rep_b).status_code == 200  # the same entry, in force again
    assert note_identity_mismatches("inst-b", PEOPLE["rep_b"], 1)
    again = world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b", "s-1"))
    assert (again.status_code, again.json_body["code"]) == (403, "representative.suspended")


def test_a_suspension_landing_between_the_read_and_the_delete_is_not_wiped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete is conditional on what was read (not suspended, nothing counted today): a
    suspension written meanwhile (an upload's mismatches) refuses it, the entry is read again and
    ended with its suspension kept, and appointing the person again does not lift it."""
    from chalicelib.services import institutions as institutions_service

    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    real = staff_entry  # what the service reads the entry with
    suspended_meanwhile: list[bool] = []

    def read_then_suspended(institution_id: str, person_id: str) -> Any:
        stored = real(institution_id, person_id)
        if person_id == PEOPLE["rep_b"] and not suspended_meanwhile:
            suspended_meanwhile.append(True)
            suspend("inst-b", "rep_b")  # the ingest, between the read and the write
        return stored

    monkeypatch.setattr(institutions_service, "staff_entry", read_then_suspended)
    rep_b = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}"
    assert world.call("resident", "DELETE", rep_b).status_code == 204
    monkeypatch.setattr(institutions_service, "staff_entry", real)
    entry = staff_entry("inst-b", PEOPLE["rep_b"])
    assert isinstance(entry, StaffMember) and entry.suspended_at is not None
    assert entry.valid_to == (TODAY - timedelta(days=1)).isoformat()
    assert world.call("resident", "PUT", rep_b).status_code == 200
    again = world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b", "s-2"))
    assert (again.status_code, again.json_body["code"]) == (403, "representative.suspended")


@pytest.mark.parametrize("change", ["appoint", "remove"])
def test_an_administrator_removed_meanwhile_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """The ministry removes an institution's administrator between the access check (an index
    read, which may lag) and their staff write: the write checks their own entry in the same
    transaction, so it is refused and nothing is written or logged."""
    from chalicelib.services import institutions as institutions_service

    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}",
                      {"role": "ADMINISTRATOR"}).status_code == 201
    logged = events(world, "inst-b")
    real = staff_entry

    def read_then_administrator_removed(institution_id: str, person_id: str) -> Any:
        stored = real(institution_id, person_id)
        removed = real("inst-b", PEOPLE["resident"])
        if removed is not None:
            removed.delete()  # the ministry, meanwhile
        return stored

    monkeypatch.setattr(institutions_service, "staff_entry", read_then_administrator_removed)
    target = PEOPLE["guardian"] if change == "appoint" else PEOPLE["rep_b"]
    answer = world.call("resident", "PUT" if change == "appoint" else "DELETE", f"/institutions/inst-b/staff/{target}")
    monkeypatch.setattr(institutions_service, "staff_entry", real)
    assert (answer.status_code, answer.json_body["code"]) == (403, "access.administrator")
    assert (staff_entry("inst-b", PEOPLE["guardian"]) is None) and staff_entry("inst-b", PEOPLE["rep_b"]) is not None
    assert events(world, "inst-b") == logged


# --- minors -------------------------------------------------------------------------------------------


def test_a_minor_is_never_named_responsible_nor_appointed_staff(world: World) -> None:
    child = PEOPLE["pupil_a"]  # 12
    named = world.call("resident", "POST", "/applications", application(responsible_person_id=child))
    assert named.status_code == 422
    assert [e["code"] for e in named.json_body["errors"]] == ["validation.responsible_person_id.minor"]
    assert world.call("ministry", "GET", "/applications").json_body["applications"] == []
    for body in (None, {"role": "ADMINISTRATOR"}):
        appointed = world.call("ministry", "PUT", f"/institutions/inst-a/staff/{child}", body)
        assert appointed.status_code == 422
        assert [e["code"] for e in appointed.json_body["errors"]] == ["validation.person_id.minor"]
    assert child not in {s["person_id"] for s in staff_list(world, "ministry", "inst-a")}
    # Of age since yesterday: appointed.
    assert world.call("ministry", "PUT", f"/institutions/inst-a/staff/{PEOPLE['adult_child']}").status_code == 201


# --- the review of a provider registered already -------------------------------------------------------


def test_the_review_counts_the_registered_institutions_administrators_valid_today(world: World) -> None:
    created = world.call("ministry", "POST", "/institutions", {
        "institution_id": NEW_CODE, "name": "Saulėtekio progimnazija", "legal_entity_code": NEW_CODE,
        "municipality": "LT-57"})
    assert created.status_code == 201, created.json_body
    staff = f"/institutions/{NEW_CODE}/staff"
    expired = {"role": "ADMINISTRATOR", "valid_from": (TODAY - timedelta(days=30)).isoformat(),
               "valid_to": (TODAY - timedelta(days=1)).isoformat()}
    assert world.call("ministry", "PUT", f"{staff}/{PEOPLE['guardian']}", {"role": "ADMINISTRATOR"}).status_code == 201
    assert world.call("ministry", "PUT", f"{staff}/{PEOPLE['official']}", expired).status_code == 201
    assert world.call("ministry", "PUT", f"{staff}/{PEOPLE['rep_a']}").status_code == 201  # a representative
    made = applied(world)
    opened = world.call("ministry", "GET", f"/applications/{made['application_id']}").json_body
    assert opened["existing_institution"] == {"institution_id": NEW_CODE, "name": "Saulėtekio progimnazija",
                                              "legal_entity_code": NEW_CODE, "administrators": 1}
    # The applicant's own view carries none of it.
    own = world.call("resident", "GET", f"/applications/{made['application_id']}").json_body
    assert own.get("existing_institution") is None
