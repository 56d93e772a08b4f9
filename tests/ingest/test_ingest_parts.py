"""Big files cut into parts (services/ingest_parts.py), on moto: the S3 event splits the file, the
part messages go to the uploads queue, and each is delivered to `ingest_upload` as Lambda's SQS
poller would (delete on success, leave on failure). Tiny limits make a small file big."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest
import requests
from openpyxl import Workbook

from chalicelib.config import UPLOADS_QUEUE, settings
from chalicelib.handlers.uploads import ingest_upload
from chalicelib.models.records import record_head
from chalicelib.models.uploads import Upload, UploadPart, part_key
from tests.api.conftest import World
from tests.ingest.test_ingest import (
    PUPIL,
    crash_on_transaction,
    csv_file,
    exam_rows,
    exams_of,
    journal_of,
    sqs_event,
    status,
    upload,
)

PART_ROWS = 7


@pytest.fixture
def queue(world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("UPLOAD_SPLIT_BYTES", "1")  # every file is a big file
    monkeypatch.setenv("UPLOAD_PART_ROWS", str(PART_ROWS))
    return str(boto3.client("sqs").create_queue(QueueName=UPLOADS_QUEUE)["QueueUrl"])


def drain(queue: str, rounds: int = 50) -> list[str]:
    """Deliver every message on the queue, as Lambda's poller does; the bodies delivered."""
    sqs = boto3.client("sqs")
    bodies: list[str] = []
    for _ in range(rounds):
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
        if not messages.get("Messages"):
            return bodies
        for message in messages["Messages"]:
            try:
                deliver(message["Body"])
            except Exception:
                continue
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def part_messages(queue: str, *, hide: bool = True) -> dict[int, str]:
    """The part messages on the queue by part number (received: hidden for a while unless `hide`
    is False, so that `drain` finds them again)."""
    extra = {} if hide else {"VisibilityTimeout": 0}
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, **extra)["Messages"]
    return {json.loads(m["Body"])["upload_part"]["part"]: m["Body"] for m in messages}


def deliver(body: str) -> None:
    """One message to `ingest_upload`, as Lambda's SQS integration hands it over."""
    event = sqs_event("unused")
    event["Records"][0]["body"] = body
    ingest_upload(event, None)


def parts_of(upload_id: str) -> list[UploadPart]:
    count = int(Upload.get(upload_id).parts_total or 0)
    return [UploadPart.get(part_key(upload_id, n)) for n in range(count)]


def test_a_big_csv_file_is_written_in_parts_and_reported_as_one(world: World, bucket: Any, queue: str) -> None:
    rows = exam_rows(10)
    rows[3] = f'EXAM;{PUPIL};;;src-q;Fizika;2025-06-02;91;B;"Pastabos\nper dvi eilutes, ąčęėįšųūž"'
    rows[8] = f"EXAM;{PUPIL};;;src-bad;Fizika;2025-13-45;91;B;"  # a date that is not one: rejected
    rows += ["", *exam_rows(12, start=10)]  # a blank line is not a row
    rows[16] = f"EXAM;{PUPIL};;;src-x;Fizika;2025-06-02;200;B;"  # a score out of range
    sent = upload(world, bucket, csv_file(*rows))
    assert status(world, sent["upload_id"])["status"] == "PROCESSING"
    parts = parts_of(sent["upload_id"])
    assert [(p.first_row, p.row_count) for p in parts] == [(0, 7), (7, 7), (14, 7), (21, 1)]
    assert all(p.status == "PENDING" for p in parts)
    delivered = drain(queue)
    assert sorted(json.loads(b)["upload_part"]["part"] for b in delivered) == [0, 1, 2, 3]
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"], result["rows_rejected"]) == (
        "DONE", 22, 20, 2)
    assert len(exams_of()) == 20
    notes = next(r.field("notes") for r in exams_of() if r.source_id == "src-q")
    assert notes == "Pastabos\nper dvi eilutes, ąčęėįšųūž"
    # The line numbers are the whole file's (header = 1; the quoted newline takes two lines; a blank line).
    report = requests.get(result["report"]["json"], timeout=10).json()
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(11, "start_date"), (19, "score")]
    assert not any(p.spooled for p in parts_of(sent["upload_id"]))  # a few problems stay on their part
    assert (report["rows_read"], report["rows_written"], report["rows_rejected"]) == (22, 20, 2)
    # Every record once, journaled once; the parts' spooled report lines are gone.
    assert len({r.record_id for r in exams_of()}) == 20
    created = [e for e in journal_of() if e["action"] == "CREATE" and e["record_id"] in
               {r.record_id for r in exams_of()}]
    assert len(created) == 20
    listed = bucket.list_objects_v2(Bucket=settings().uploads_bucket, Prefix="parts/").get("Contents", [])
    assert listed == []


def test_parts_with_many_problems_spool_them_and_the_report_keeps_them_all_in_order(
    world: World, bucket: Any, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_PART_ROWS", "150")
    rows = [f"EXAM;{PUPIL};;;bad-{n};Fizika;2025-06-02;{101 + n};B;" for n in range(300)]  # scores out of range
    sent = upload(world, bucket, csv_file(*rows))
    drain(queue)
    assert all(p.spooled for p in parts_of(sent["upload_id"]))  # 150 problems each: more than a part keeps
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"], result["rows_rejected"]) == (
        "DONE", 300, 0, 300)
    report = requests.get(result["report"]["json"], timeout=10).json()
    assert [e["line"] for e in report["errors"]] == list(range(2, 302))
    assert [e["line"] for e in result["errors"]] == list(range(2, 102))
    listed = bucket.list_objects_v2(Bucket=settings().uploads_bucket, Prefix="parts/").get("Contents", [])
    assert listed == []


def test_a_big_xlsx_file_is_written_in_parts(world: World, bucket: Any, queue: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kind", "person_id", "source_id", "subject", "start_date", "score", "level"])
    for n in range(16):
        sheet.append(["EXAM", int(PUPIL), f"x-{n}", "Matematika", "2025-06-02", n, "A"])
        if n == 9:
            sheet.append([None] * 7)  # an empty row is not a row
    out = io.BytesIO()
    workbook.save(out)
    sent = upload(world, bucket, out.getvalue(), "pazymiai.xlsx")
    assert len(parts_of(sent["upload_id"])) == 3
    drain(queue)
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"]) == ("DONE", 16, 16)
    assert sorted(int(r.field("score")) for r in exams_of()) == list(range(16))


def test_an_xlsx_file_has_few_parts_as_each_reads_the_sheet_from_the_start(
    world: World, bucket: Any, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chalicelib.services.ingest_parts.MOST_XLSX_PARTS", 2)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kind", "person_id", "source_id", "subject", "start_date", "score"])
    for n in range(15):
        sheet.append(["EXAM", int(PUPIL), f"y-{n}", "Chemija", "2025-06-03", n])
    out = io.BytesIO()
    workbook.save(out)
    sent = upload(world, bucket, out.getvalue(), "chemija.xlsx")
    assert [(p.first_row, p.row_count, p.start) for p in parts_of(sent["upload_id"])] == [(0, 8, None), (8, 7, None)]
    drain(queue)
    assert (status(world, sent["upload_id"])["rows_written"], len(exams_of())) == (15, 15)


def test_a_part_delivered_twice_or_crashed_half_way_writes_everything_once(
    world: World, bucket: Any, queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_PART_ROWS", "150")
    crash_on_transaction(monkeypatch, 2)
    sent = upload(world, bucket, csv_file(*exam_rows(300)))
    first = part_messages(queue, hide=False)
    assert sorted(first) == [0, 1]
    with pytest.raises(RuntimeError):
        deliver(first[0])  # crashed part-way: the message stays
    crashed = [p for p in parts_of(sent["upload_id"]) if p.status == "FAILED"]
    assert len(crashed) == 1 and 0 < len(exams_of()) < 300
    seen = status(world, sent["upload_id"])
    assert (seen["status"], seen["failure_reason"]) == ("FAILED", "RuntimeError")
    drain(queue)  # delivered again, with the other part
    deliver(first[0])  # and once more, after it was done: nothing changes
    done = status(world, sent["upload_id"])
    assert (done["status"], done["rows_read"], done["rows_written"], done["rows_rejected"]) == ("DONE", 300, 300, 0)
    assert done["failure_reason"] is None
    exams = exams_of()
    assert len(exams) == len({r.record_id for r in exams}) == 300
    assert all(int(record_head(r.record_id).version_number) == 1 for r in exams)  # type: ignore[union-attr]
    created = [e for e in journal_of() if e["action"] == "CREATE" and e["record_id"] in {r.record_id for r in exams}]
    assert len(created) == 300


def test_the_s3_event_again_while_parts_run_queues_no_second_split(world: World, bucket: Any, queue: str) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(20)))
    before = [p.first_row for p in parts_of(sent["upload_id"])]
    ran_out = datetime.now(UTC) - timedelta(seconds=1)
    Upload.get(sent["upload_id"]).update(actions=[Upload.lease_until.set(ran_out)])  # the first run's lease
    ingest_upload(sqs_event(sent["key"]), None)  # S3 told the queue twice
    assert [p.first_row for p in parts_of(sent["upload_id"])] == before
    drain(queue)
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_written"]) == ("DONE", 20)
    assert len(exams_of()) == 20


def test_a_permit_revoked_while_parts_wait_stops_the_later_parts(world: World, bucket: Any, queue: str) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(14)))
    by_part = part_messages(queue)
    deliver(by_part[0])
    world.call("ministry", "DELETE", f"/institutions/inst-a/permits/{world.permits['inst-a']}")
    deliver(by_part[1])
    result = Upload.get(sent["upload_id"])
    assert (result.status, result.rows_written, result.rows_rejected) == ("DONE", 7, 7)
    assert {e["code"] for e in result.first_errors} == {"file.permit"}
    assert len(exams_of()) == 7


def test_a_forged_part_message_writes_nothing_and_parts_are_not_uploads(world: World, bucket: Any,
                                                                         queue: str) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(9)))
    forged = sqs_event("unused")
    forged["Records"][0]["body"] = json.dumps({"upload_part": {"upload_id": sent["upload_id"], "part": 9}})
    ingest_upload(forged, None)  # no such part: ignored
    UploadPart(part_key(sent["upload_id"], 5), part_of=sent["upload_id"], number=5, first_row=0,
               row_count=9).save()  # left by an earlier split, never counted: ignored too
    forged["Records"][0]["body"] = json.dumps({"upload_part": {"upload_id": sent["upload_id"], "part": 5}})
    ingest_upload(forged, None)
    forged["Records"][0]["body"] = json.dumps({"upload_part": {"upload_id": "nope", "part": 0}})
    ingest_upload(forged, None)
    assert exams_of() == []
    part_path = quote(part_key(sent["upload_id"], 0), safe="")
    hidden = world.call("rep_a", "GET", f"/institutions/inst-a/uploads/{part_path}")
    assert hidden.status_code == 404
    listed = world.call("rep_a", "GET", "/institutions/inst-a/uploads")
    assert listed.status_code == 200
    assert [u["upload_id"] for u in listed.json_body["uploads"]] == [sent["upload_id"]]


def test_a_file_past_the_row_limit_is_cut_there(world: World, bucket: Any, queue: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chalicelib.services.ingest_parts.MAX_ROWS", 10)
    sent = upload(world, bucket, csv_file(*exam_rows(12)))
    drain(queue)
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"]) == ("DONE", 10, 10)
    assert [e["code"] for e in result["errors"]] == ["file.too_many_rows"]
    assert len(exams_of()) == 10
