"""Every route × every role × own/other data: nobody gets another person's data the policy denies
(the world: tests/api/conftest.py). A caller a row does not name gets its default: so the
municipality official (`official`) reads no history and acts for no institution in any row."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.personal_code import make_personal_code
from chalicelib.models.institutions import Permit, permit_item
from tests.api.conftest import CALLERS, PEOPLE, TODAY, World, dynamodb_calls, identity_of, record_body

# (name, method, path, body, headers, {caller: expected status}); callers not listed expect `default`.
Case = tuple[str, str, str, Any, dict[str, str], dict[str, int], int]


def cases(world: World) -> list[Case]:
    history = "/persons/{}/history"
    p = PEOPLE
    return [
        ("own profile", "GET", "/me", None, {}, {}, 200),
        ("own journal", "GET", "/me/journal", None, {}, {}, 200),
        (
            "history of pupil at A",
            "GET",
            history.format(p["pupil_a"]),
            None,
            {},
            {"rep_a": 200, "guardian": 200, "pupil_a": 200, "ministry": 400},
            404,
        ),
        (
            "history of pupil at A, purpose",
            "GET",
            history.format(p["pupil_a"]) + "?purpose=statistics",
            None,
            {},
            {"rep_a": 200, "guardian": 200, "pupil_a": 200, "ministry": 200},
            404,
        ),
        (
            "history of pupil at B",
            "GET",
            history.format(p["pupil_b"]),
            None,
            {"X-Purpose": "audit"},
            {"rep_b": 200, "ministry": 200},
            404,
        ),
        (
            "history of the guardian's adult child",
            "GET",
            history.format(p["adult_child"]),
            None,
            {},
            {"rep_a": 200, "ministry": 400},
            404,
        ),
        (
            "history of another resident",
            "GET",
            history.format(p["resident2"]),
            None,
            {"X-Purpose": "audit"},
            {"ministry": 200},
            404,
        ),
        (
            "history of nobody",
            "GET",
            history.format(make_personal_code("M", date(2001, 1, 1), 999)),
            None,
            {"X-Purpose": "audit"},
            {},
            404,
        ),
        ("history with a malformed id", "GET", history.format("not-a-code"), None, {"X-Purpose": "audit"}, {}, 404),
        (
            "create institution",
            "POST",
            "/institutions",
            {
                "institution_id": "inst-new",
                "name": "Nauja mokykla",
                "legal_entity_code": "111950581",
                "municipality": "Kauno m. sav.",
            },
            {},
            {"ministry": 201},
            403,
        ),
        ("list A's permits", "GET", "/institutions/inst-a/permits", None, {}, {"ministry": 200, "rep_a": 200}, 403),
        (
            "grant A a permit",
            "POST",
            "/institutions/inst-a/permits",
            {"scope": ["read"], "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
            {},
            {"ministry": 201},
            403,
        ),
        (
            "add a representative to B",
            "PUT",
            f"/institutions/inst-b/staff/{p['adult_child']}",
            None,
            {},
            {"ministry": 201},
            403,
        ),
        (
            "remove B's representative",
            "DELETE",
            f"/institutions/inst-b/staff/{p['resident2']}",
            None,
            {},
            {"ministry": 404},
            403,
        ),
        # Municipalities (docs/STATE.md section 2): the official of LT-57 sees their own only.
        ("Vilnius city municipality", "GET", "/municipalities/LT-57", None, {}, {"ministry": 200, "official": 200},
         403),
        ("Kaunas city municipality", "GET", "/municipalities/LT-15", None, {}, {"ministry": 200}, 403),
        ("Vilnius city's officials", "GET", "/municipalities/LT-57/officials", None, {}, {"ministry": 200}, 403),
        (
            "appoint an official of Kaunas",
            "PUT",
            f"/municipalities/LT-15/officials/{p['resident2']}",
            {"valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat()},
            {},
            {"ministry": 201},
            403,
        ),
        (
            "remove an official who is none",
            "DELETE",
            f"/municipalities/LT-15/officials/{p['adult_child']}",
            None,
            {},
            {"ministry": 404},
            403,
        ),
        # Access is decided before the snapshot is looked for: the ministry learns it is not computed.
        # The official (of LT-57) reads their own, unfiltered or named.
        ("statistics", "GET", "/statistics", None, {}, {"ministry": 404, "official": 404}, 403),
        ("a municipality's statistics", "GET", "/statistics?municipality=LT-57", None, {},
         {"ministry": 404, "official": 404}, 403),
        ("another municipality's statistics", "GET", "/statistics?municipality=LT-15", None, {}, {"ministry": 404},
         403),
        ("record for A", "POST", "/institutions/inst-a/records", record_body("pupil_a"), {}, {"rep_a": 201}, 403),
        ("record for B", "POST", "/institutions/inst-b/records", record_body("pupil_b"), {}, {"rep_b": 201}, 403),
        ("record for C (revoked permit)", "POST", "/institutions/inst-c/records", record_body("pupil_a"), {}, {}, 403),
        (
            "record for A naming B in the body",
            "POST",
            "/institutions/inst-a/records",
            record_body("pupil_a", "x-2", institution_id="inst-b"),
            {},
            {"rep_a": 422},
            403,
        ),
        ("A's movement items", "GET", "/institutions/inst-a/movements", None, {}, {"rep_a": 200}, 403),
        ("overdue movement items", "GET", "/movements", None, {}, {"ministry": 200, "official": 200}, 403),
        # Children outside education (tests/api/test_outside_education.py): the names only for the
        # municipality's official (of LT-57 in this world), the counts only for the ministry (none made yet).
        ("outside education, Vilnius", "GET", "/municipalities/LT-57/outside-education", None,
         {"X-Purpose": "check"}, {"official": 200}, 403),
        ("outside education counts", "GET", "/outside-education/counts", None, {}, {"ministry": 404}, 403),
        # Permit applications and the institution's log (docs/APPLICATIONS.md; tests/api/test_applications.py).
        ("own applications", "GET", "/me/applications", None, {}, {}, 200),
        ("pending applications", "GET", "/applications", None, {}, {"ministry": 200}, 403),
        ("an application no one made", "GET", f"/applications/211950810-{'0' * 16}", None, {}, {}, 404),
        ("approve an application no one made", "POST", f"/applications/211950810-{'0' * 16}/approval",
         {"scope": ["read"], "valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat()}, {}, {"ministry": 404},
         403),
        ("B's log", "GET", "/institutions/inst-b/log", None, {}, {"ministry": 200}, 403),
        (
            "revoke A's permit last",
            "DELETE",
            f"/institutions/inst-a/permits/{world.permits['inst-a']}",
            None,
            {},
            {"ministry": 200},
            403,
        ),
    ]


def test_route_role_matrix(world: World) -> None:
    mismatches = {}
    for name, method, path, body, headers, expected, default in cases(world):
        for who in CALLERS:
            response = world.call(who, method, path, body, headers)
            want = expected.get(who, default)
            if response.status_code != want:
                mismatches[(name, who)] = (response.status_code, want, response.body[:200])
            assert response.status_code < 500, (name, who, response.body)
            if response.status_code >= 400:
                assert response.headers["Content-Type"] == "application/problem+json", (name, who)
                # A refusal never echoes the person it was about.
                assert not any(code in response.body.decode() for who2, code in PEOPLE.items() if who2 != who)
            if method == "DELETE" and "permits" in path and response.status_code == 200:
                # Put A back for the next callers of this case.
                Permit.get("inst-a", permit_item(world.permits["inst-a"])).update(actions=[Permit.state.set("ACTIVE")])
    assert mismatches == {}


def test_representative_token_stops_working_when_the_permit_is_revoked(world: World) -> None:
    history = f"/persons/{PEOPLE['pupil_a']}/history"
    assert world.call("rep_a", "GET", history).status_code == 200
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "r-1")).status_code == 201

    revoked = world.call("ministry", "DELETE", f"/institutions/inst-a/permits/{world.permits['inst-a']}")
    assert revoked.status_code == 200 and revoked.json_body["state"] == "REVOKED"

    # The same token, issued before the revocation, on the very next requests:
    assert world.call("rep_a", "GET", history).status_code == 404
    refused = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "r-2"))
    assert refused.status_code == 403 and refused.json_body["code"] == "access.permit"


def test_suspended_and_expired_permits_stop_writes(world: World) -> None:
    suspended = world.call(
        "ministry", "DELETE", f"/institutions/inst-b/permits/{world.permits['inst-b']}?action=suspend"
    )
    assert suspended.json_body["state"] == "SUSPENDED"
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b")).status_code == 403
    Permit.get("inst-b", permit_item(world.permits["inst-b"])).update(
        actions=[Permit.state.set("ACTIVE"), Permit.valid_to.set((TODAY - timedelta(days=1)).isoformat())]
    )
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b")).status_code == 403


def test_reads_by_others_are_in_the_journal_and_own_reads_are_not(world: World) -> None:
    pupil = PEOPLE["pupil_a"]
    assert world.call("pupil_a", "GET", f"/persons/{pupil}/history").status_code == 200
    assert world.call("rep_a", "GET", f"/persons/{pupil}/history?purpose=class%20list").status_code == 200
    assert (
        world.call("ministry", "GET", f"/persons/{pupil}/history", headers={"X-Purpose": "statistics"}).status_code
        == 200
    )

    events = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    reads = [e for e in events if e["action"] == "READ"]
    assert [(e["actor"]["role"], e["purpose"]) for e in reads] == [
        ("ministry", "statistics"),
        ("representative", "class list"),
    ]
    assert reads[1]["actor"] == {"role": "representative", "institution_id": "inst-a", "institution_name": "Mokykla A"}
    # The citizen sees who (role, institution), not the official's personal code.
    assert PEOPLE["rep_a"] not in json.dumps(events) and PEOPLE["ministry"] not in json.dumps(events)
    assert [e["action"] for e in events if e["action"] != "READ"] == ["CREATE"]  # the seeded enrolment


def test_changes_are_journaled_with_before_and_after(world: World) -> None:
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "c-1")).status_code == 201
    again = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "c-1"))
    assert again.status_code == 200 and again.json_body["version"] == 1  # the same row: nothing changes twice
    corrected = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "c-1", score=85))
    assert corrected.json_body["version"] == 2
    events = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    update, create = events[0], events[1]
    assert update["action"] == "UPDATE" and update["before"]["score"] == 80 and update["after"]["score"] == 85
    assert create["action"] == "CREATE" and create["before"] is None
    assert update["actor"]["institution_name"] == "Mokykla A"


def test_journal_pages_with_a_sealed_cursor(world: World) -> None:
    for i in range(5):
        world.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=p{i}")
    first = world.call("pupil_a", "GET", "/me/journal?limit=2").json_body
    second = world.call("pupil_a", "GET", f"/me/journal?limit=2&cursor={first['next_cursor']}").json_body
    third = world.call("pupil_a", "GET", f"/me/journal?limit=2&cursor={second['next_cursor']}").json_body
    events = first["events"] + second["events"] + third["events"]
    assert [e["purpose"] for e in events] == ["p4", "p3", "p2", "p1", "p0", None]
    assert events[-1]["action"] == "CREATE"
    if third["next_cursor"]:  # DynamoDB may hand out a cursor for an empty last page
        last = world.call("pupil_a", "GET", f"/me/journal?limit=2&cursor={third['next_cursor']}").json_body
        assert last["events"] == []
    # Another person cannot page through this journal with it, nor can it be edited.
    foreign = world.call("resident", "GET", f"/me/journal?cursor={first['next_cursor']}")
    assert foreign.status_code == 400 and foreign.json_body["code"] == "request.cursor"
    tampered = first["next_cursor"][:-2] + ("AA" if not first["next_cursor"].endswith("AA") else "BB")
    assert world.call("pupil_a", "GET", f"/me/journal?cursor={tampered}").status_code == 400


def test_no_data_leaves_when_the_journal_cannot_be_written(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.models.journal import JournalEvent

    JournalEvent.delete_table()
    response = world.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history")
    assert response.status_code == 503
    assert response.json_body["code"] == "journal.unavailable"
    assert "records" not in response.json_body


def test_dynamodb_calls_per_journaled_read(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost of access checks and the journal, counted per request (docs/PERFORMANCE.md)."""
    calls = dynamodb_calls(monkeypatch)
    world.call("pupil_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history")
    own = list(calls)
    calls.clear()
    world.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=check")
    other = list(calls)
    assert own.count("PutItem") == 0 and other.count("PutItem") == 1  # the journal entry
    assert own.count("Query") >= 1 and other.count("Query") >= own.count("Query")


def test_a_removed_representative_is_refused_on_the_very_next_request(world: World) -> None:
    pupil_history = f"/persons/{PEOPLE['pupil_a']}/history"
    assert world.call("rep_a", "GET", pupil_history).status_code == 200
    removed = world.call("ministry", "DELETE", f"/institutions/inst-a/staff/{PEOPLE['rep_a']}")
    assert removed.status_code == 204, removed.json_body

    # The same token, issued while they were a representative:
    assert world.call("rep_a", "GET", pupil_history).status_code == 404
    refused = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "after-removal"))
    assert refused.status_code == 403 and refused.json_body["code"] == "access.institution"
    assert world.call("rep_a", "GET", "/institutions/inst-a/learners").status_code == 403
    assert "inst-a" not in world.call("rep_a", "GET", "/me").json_body["institutions"]
    # Removing again: nothing to remove.
    again = world.call("ministry", "DELETE", f"/institutions/inst-a/staff/{PEOPLE['rep_a']}")
    assert again.status_code == 404 and again.json_body["code"] == "staff.not_found"


# What each role reads of a pupil who attends A and attended B (docs/ACCESS.md, "Minimum").
def test_a_school_reads_other_schools_enrolments_and_qualifications_only(world: World) -> None:
    pupil = PEOPLE["pupil_a"]
    b_enrolment = {"kind": "ENROLLMENT", "person_id": pupil, "source_id": "b-enr", "start_date": "2024-09-01",
                   "programme": "201001001"}
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", b_enrolment | identity_of("pupil_a") | {
        "notes": "B's private note", "teacher": "B. Mokytoja"}).status_code == 201
    for body in (record_body("pupil_a", "b-exam"),
                 {"kind": "SUBJECT", "person_id": pupil, "source_id": "b-subj", "subject": "Dailė",
                  "start_date": "2024-09-01", "grade": 9},
                 {"kind": "QUALIFICATION", "person_id": pupil, "source_id": "b-qual", "document_type":
                  "Brandos atestatas", "document_series": "BA", "document_number": "1234567",
                  "issue_date": "2025-07-01"}):
        assert world.call("rep_b", "POST", "/institutions/inst-b/records", body).status_code == 201, body
    a_exam = record_body("pupil_a", "a-exam")
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", a_exam).status_code == 201

    seen_by_a = world.call("rep_a", "GET", f"/persons/{pupil}/history").json_body["records"]
    a_sees = {(r["institution_id"], r["kind"]) for r in seen_by_a}
    assert a_sees == {("inst-a", "ENROLLMENT"), ("inst-a", "EXAM"), ("inst-b", "ENROLLMENT"),
                      ("inst-b", "QUALIFICATION")}
    b_seen = next(r for r in seen_by_a if r["institution_id"] == "inst-b" and r["kind"] == "ENROLLMENT")
    assert set(b_seen) - {"record_id", "institution_id", "institution_name", "version"} <= {
        "kind", "start_date", "end_date", "class", "programme", "learning_form"}
    assert "B's private note" not in json.dumps(seen_by_a)
    # The person, their guardian and the ministry still see everything.
    everything = {("inst-a", "ENROLLMENT"), ("inst-a", "EXAM"), ("inst-b", "ENROLLMENT"), ("inst-b", "EXAM"),
                  ("inst-b", "SUBJECT"), ("inst-b", "QUALIFICATION")}
    for who, path in (("pupil_a", "/me/history"), ("guardian", f"/persons/{pupil}/history"),
                      ("ministry", f"/persons/{pupil}/history?purpose=audit")):
        records = world.call(who, "GET", path).json_body["records"]
        assert {(r["institution_id"], r["kind"]) for r in records} == everything, who
