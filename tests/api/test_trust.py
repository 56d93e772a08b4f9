"""Issue 13, findings 1 and 3: a representative cannot turn a write into a read, and no writer
silently overwrites another (the world: tests/api/conftest.py). Races are driven by hooks between
a writer's read and its write, not by timing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.models.institutions import InstitutionItem, StaffMember, staff_item
from chalicelib.models.persons import Person
from chalicelib.models.records import Record, RecordHead, RecordVersion, record_head, version_partition
from chalicelib.models.uploads import Upload
from chalicelib.services import ingest
from chalicelib.services import records as records_service
from tests.api.conftest import PEOPLE, World, identity_of, record_body
from tests.ingest.test_ingest import csv_file, journal_of, sqs_event, status

PUPIL_A = PEOPLE["pupil_a"]
RECORDS_A, RECORDS_B = "/institutions/inst-a/records", "/institutions/inst-b/records"


def enrolment(who: str, source_id: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "person_id": PEOPLE[who], "source_id": source_id, "start_date": "2024-09-01",
            "programme": "201001001", **extra}


@pytest.fixture
def bucket(world: World) -> Iterator[Any]:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=settings().uploads_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    yield s3


def upload_to(world: World, bucket: Any, content: bytes, *, who: str = "rep_b", institution: str = "inst-b",
              dry_run: bool = False, deliver: bool = True) -> dict[str, Any]:
    started = world.call(who, "POST", f"/institutions/{institution}/uploads",
                         {"file_name": "f.csv", "dry_run": dry_run})
    assert started.status_code == 201, started.json_body
    key = started.json_body["fields"]["key"]
    bucket.put_object(Bucket=settings().uploads_bucket, Key=key, Body=content)
    if deliver:
        from chalicelib.handlers.uploads import ingest_upload

        ingest_upload(sqs_event(key), None)
    response = world.call(who, "GET", f"/institutions/{institution}/uploads/{started.json_body['upload_id']}")
    return dict(response.json_body) | {"key": key, "upload_id": started.json_body["upload_id"]}


# --- 1. Enrolment is not a key to a stranger's history -------------------------------------------


def test_enrolling_a_stranger_by_code_alone_is_refused_and_reads_nothing(world: World) -> None:
    """Before: B could enrol A's pupil with the code alone and read their whole history."""
    bare = world.call("rep_b", "POST", RECORDS_B, enrolment("pupil_a", "grab-1"))
    nobody = make_personal_code("F", date(2012, 3, 3), 77)
    unknown = world.call("rep_b", "POST", RECORDS_B, enrolment("pupil_a", "grab-2") | {"person_id": nobody})
    # The same answer whether or not the code is in the register: no existence oracle.
    assert bare.status_code == unknown.status_code == 422
    assert {e["code"] for e in bare.json_body["errors"]} == {e["code"] for e in unknown.json_body["errors"]} == {
        "validation.given_name.required", "validation.family_name.required"}
    right = identity_of("pupil_a")
    for wrong in ({"given_name": "Kitas"}, {"family_name": "Kitas"}, {"birth_date": "2013-01-01"}):
        body = enrolment("pupil_a", "grab-3") | right | wrong
        if "birth_date" in wrong:
            body["person_id"] = PUPIL_A  # the code's own date must agree too: a contradiction is a field error
            refused = world.call("rep_b", "POST", RECORDS_B, body)
            assert refused.json_body["errors"][0]["code"] == "validation.birth_date.mismatch"
            continue
        refused = world.call("rep_b", "POST", RECORDS_B, body)
        assert (refused.status_code, refused.json_body["code"], refused.json_body["errors"]) == (
            422, "person.identity_mismatch", [])
    # Nothing was written, and B still reads nothing of the pupil.
    assert world.call("rep_b", "GET", f"/persons/{PUPIL_A}/history").status_code == 404
    learners = world.call("rep_b", "GET", "/institutions/inst-b/learners").body.decode("utf-8-sig")
    assert PUPIL_A not in learners
    # With the identity the register holds (case and accents aside), the pupil can arrive at B.
    arrived = world.call("rep_b", "POST", RECORDS_B, enrolment("pupil_a", "arrived") | right | {
        "family_name": right["family_name"].upper()})
    assert arrived.status_code == 201
    assert world.call("rep_b", "GET", f"/persons/{PUPIL_A}/history").status_code == 200


def test_a_birth_date_mismatch_for_a_register_issued_id_is_the_same_code(world: World) -> None:
    register_id = "MR-0123456789"
    assert world.call("ministry", "PUT", f"/persons/{register_id}", {
        "given_name": "Ana", "family_name": "Be", "birth_date": "2012-01-01"}).status_code == 201
    body = {"kind": "ENROLLMENT", "person_id": register_id, "given_name": "Ana", "family_name": "Be",
            "source_id": "mr-1", "start_date": "2024-09-01", "programme": "201001001"}
    wrong = world.call("rep_b", "POST", RECORDS_B, body | {"birth_date": "2012-01-02"})
    assert (wrong.status_code, wrong.json_body["code"]) == (422, "person.identity_mismatch")
    assert world.call("rep_b", "POST", RECORDS_B, body | {"birth_date": "2012-01-01"}).status_code == 201


def test_upload_rows_and_dry_runs_answer_alike_and_are_counted(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "kind;asmens_kodas;vardas;pavarde;gimimo_data;source_id;start_date;programme"
    birth = identity_of("pupil_a")["birth_date"]
    rows = [f"ENROLLMENT;{PUPIL_A};Kitas;Testas;{birth};u-1;2024-09-01;201001001",
            f"ENROLLMENT;{PUPIL_A};PupilA;Kitas;{birth};u-2;2024-09-01;201001001"]
    dry = upload_to(world, bucket, csv_file(*rows, header=header), dry_run=True)
    real = upload_to(world, bucket, csv_file(*rows, header=header))
    for result in (dry, real):
        assert result["rows_rejected"] == 2 and result["rows_written"] == 0
        assert [(e["line"], e["column"], e["code"]) for e in result["errors"]] == [
            (2, "", "person.identity_mismatch"), (3, "", "person.identity_mismatch")]
        assert "Kitas" not in json.dumps(result["errors"])
    staff = InstitutionItem.get("inst-b", staff_item(PEOPLE["rep_b"]))
    assert isinstance(staff, StaffMember) and staff.mismatch_count == 4  # the dry run's count too


def test_too_many_mismatches_suspend_the_representatives_writes_until_the_ministry_lifts_it(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IDENTITY_MISMATCH_LIMIT", "3")
    wrong = enrolment("pupil_a", "guess") | identity_of("pupil_a") | {"given_name": "Spėjimas"}
    capsys.readouterr()
    answers = [world.call("rep_b", "POST", RECORDS_B, wrong).json_body["code"] for _ in range(5)]
    # Three guesses answered; past the limit the answer is the suspension, never another "mismatch".
    assert answers == ["person.identity_mismatch"] * 3 + ["representative.suspended"] * 2
    assert '"RepresentativesSuspended": 1' in capsys.readouterr().out
    # Every write now refused, a correct one included; reading still works.
    ok = record_body("pupil_b", "after-suspension")
    refused = world.call("rep_b", "POST", RECORDS_B, ok)
    assert (refused.status_code, refused.json_body["code"]) == (403, "representative.suspended")
    assert world.call("rep_b", "POST", "/institutions/inst-b/uploads",
                      {"file_name": "a.csv"}).json_body["code"] == "representative.suspended"
    assert world.call("rep_b", "GET", f"/persons/{PEOPLE['pupil_b']}/history").status_code == 200
    # A representative cannot lift it; the ministry can, and the count starts afresh.
    path = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}/suspension"
    assert world.call("rep_b", "DELETE", path).status_code == 403
    assert world.call("ministry", "DELETE", path).status_code == 204
    assert world.call("rep_b", "POST", RECORDS_B, ok).status_code == 201


def test_an_upload_stops_writing_once_its_uploader_is_suspended(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITY_MISMATCH_LIMIT", "2")
    monkeypatch.setattr(ingest, "CHUNK", 3)
    header = "kind;asmens_kodas;vardas;pavarde;source_id;start_date;programme"
    guesses = [f"ENROLLMENT;{PUPIL_A};Spėjimas{letter};Testas;g-{letter};2024-09-01;201001001" for letter in "ABC"]
    later = [f"ENROLLMENT;{PEOPLE['pupil_b']};;;ok-{n};2024-09-01;201001001" for n in range(3)]
    result = upload_to(world, bucket, csv_file(*guesses, *later, header=header))
    assert result["rows_read"] == result["rows_written"] + result["rows_rejected"] == 6
    assert result["rows_written"] == 0
    assert {e["code"] for e in result["errors"] if e["line"] > 4} == {"representative.suspended"}


def test_a_padded_personal_code_is_the_same_person_everywhere(world: World) -> None:
    padded = f" {PEOPLE['resident2']} "  # as API Gateway hands over a decoded `%20...%20`
    saved = world.call("ministry", "PUT", f"/persons/{padded}", {"given_name": "Rezidentas", "family_name": "Testas"})
    assert saved.status_code == 200 and saved.json_body["person_id"] == PEOPLE["resident2"]
    assert world.call("ministry", "PUT", f"/institutions/inst-a/staff/{padded}").json_body["person_id"] == PEOPLE[
        "resident2"]
    body = record_body("pupil_a", "padded") | {"person_id": f"  {PUPIL_A} "}
    assert world.call("rep_a", "POST", RECORDS_A, body).status_code == 201
    assert Record.get(PUPIL_A, record_head(record_id_for("inst-a", "padded")).owner_record_key)  # type: ignore[union-attr]
    shadows = [key for key in (f" {PEOPLE['resident2']} ", f"  {PUPIL_A} ", f" {PUPIL_A}")
               if Person.count(key) or InstitutionItem.count("inst-a", InstitutionItem.item == f"STAFF#{key}")]
    assert shadows == []


# --- 3. One write path for records ---------------------------------------------------------------


def _between_read_and_write(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run `action` once, right after the ingest read the heads of a chunk and before it writes."""
    real: Callable[[list[str]], dict[str, RecordHead]] = vars(ingest)["record_heads"]
    done = {"n": 0}

    def heads_then_interfere(record_ids: list[str]) -> dict[str, RecordHead]:
        heads = real(record_ids)
        if not done["n"]:
            done["n"] += 1
            action()
        return heads

    monkeypatch.setattr(ingest, "record_heads", heads_then_interfere)


EXAM_HEADER = "kind;asmens_kodas;source_id;subject;start_date;score"


def test_an_api_create_landing_during_an_upload_is_not_overwritten(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_body = record_body("pupil_a", "race-1", score=91)

    def api_creates_it() -> None:
        assert world.call("rep_a", "POST", RECORDS_A, api_body).status_code == 201

    _between_read_and_write(monkeypatch, api_creates_it)
    result = upload_to(world, bucket, csv_file(f"EXAM;{PUPIL_A};race-1;Matematika;2025-06-01;40", header=EXAM_HEADER),
                       who="rep_a", institution="inst-a")
    record_id = record_id_for("inst-a", "race-1")
    head = record_head(record_id)
    assert head is not None and head.version_number == 1  # the API's version stands, alone
    assert Record.get(PUPIL_A, head.owner_record_key).field("score") == 91
    conflict = result["errors"][0]
    assert (conflict["line"], conflict["code"]) == (2, "row.conflict")
    # Names the (Vilnius) date of the API's change, in every language.
    assert vilnius_today().isoformat() in conflict["messages"]["en"]
    assert vilnius_today().isoformat() in conflict["messages"]["lt"]
    creates = [e for e in journal_of(PUPIL_A) if e["record_id"] == record_id]
    assert [e["action"] for e in creates] == ["CREATE"]


def test_two_uploads_of_one_source_id_end_as_two_versions(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "kind;asmens_kodas;source_id;document_type;document_series;document_number;issue_date"
    first = csv_file(f"QUALIFICATION;{PUPIL_A};q-1;Brandos atestatas;BA;1111111;2025-07-01", header=header)
    second = csv_file(f"QUALIFICATION;{PUPIL_A};q-1;Brandos atestatas;BA;2222222;2025-07-01", header=header)

    def another_upload_lands() -> None:
        monkeypatch.setattr(ingest, "record_heads", real_heads)
        assert upload_to(world, bucket, second, who="rep_a", institution="inst-a")["rows_written"] == 1
        monkeypatch.setattr(ingest, "record_heads", interfering)

    real_heads = vars(ingest)["record_heads"]
    _between_read_and_write(monkeypatch, another_upload_lands)
    interfering = vars(ingest)["record_heads"]
    result = upload_to(world, bucket, first, who="rep_a", institution="inst-a")
    assert (result["rows_written"], result["rows_rejected"]) == (1, 0)
    record_id = record_id_for("inst-a", "q-1")
    versions = [v for v in RecordVersion.query(version_partition(record_id)) if isinstance(v, RecordVersion)]
    # Two consecutive versions, each its own DAKPR delivery: one idempotency key, one content.
    assert [(v.version_number, v.snapshot["document_number"], v.dakpr_state) for v in versions] == [
        (1, "2222222", "PENDING"), (2, "1111111", "PENDING")]
    journal = [e["action"] for e in journal_of(PUPIL_A) if e["record_id"] == record_id]
    assert sorted(journal) == ["CREATE", "UPDATE"]


def test_an_api_create_losing_to_an_upload_is_a_conflict_not_an_overwrite(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = record_id_for("inst-a", "race-2")
    real_head: Callable[[str], RecordHead | None] = vars(records_service)["record_head"]
    stale = iter([None])  # the API's first look finds nothing; the upload then commits

    def head_before_the_upload(rid: str) -> RecordHead | None:
        if rid == record_id:
            found = next(stale, "read")
            if found is None:
                upload_to(world, bucket, csv_file(f"EXAM;{PUPIL_A};race-2;Matematika;2025-06-01;40",
                                                  header=EXAM_HEADER), who="rep_a", institution="inst-a")
                return None
        return real_head(rid)

    monkeypatch.setattr(records_service, "record_head", head_before_the_upload)
    lost = world.call("rep_a", "POST", RECORDS_A, record_body("pupil_a", "race-2", score=91))
    assert (lost.status_code, lost.json_body["code"], lost.json_body["current_version"]) == (
        409, "record.conflict", 1)
    head = real_head(record_id)
    assert head is not None and Record.get(PUPIL_A, head.owner_record_key).field("score") == 40


def test_an_old_file_does_not_undo_an_api_correction_nor_revive_an_annulled_record(
    world: World, bucket: Any
) -> None:
    old_file = csv_file(f"EXAM;{PUPIL_A};f-1;Matematika;2025-06-01;40",
                        f"EXAM;{PUPIL_A};f-2;Fizika;2025-06-01;50", header=EXAM_HEADER)
    assert upload_to(world, bucket, old_file, who="rep_a", institution="inst-a")["rows_written"] == 2
    corrected_id, annulled_id = record_id_for("inst-a", "f-1"), record_id_for("inst-a", "f-2")
    assert world.call("rep_a", "PUT", f"{RECORDS_A}/{corrected_id}", record_body(
        "pupil_a", "f-1", score=45) | {"version": 1}).status_code == 200
    assert world.call("rep_a", "DELETE", f"{RECORDS_A}/{annulled_id}", {"reason": "Klaida"}).status_code == 200

    again = upload_to(world, bucket, old_file, who="rep_a", institution="inst-a")
    assert (again["rows_written"], again["rows_rejected"]) == (0, 2)
    assert [(e["line"], e["code"]) for e in again["errors"]] == [(2, "row.conflict"), (3, "record.annulled")]
    corrected = world.call("rep_a", "GET", f"{RECORDS_A}/{corrected_id}").json_body
    assert (corrected["score"], corrected["version"]) == (45, 2)
    assert world.call("rep_a", "GET", f"{RECORDS_A}/{annulled_id}").json_body["status"] == "ANNULLED"
    # A file that agrees with the correction catches up; later file changes apply again.
    caught_up = csv_file(f"EXAM;{PUPIL_A};f-1;Matematika;2025-06-01;45", header=EXAM_HEADER)
    assert upload_to(world, bucket, caught_up, who="rep_a", institution="inst-a")["rows_rejected"] == 0
    newer = csv_file(f"EXAM;{PUPIL_A};f-1;Matematika;2025-06-01;47", header=EXAM_HEADER)
    assert upload_to(world, bucket, newer, who="rep_a", institution="inst-a")["rows_written"] == 1
    assert world.call("rep_a", "GET", f"{RECORDS_A}/{corrected_id}").json_body["score"] == 47


def test_a_bulk_create_is_journaled_at_the_time_of_the_write(world: World, bucket: Any) -> None:
    sent = upload_to(world, bucket, csv_file(f"EXAM;{PUPIL_A};late;Matematika;2025-06-01;40", header=EXAM_HEADER),
                     who="rep_a", institution="inst-a", deliver=False)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    Upload.get(sent["upload_id"]).update(actions=[Upload.created_at.set(hour_ago)])
    from chalicelib.handlers.uploads import ingest_upload

    before_write = datetime.now(UTC)
    ingest_upload(sqs_event(sent["key"]), None)
    event = next(e for e in journal_of(PUPIL_A) if e["record_id"] == record_id_for("inst-a", "late"))
    at = datetime.fromisoformat(event["at"])
    assert event["action"] == "CREATE" and at >= before_write > hour_ago + timedelta(minutes=59)
    assert status(world, sent["upload_id"])["rows_written"] == 1
