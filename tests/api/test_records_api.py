"""Learning history and record management through the HTTP API (the world: tests/api/conftest.py)."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.personal_code import make_personal_code
from chalicelib.models.records import Record, record_head, record_key
from chalicelib.services import records as records_service
from chalicelib.services.access import caller_facts
from tests.api.conftest import PEOPLE, World, dynamodb_calls, record_body

RECORDS = "/institutions/inst-a/records"


def submit(world: World, who: str = "rep_a", path: str = RECORDS, **fields: Any) -> Any:
    return world.call(who, "POST", path, record_body("pupil_a", **fields))


def test_me_and_history_grouped_for_reading(world: World) -> None:
    me = world.call("pupil_a", "GET", "/me").json_body
    assert me["person_id"] == PEOPLE["pupil_a"] and me["given_name"] == "PupilA"
    for fields in ({"source_id": "e1"}, {"source_id": "e2", "subject": "Fizika", "score": 91, "level": "A"}):
        assert submit(world, **fields).status_code == 201
    olympiad = {"kind": "OLYMPIAD", "person_id": PEOPLE["pupil_a"], "source_id": "o1", "subject": "Chemija",
                "start_date": "2025-03-01", "place": "1", "level": "šalies", "teacher": "Rasa Rasaitė"}
    assert world.call("rep_a", "POST", RECORDS, olympiad).status_code == 201

    history = world.call("pupil_a", "GET", "/me/history").json_body
    assert history["person"]["family_name"] == "Testas"
    kinds = [r["kind"] for r in history["records"]]
    assert kinds == ["ENROLLMENT", "EXAM", "EXAM", "OLYMPIAD"]  # reading order
    assert [s["kind"] for s in history["sections"]] == ["ENROLLMENT", "EXAM", "OLYMPIAD"]
    assert history["sections"][0]["title"].items() >= {"lt": "Lankytos mokyklos", "en": "Institutions attended"}.items()
    exam = next(r for r in history["records"] if r.get("subject") == "Fizika")
    assert exam | {"record_id": "x"} == {
        "record_id": "x", "kind": "EXAM", "institution_id": "inst-a", "institution_name": "Mokykla A",
        "version": 1, "source_id": "e2", "subject": "Fizika", "start_date": "2025-06-01", "score": 91, "level": "A"}
    assert history["records"][-1]["teacher"] == "Rasa Rasaitė"


def test_a_person_unknown_to_the_register_has_an_empty_history(world: World) -> None:
    history = world.call("resident", "GET", "/me/history").json_body
    assert history["records"] == [] and history["next_cursor"] is None


def test_three_hundred_records_one_query_per_page_and_no_other_reads(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    with Record.batch_write() as batch:  # setup only: the read path is what is measured
        for i in range(300):
            record_id = f"R{i:024d}"
            batch.save(Record(PEOPLE["pupil_a"], record_key("EXAM", f"2020-01-{i % 28 + 1:02d}", record_id),
                              record_id=record_id, kind="EXAM", institution_id="inst-a", institution_name="Mokykla A",
                              source_id=f"bulk-{i}", subject="Matematika", start_date=f"2020-01-{i % 28 + 1:02d}",
                              score=i % 101, created_at=now, created_by="t", updated_at=now, updated_by="t",
                              version=1))
    calls = dynamodb_calls(monkeypatch)
    seen, cursor, pages = [], None, 0
    while True:
        calls.clear()
        path = "/me/history?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = world.call("pupil_a", "GET", path).json_body
        assert calls == ["Query"], calls
        assert page["person"]["given_name"] == "PupilA"  # every page, without a second read
        seen += [r["record_id"] for r in page["records"]]
        assert page["records"]  # never a cursor to an empty page
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 301  # 300 exams and the enrolment, none twice
    assert pages == 4  # 302 items (the person's summary too) in pages of 100


def test_a_page_that_ends_the_history_has_no_cursor(world: World) -> None:
    """The summary and one enrolment fill a page of two exactly: nothing follows it."""
    page = world.call("pupil_a", "GET", "/me/history?limit=2").json_body
    assert len(page["records"]) == 1 and page["next_cursor"] is None
    first = world.call("pupil_a", "GET", "/me/history?limit=1").json_body
    assert first["records"] == [] and first["next_cursor"]  # the summary alone, then the enrolment
    rest = world.call("pupil_a", "GET", f"/me/history?limit=1&cursor={first['next_cursor']}").json_body
    assert len(rest["records"]) == 1 and rest["next_cursor"] is None


def test_validation_reports_every_problem_at_once(world: World) -> None:
    body = record_body("pupil_a", score=150, level="Z", start_date="2099-01-01", colour="blue") | {"kind": "EXAM"}
    response = world.call("rep_a", "POST", RECORDS, body)
    assert response.status_code == 422
    problem = response.json_body
    assert problem["code"] == "validation.failed"
    assert {e["code"] for e in problem["errors"]} == {
        "validation.score.range", "validation.level.choice", "validation.start_date.future",
        "validation.colour.unknown"}
    assert all(e["messages"]["lt"] and e["messages"]["en"] != e["messages"]["lt"] for e in problem["errors"])
    assert problem["messages"]["en"] == "Some fields are not valid; see errors." and problem["messages"]["lt"]
    assert problem["correlation_id"] and response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "request.malformed_json"),
        ("[1, 2]", "application/json", 400, "request.not_an_object"),
        ('"a string"', "application/json", 400, "request.not_an_object"),
        ("kind=EXAM", "application/x-www-form-urlencoded", 415, "request.media_type"),
        ("<xml/>", "text/xml", 415, "request.media_type"),
        (json.dumps({"kind": "EXAM", "notes": "x" * 1_000_000}), "application/json", 413, "request.too_large"),
        ("\xff\xfe", "application/json", 400, "request.malformed_json"),
    ],
)
def test_bad_bodies_get_a_clear_4xx(world: World, body: str, content_type: str, status: int, code: str) -> None:
    response = world.client.http.post(RECORDS, body=body, headers={
        "Authorization": f"Bearer {world.tokens['rep_a']}", "Content-Type": content_type})
    assert (response.status_code, response.json_body["code"]) == (status, code)
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("notes", "outcome"),
    [
        ("Lietuviškos raidės: ąčęėįšųūž ĄČĘĖĮŠŲŪŽ", 201),
        ("Su\u030cimtas (combining caron)", 201),
        ("zero\u200bwidth", "validation.notes.characters"),
        ("bidi \u202e override", "validation.notes.characters"),
        ("nul \x00 byte", "validation.notes.characters"),
        ("x" * 2001, "validation.notes.too_long"),
        ("😀 emoji", 201),
    ],
)
def test_unicode_edge_cases(world: World, notes: str, outcome: int | str) -> None:
    response = submit(world, source_id="u1", notes=notes)
    if isinstance(outcome, int):
        assert response.status_code == outcome
        stored = world.call("pupil_a", "GET", "/me/history").json_body["records"]
        assert any(r.get("notes") == unicodedata.normalize("NFC", notes).strip() for r in stored)
    else:
        assert response.status_code == 422
        assert [e["code"] for e in response.json_body["errors"]] == [outcome]


def test_resubmission_updates_never_duplicates(world: World) -> None:
    first = submit(world, source_id="same")
    again = submit(world, source_id="same")
    changed = submit(world, source_id="same", score=99)
    assert (first.status_code, again.status_code, changed.status_code) == (201, 200, 200)
    assert first.json_body["record_id"] == again.json_body["record_id"] == changed.json_body["record_id"]
    assert (again.json_body["version"], changed.json_body["version"]) == (1, 2)
    exams = [r for r in world.call("pupil_a", "GET", "/me/history").json_body["records"] if r["kind"] == "EXAM"]
    assert [(r["score"], r["version"]) for r in exams] == [(99, 2)]


def test_correction_with_a_stale_version_is_refused_with_the_current_one(world: World) -> None:
    record_id = submit(world, source_id="c1").json_body["record_id"]
    path = f"{RECORDS}/{record_id}"
    body = record_body("pupil_a", source_id="c1", score=70) | {"version": 1}
    first = world.call("rep_a", "PUT", path, body)
    second = world.call("rep_a", "PUT", path, record_body("pupil_a", source_id="c1", score=10) | {"version": 1})
    assert first.status_code == 200 and first.json_body["version"] == 2
    assert second.status_code == 409
    assert second.json_body["code"] == "record.conflict" and second.json_body["current_version"] == 2
    # Nothing lost: the winner's change is there, and every version is readable with who and when.
    detail = world.call("rep_a", "GET", path).json_body
    assert detail["score"] == 70 and detail["version"] == 2
    assert [(v["version"], v["change"], v["fields"]["score"]) for v in detail["versions"]] == [
        (1, "CREATE", 80), (2, "UPDATE", 70)]
    assert all(v["changed_by"] == PEOPLE["rep_a"] and v["changed_at"] for v in detail["versions"])


def test_correction_needs_a_version_and_keeps_the_source_id(world: World) -> None:
    record_id = submit(world, source_id="c2").json_body["record_id"]
    path = f"{RECORDS}/{record_id}"
    missing = world.call("rep_a", "PUT", path, record_body("pupil_a", source_id="c2"))
    assert missing.status_code == 422 and missing.json_body["errors"][0]["code"] == "validation.version.required"
    other = world.call("rep_a", "PUT", path, record_body("pupil_a", source_id="other") | {"version": 1})
    assert other.json_body["errors"][0]["code"] == "validation.source_id.mismatch"
    assert world.call("rep_a", "PUT", f"{RECORDS}/Rnope", record_body("pupil_a") | {"version": 1}).status_code == 404
    # Another institution's record is "not found" to A, even if its id is known.
    b_record = world.call("rep_b", "POST", "/institutions/inst-b/records", record_body("pupil_b", source_id="b1"))
    hidden = world.call("rep_a", "PUT", f"{RECORDS}/{b_record.json_body['record_id']}", record_body("pupil_b") |
                        {"version": 1})
    assert hidden.status_code == 404


def test_a_moved_exam_date_moves_the_record_without_a_copy(world: World) -> None:
    record_id = submit(world, source_id="m1").json_body["record_id"]
    moved = world.call("rep_a", "PUT", f"{RECORDS}/{record_id}",
                       record_body("pupil_a", source_id="m1", start_date="2024-06-01") | {"version": 1})
    assert moved.status_code == 200
    exams = [r for r in world.call("pupil_a", "GET", "/me/history").json_body["records"] if r["kind"] == "EXAM"]
    assert [(r["record_id"], r["start_date"], r["version"]) for r in exams] == [(record_id, "2024-06-01", 2)]


def test_annulled_records_leave_the_history_but_not_the_record(world: World) -> None:
    record_id = submit(world, source_id="a1").json_body["record_id"]
    path = f"{RECORDS}/{record_id}"
    no_reason = world.call("rep_a", "DELETE", path, {})
    assert no_reason.status_code == 422 and no_reason.json_body["errors"][0]["code"] == "validation.reason.required"
    annulled = world.call("rep_a", "DELETE", path, {"reason": "Įvesta per klaidą"})
    assert annulled.status_code == 200 and annulled.json_body["version"] == 2
    assert world.call("rep_a", "DELETE", path, {"reason": "again"}).json_body["version"] == 2  # once
    history = world.call("pupil_a", "GET", "/me/history").json_body["records"]
    assert record_id not in {r["record_id"] for r in history}
    detail = world.call("rep_a", "GET", path).json_body
    assert detail["status"] == "ANNULLED" and detail["annul_reason"] == "Įvesta per klaidą"
    assert [v["change"] for v in detail["versions"]] == ["CREATE", "ANNUL"]
    journal = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    assert journal[0]["action"] == "ANNUL" and journal[0]["after"]["annul_reason"] == "Įvesta per klaidą"
    corrected = world.call("rep_a", "PUT", path, record_body("pupil_a", source_id="a1") | {"version": 2})
    assert corrected.status_code == 409 and corrected.json_body["code"] == "record.annulled"


def test_two_representatives_racing_one_wins_nothing_is_lost(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read version 1; the second one's write reaches DynamoDB after the first committed.
    The conditional transaction, not the application's check, must refuse it."""
    record_id = submit(world, source_id="race").json_body["record_id"]
    stale_head = record_head(record_id)
    stale_current = records_service.current_record(stale_head)
    assert world.call("rep_a", "PUT", f"{RECORDS}/{record_id}",
                      record_body("pupil_a", source_id="race", score=60) | {"version": 1}).status_code == 200
    # The second writer still sees version 1, as if it had read just before the first commit
    # (only its first look is stale; after the refusal it reads the truth like any request).
    real_head, real_current = record_head, records_service.current_record
    stale = iter([True])
    monkeypatch.setattr(records_service, "record_head",
                        lambda rid: stale_head if next(stale, False) else real_head(rid))
    monkeypatch.setattr(records_service, "current_record",
                        lambda head: stale_current if head is stale_head else real_current(head))
    loser = world.call("rep_a", "PUT", f"{RECORDS}/{record_id}",
                       record_body("pupil_a", source_id="race", score=30) | {"version": 1})
    monkeypatch.setattr(records_service, "record_head", real_head)
    monkeypatch.setattr(records_service, "current_record", real_current)
    assert loser.status_code == 409 and loser.json_body["current_version"] == 2
    detail = world.call("rep_a", "GET", f"{RECORDS}/{record_id}").json_body
    assert detail["score"] == 60 and [v["version"] for v in detail["versions"]] == [1, 2]
    updates = [e for e in world.call("pupil_a", "GET", "/me/journal").json_body["events"] if e["action"] == "UPDATE"]
    assert len(updates) == 1


def test_new_person_needs_names_and_names_must_match(world: World) -> None:
    stranger = make_personal_code("M", date(2010, 1, 1), 1)
    unnamed = world.call("rep_a", "POST", RECORDS, record_body("pupil_a") | {"person_id": stranger})
    assert {e["code"] for e in unnamed.json_body["errors"]} == {"validation.given_name.required",
                                                                  "validation.family_name.required"}
    wrong = world.call("rep_a", "POST", RECORDS, record_body("pupil_a") | {"family_name": "Kitas"})
    # One code for any part, and no field named: the answer must not say which part was right.
    assert wrong.status_code == 422 and wrong.json_body["code"] == "person.identity_mismatch"
    assert wrong.json_body["errors"] == [] and "Kitas" not in str(wrong.json_body)
    # Accents and case do not make a mismatch.
    assert world.call("rep_a", "POST", RECORDS, record_body("pupil_a", source_id="n2") | {
        "family_name": "TESTAS"}).status_code == 201
    created = world.call("rep_a", "POST", RECORDS, record_body("pupil_a", source_id="n3") | {
        "person_id": stranger, "given_name": "Naujas", "family_name": "Mokinys"})
    assert created.status_code == 201


def test_put_person(world: World) -> None:
    newcomer = make_personal_code("F", date(2011, 1, 1), 2)
    # A representative adds a person with their first record, not here: a code that is not their
    # pupil is "not found" whether it is in the register or not (this route tells nothing).
    names = {"given_name": "Jonas", "family_name": "Jonaitis"}
    unknown = world.call("rep_a", "PUT", f"/persons/{newcomer}", names)
    known = world.call("rep_b", "PUT", f"/persons/{PEOPLE['pupil_a']}", {"given_name": "X", "family_name": "Y"})
    assert (unknown.status_code, unknown.json_body["code"]) == (known.status_code, known.json_body["code"]) == (
        404, "person.not_found")
    # Names A did not put in the register are not A's to correct, even for its own pupil.
    theirs = world.call("rep_a", "PUT", f"/persons/{PEOPLE['pupil_a']}",
                        {"given_name": "Pupila", "family_name": "Testaitė", "version": 1})
    assert theirs.status_code == 409 and theirs.json_body["code"] == "person.names_authoritative"
    # The newcomer A added and enrolled: A may correct a typo in the names it typed.
    assert world.call("rep_a", "POST", RECORDS, {
        "kind": "ENROLLMENT", "person_id": newcomer, "given_name": "Jonas", "family_name": "Jonaitis",
        "source_id": "newcomer-1", "start_date": "2024-09-01", "programme": "201001001"}).status_code == 201
    corrected = world.call("rep_a", "PUT", f"/persons/{newcomer}",
                           {"given_name": "Jonas", "family_name": "Jonaitytis", "version": 1})
    assert corrected.status_code == 200 and corrected.json_body["version"] == 2
    stale = world.call("rep_a", "PUT", f"/persons/{newcomer}",
                       {"given_name": "Jonas", "family_name": "Kita", "version": 1})
    assert stale.status_code == 409 and stale.json_body["code"] == "person.conflict"
    # B, where the newcomer is not a pupil, may not touch them at all.
    assert world.call("rep_b", "PUT", f"/persons/{newcomer}",
                      {"given_name": "X", "family_name": "Y"}).status_code == 404
    pupil = world.call("ministry", "PUT", f"/persons/{PEOPLE['pupil_a']}",
                       {"given_name": "Pupila", "family_name": "Testaitė", "version": 1})
    assert pupil.status_code == 200
    mismatch = world.call("ministry", "PUT", f"/persons/{PEOPLE['pupil_a']}",
                          {"given_name": "A", "family_name": "B", "birth_date": "1999-01-01"})
    assert mismatch.json_body["errors"][0]["code"] == "validation.birth_date.mismatch"
    assert world.call("resident", "PUT", f"/persons/{newcomer}",
                      {"given_name": "A", "family_name": "B"}).status_code == 403
    history = world.call("pupil_a", "GET", "/me/history").json_body
    assert history["person"]["family_name"] == "Testaitė"  # the summary moved with the person
    journal = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    assert journal[0]["action"] == "UPDATE" and journal[0]["before"]["family_name"] == "Testas"


def test_names_from_the_population_register_are_not_overwritten_by_schools(world: World) -> None:
    from chalicelib.services.persons import record_gateway_login

    record_gateway_login(PEOPLE["pupil_a"], "Pupila", "Testaitė")
    refused = world.call("rep_a", "PUT", f"/persons/{PEOPLE['pupil_a']}", {"given_name": "X", "family_name": "Y"})
    assert refused.status_code == 409 and refused.json_body["code"] == "person.names_authoritative"
    assert caller_facts(PEOPLE["ministry"]).is_ministry
