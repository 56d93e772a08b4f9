"""What an attacker with a representative's login tried after the issue-13 changes, each kept as a
regression test (the world: tests/api/conftest.py): guesses bounded by the day's limit, no
existence oracle in PUT /persons, removal reaching a running upload, a disputed enrolment, dates,
hidden file numbers, and the cost of a minimised page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from chalicelib.domain.personal_code import make_personal_code
from chalicelib.errors import Problem
from chalicelib.services import records as records_service
from chalicelib.services.access import caller_facts
from tests.api.conftest import PEOPLE, World, identity_of, record_body
from tests.api.test_trust import RECORDS_B, bucket, enrolment, upload_to  # noqa: F401 (fixture)
from tests.ingest.test_ingest import csv_file

PUPIL_A = PEOPLE["pupil_a"]


# --- the mismatch limit bounds the answers, not only the writes --------------------------------


def test_one_dry_run_file_answers_no_more_guesses_than_the_days_limit(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """Ten guesses at pupil A's given name in one dry-run file, with a limit of 3 a day: the report
    must not tell the right guess from the wrong ones (today every row of the chunk is answered,
    so the one right name stands out as the only row that is not a mismatch)."""
    monkeypatch.setenv("IDENTITY_MISMATCH_LIMIT", "3")
    header = "kind;asmens_kodas;vardas;pavarde;gimimo_data;source_id;start_date;programme"
    birth = identity_of("pupil_a")["birth_date"]
    names = [f"Spejimas{letter}" for letter in "ABCDEFGHJ"] + [identity_of("pupil_a")["given_name"]]
    rows = [f"ENROLLMENT;{PUPIL_A};{name};Testas;{birth};g-{n};2024-09-01;201001001" for n, name in enumerate(names)]
    result = upload_to(world, bucket, csv_file(*rows, header=header), dry_run=True)
    answered = [e["line"] for e in result["errors"] if e["code"] == "person.identity_mismatch"]
    assert len(answered) <= 3 + 1, f"{len(answered)} guesses answered with a limit of 3"
    codes_by_line = {e["line"]: e["code"] for e in result["errors"]}
    # The right name (line 11) must not be the one line whose answer differs from the rest.
    assert codes_by_line.get(11) in {codes_by_line.get(line) for line in range(2, 11)}


def test_requests_in_flight_when_the_limit_is_reached_do_not_answer_past_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests running at once all read the caller's facts (not suspended) before any of them
    counts its mismatch; each then answers `person.identity_mismatch`. The count decides the
    suspension but not the answer, so parallel requests get as many guesses as they are."""
    monkeypatch.setenv("IDENTITY_MISMATCH_LIMIT", "3")
    facts = caller_facts(PEOPLE["rep_b"])  # what ten concurrent requests read at their start
    wrong = enrolment("pupil_a", "guess") | identity_of("pupil_a") | {"given_name": "Spejimas"}
    answers: list[str] = []
    for _ in range(10):
        try:
            records_service.submit_record(facts, "inst-b", dict(wrong))
        except Problem as problem:
            answers.append(problem.code)
    assert answers.count("person.identity_mismatch") <= 3 + 1, answers


# --- PUT /persons is not an existence oracle ----------------------------------------------------


def test_put_person_does_not_tell_a_representative_whether_a_code_is_in_the_register(world: World) -> None:
    """rep_b has no relation to pupil A. PUT /persons/{code} answers 404 for a code in the register
    and 201 for one that is not: a free, uncounted oracle for "is this code in the register", which
    docs/ACCESS.md calls personal data and which the identity rule takes care not to reveal."""
    names = {"given_name": "Bet", "family_name": "Kas"}
    nobody = make_personal_code("F", date(2012, 3, 3), 77)
    known = world.call("rep_b", "PUT", f"/persons/{PUPIL_A}", names)
    unknown = world.call("rep_b", "PUT", f"/persons/{nobody}", names)
    assert (known.status_code, known.json_body.get("code")) == (unknown.status_code, unknown.json_body.get("code"))


# --- removal and suspension reach an upload that is already being written ---------------------


def test_removing_the_uploader_stops_the_rest_of_an_upload_already_running(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """The ministry removes rep_b while their file is being ingested (a file may hold 500,000 rows
    and run for up to the 15-minute lease). The permit and appointment are checked once, at the
    start: every later chunk is still written in the removed representative's name."""
    from chalicelib.services import ingest

    monkeypatch.setattr(ingest, "CHUNK", 2)
    real: Any = vars(ingest)["apply_in_groups"]
    removed = {"done": False}

    def write_then_remove(plans: Any, *args: Any, **kwargs: Any) -> list[int]:
        refused: list[int] = real(plans, *args, **kwargs)
        if plans and not removed["done"]:
            removed["done"] = True
            path = f"/institutions/inst-b/staff/{PEOPLE['rep_b']}"
            assert world.call("ministry", "DELETE", path).status_code == 204
        return refused

    monkeypatch.setattr(ingest, "apply_in_groups", write_then_remove)
    header = "kind;asmens_kodas;source_id;subject;start_date;score"
    rows = [f"EXAM;{PEOPLE['pupil_b']};late-{n};Matematika;2025-06-01;{50 + n}" for n in range(6)]
    started = world.call("rep_b", "POST", "/institutions/inst-b/uploads", {"file_name": "f.csv"})
    key = started.json_body["fields"]["key"]
    from chalicelib.config import settings
    from chalicelib.handlers.uploads import ingest_upload
    from chalicelib.models.uploads import Upload
    from tests.ingest.test_ingest import sqs_event

    bucket.put_object(Bucket=settings().uploads_bucket, Key=key, Body=csv_file(*rows, header=header))
    ingest_upload(sqs_event(key), None)
    upload = Upload.get(started.json_body["upload_id"])
    # Rows after the removal must not be written in the name of someone who is no longer staff.
    assert upload.rows_written == 2, f"{upload.rows_written} of 6 rows written; the uploader was removed after 2"


# --- an enrolment written before the person exists ---------------------------------------------


def test_enrolling_a_code_before_its_person_is_known_is_not_a_lasting_key(world: World) -> None:
    """rep_a enrols a personal code the register does not hold yet, with names it makes up: nothing
    can be checked, so the person is created with A's names and A is its creator. When the real
    person appears (logs in: the Population Register's names replace A's) and learns at B, A still
    reads them. Until then, B enrolling the real pupil with the real names is refused as
    `person.identity_mismatch` and counted towards B's suspension."""
    from chalicelib.services.persons import record_gateway_login

    newcomer = make_personal_code("M", date(2019, 4, 4), 123)  # a first-grader-to-be, not in the register
    squat = enrolment("pupil_a", "squat") | {"person_id": newcomer, "given_name": "Bet", "family_name": "Kas",
                                             "birth_date": "2019-04-04"}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", squat).status_code == 201
    record_gateway_login(newcomer, "Tikras", "Vaikas")  # the real person (or their guardian's view) appears
    real = enrolment("pupil_a", "first-grade") | {"person_id": newcomer, "given_name": "Tikras",
                                                  "family_name": "Vaikas", "birth_date": "2019-04-04"}
    assert world.call("rep_b", "POST", RECORDS_B, real).status_code == 201
    # A's enrolment was made on names that were never the person's: it must not open their history.
    assert world.call("rep_a", "GET", f"/persons/{newcomer}/history").status_code == 404


# --- dates --------------------------------------------------------------------------------------


def test_a_row_conflict_names_the_vilnius_date_of_the_api_change(world: World) -> None:
    """An API correction made at 00:30 in Vilnius on 2 March (22:30 UTC on 1 March): the upload
    report tells the school it was made on 1 March (`head.changed_at.date()` is the UTC date)."""
    from datetime import UTC, datetime

    from chalicelib.domain.ids import record_id_for
    from chalicelib.domain.records import validate_record
    from chalicelib.models.records import HEAD_KEY, RecordHead, version_partition
    from chalicelib.services.journal import Actor

    record = validate_record({"kind": "EXAM", "person_id": PUPIL_A, "source_id": "d-1", "subject": "Matematika",
                              "start_date": "2025-06-01", "score": 40}, today=date(2025, 7, 1))
    record_id = record_id_for("inst-a", "d-1")
    head = RecordHead(version_partition(record_id), HEAD_KEY, record_id=record_id, version_number=2,
                      owner_person_id=PUPIL_A, owner_record_key="x", status="ACTIVE", fingerprint="other",
                      via=records_service.VIA_API, changed_at=datetime(2025, 3, 1, 22, 30, tzinfo=UTC))
    writer = records_service.Writer("inst-a", Actor(PEOPLE["rep_a"], "representative", "inst-a", "A"),
                                    records_service.VIA_UPLOAD)
    with pytest.raises(Problem) as refused:
        records_service.plan_record(record, PUPIL_A, writer, head=head, current=None,
                                    now=datetime(2025, 7, 1, tzinfo=UTC))
    assert (refused.value.code, refused.value.extra["changed_on"]) == ("row.conflict", "2025-03-02")


# --- the minimum view hides another school's source_id, but not what it hashes to ---------------


def test_another_schools_hidden_file_number_cannot_be_read_back_from_the_record_id(world: World) -> None:
    """docs/ACCESS.md: of another school's enrolment a representative sees no `source_id` (the
    school's file number). The record id shown instead is an unkeyed SHA-256 of (institution,
    source_id), so a file number (sequential, a few thousand values) is recovered offline."""
    from chalicelib.domain.ids import record_id_for

    a_enrols = enrolment("pupil_a", "2024-0417")
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", a_enrols).status_code == 201
    arrives = enrolment("pupil_a", "b-1") | identity_of("pupil_a")
    assert world.call("rep_b", "POST", RECORDS_B, arrives).status_code == 201
    seen = world.call("rep_b", "GET", f"/persons/{PUPIL_A}/history").json_body["records"]
    hidden = [r for r in seen if r["institution_id"] == "inst-a" and r["kind"] == "ENROLLMENT"]
    assert hidden and all("source_id" not in r for r in hidden)
    table = {record_id_for("inst-a", f"2024-{n:04d}"): f"2024-{n:04d}" for n in range(10_000)}
    recovered = {table[r["record_id"]] for r in hidden if r["record_id"] in table}
    assert recovered == set(), f"file numbers recovered: {recovered}"


# --- the minimum view's filter and the page size -----------------------------------------------


def test_a_page_of_the_minimum_view_costs_a_bounded_number_of_queries(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other schools' exams are left out by the Query's filter, and the Query asks for pages of
    `limit + 1` items (PynamoDB's page size defaults to the limit): a pupil with many records at
    school A makes one page of B's view a long chain of Queries, each evaluating 51 items of
    which none is shown."""
    from datetime import UTC, datetime

    from chalicelib.models.records import Record, record_key
    from tests.api.conftest import dynamodb_calls

    now = datetime.now(UTC)
    with Record.batch_write() as batch:
        for n in range(1_000):
            rid = f"RX{n:06d}"
            batch.save(Record(PUPIL_A, record_key("EXAM", "2025-06-01", rid), record_id=rid, kind="EXAM",
                              institution_id="inst-a", source_id=f"x-{n}", subject="Matematika", score=50,
                              created_at=now, created_by="t", updated_at=now, updated_by="t", version=1))
    arrives = enrolment("pupil_a", "b-1") | identity_of("pupil_a")
    assert world.call("rep_b", "POST", RECORDS_B, arrives).status_code == 201
    calls = dynamodb_calls(monkeypatch)
    assert world.call("rep_b", "GET", f"/persons/{PUPIL_A}/history").status_code == 200
    assert calls.count("Query") <= 5, f"{calls.count('Query')} Queries for one page of 50"


def test_a_disputed_institution_reads_again_once_it_names_the_person_as_the_register_does(world: World) -> None:
    """The way back from a dispute: the institution names the person in full as the Population
    Register does (the identity rule, checked and counted like any stranger's), and its enrolment
    counts again; until then its learner list leaves the person out."""
    from chalicelib.services.persons import record_gateway_login

    newcomer = make_personal_code("F", date(2018, 5, 5), 124)
    typo = enrolment("pupil_a", "typo") | {"person_id": newcomer, "given_name": "Ona", "family_name": "Petraitye",
                                           "birth_date": "2018-05-05"}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", typo).status_code == 201
    record_gateway_login(newcomer, "Ona", "Petraitytė")  # the register's spelling
    assert world.call("rep_a", "GET", f"/persons/{newcomer}/history").status_code == 404
    learners = world.call("rep_a", "GET", "/institutions/inst-a/learners").body.decode("utf-8-sig")
    assert newcomer not in learners
    by_code_alone = record_body("pupil_a", "after-dispute") | {"person_id": newcomer}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", by_code_alone).status_code == 422
    named = by_code_alone | {"given_name": "Ona", "family_name": "Petraitytė", "birth_date": "2018-05-05"}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", named).status_code == 201
    assert world.call("rep_a", "GET", f"/persons/{newcomer}/history").status_code == 200


@pytest.mark.parametrize("dry_run", [True, False])
def test_rows_written_one_by_one_stop_answering_guesses_past_the_limit(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch, dry_run: bool  # noqa: F811
) -> None:
    """Rows of a person whose naming by this school is disputed take the single path (so do rows
    that lost a race): past the day's limit they too answer "suspended", and nothing is written."""
    from chalicelib.services.persons import record_gateway_login

    newcomer = make_personal_code("M", date(2018, 6, 6), 125)
    typo = enrolment("pupil_a", "typo") | {"person_id": newcomer, "given_name": "Jonas", "family_name": "Petraitis",
                                           "birth_date": "2018-06-06"}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", typo).status_code == 201
    record_gateway_login(newcomer, "Jonas", "Petraitys")
    monkeypatch.setenv("IDENTITY_MISMATCH_LIMIT", "1")
    header = "kind;asmens_kodas;vardas;pavarde;gimimo_data;source_id;start_date;programme"
    rows = [f"ENROLLMENT;{newcomer};Jonas;{family};2018-06-06;e-{n};2024-09-01;201001001"
            for n, family in enumerate(("Spejimas", "Kitas", "Petraitys"))]
    result = upload_to(world, bucket, csv_file(*rows, header=header), who="rep_a", institution="inst-a",
                       dry_run=dry_run)
    assert [(e["line"], e["code"]) for e in result["errors"]] == [
        (2, "person.identity_mismatch"), (3, "representative.suspended"), (4, "representative.suspended")]
    assert result["rows_written"] == 0
