"""Bulk uploads end to end on moto: API → presigned upload → S3 → the SQS handler `ingest_upload`
→ records, journal, report (the world: tests/api/conftest.py)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
import requests
from openpyxl import Workbook

from chalicelib.config import settings
from chalicelib.domain import xlsx
from chalicelib.domain.records import TEMPLATE_FIELDS, canonical_field
from chalicelib.domain.upload import ReadBudget
from chalicelib.models.journal import JournalEvent
from chalicelib.models.records import Record, RecordVersion, record_head
from chalicelib.models.uploads import Upload
from chalicelib.services import ingest
from chalicelib.services import records as records_service
from chalicelib.services.journal import entries
from tests.api.conftest import PEOPLE, World
from tests.xlsx_files import row, worksheet, xlsx_with

HEADER = "kind;asmens_kodas;vardas;pavarde;source_id;subject;start_date;score;level;notes"
PUPIL = PEOPLE["pupil_a"]


def exam_rows(count: int, start: int = 0, person: str = PUPIL) -> list[str]:
    return [f"EXAM;{person};;;src-{i};Matematika;2025-06-{i % 28 + 1:02d};{i % 101};A;" for i in range(start,
                                                                                           start + count)]


def csv_file(*rows: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def sqs_event(key: str, version_id: str | None = None) -> dict[str, Any]:
    stored = {"key": quote_plus(key)} | ({"versionId": version_id} if version_id else {})
    body = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": settings().uploads_bucket},
                                                                  "object": stored}}]}
    return {"Records": [{"messageId": "m1", "receiptHandle": "r", "body": json.dumps(body), "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:eu-north-1:123456789012:mr-uploads",
                         "awsRegion": "eu-north-1"}]}


def upload(world: World, bucket: Any, content: bytes, name: str = "pazymiai 2025+.csv", *,
           who: str = "rep_a", dry_run: bool = False, deliver_it: bool = True) -> dict[str, Any]:
    started = world.call(who, "POST", "/institutions/inst-a/uploads", {"file_name": name, "dry_run": dry_run})
    assert started.status_code == 201, started.body
    upload_id = started.json_body["upload_id"]
    key = started.json_body["fields"]["key"]
    bucket.put_object(Bucket=settings().uploads_bucket, Key=key, Body=content)
    if deliver_it:
        from chalicelib.handlers.uploads import ingest_upload

        ingest_upload(sqs_event(key), None)
    return {"upload_id": upload_id, "key": key}


def status(world: World, upload_id: str, who: str = "rep_a") -> dict[str, Any]:
    response = world.call(who, "GET", f"/institutions/inst-a/uploads/{upload_id}")
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def journal_of(person: str = PUPIL) -> list[dict[str, Any]]:
    """The person's journal as stored, newest first, as the entries it shows (an upload's item
    listing several records is one entry per record)."""
    return [entry for event in JournalEvent.query(person, scan_index_forward=False) for entry in entries(event)]


def exams_of(person: str = PUPIL) -> list[Record]:
    return [r for r in Record.query(person) if r.kind == "EXAM"]


def test_a_csv_upload_is_written_reported_and_journaled(world: World, bucket: Any) -> None:
    rows = [*exam_rows(30),
            f'EXAM;{PUPIL};;;src-q;Fizika;2025-06-02;91;B;"Pastabos\nper dvi eilutes, ąčęėįšųūž"']
    sent = upload(world, bucket, csv_file(*rows))
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"], result["rows_rejected"]) == (
        "DONE", 31, 31, 0)
    assert len(exams_of()) == 31
    notes = next(r.field("notes") for r in exams_of() if r.source_id == "src-q")
    assert notes == "Pastabos\nper dvi eilutes, ąčęėįšųūž"
    journal = world.call("pupil_a", "GET", "/me/journal?limit=100").json_body["events"]
    assert sum(e["action"] == "CREATE" for e in journal) == 32  # 31 exams and the conftest enrolment
    report = requests.get(result["report"]["json"], timeout=10).json()
    assert (report["rows_read"], report["rows_written"], report["errors"]) == (31, 31, [])
    csv_report = requests.get(result["report"]["csv"], timeout=10).content
    assert csv_report.startswith(b"\xef\xbb\xbf") and b";" in csv_report
    # The original file is kept.
    assert bucket.get_object(Bucket=settings().uploads_bucket, Key=sent["key"])["Body"].read().startswith(b"\xef")


def test_windows_1257_with_commas(world: World, bucket: Any) -> None:
    header = "kind,person_id,given_name,family_name,source_id,subject,start_date,score"
    content = csv_file(f"EXAM,{PUPIL},PupilA,Testas,w1,Lietuvių kalba ir literatūra,2025-06-02,77",
                       header=header, encoding="cp1257")
    assert "ų".encode("cp1257") in content and "ų".encode() not in content
    sent = upload(world, bucket, content, "egzaminai.csv")
    assert status(world, sent["upload_id"])["rows_written"] == 1
    assert exams_of()[0].field("subject") == "Lietuvių kalba ir literatūra"


def test_xlsx_with_numeric_codes(world: World, bucket: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Rūšis", "Asmens kodas", "source_id", "Dalykas", "Pradžios data", "Balai"])
    sheet.append(["EXAM", int(PUPIL), "x1", "Chemija", "2025-06-03", 64])
    sheet.append(["EXAM", float(PUPIL), "x2", "Biologija", "2025-06-04", 70.0])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["EXAM", PUPIL, "x3", "Istorija", "2025-13-01", 50])
    out = io.BytesIO()
    workbook.save(out)
    result = status(world, upload(world, bucket, out.getvalue(), "egzaminai.xlsx")["upload_id"])
    assert (result["rows_read"], result["rows_written"], result["rows_rejected"]) == (3, 2, 1)
    [error] = result["errors"]
    messages = error.pop("messages")
    assert error == {"line": 5, "column": "start_date", "code": "validation.start_date.date"}
    assert (messages["lt"], messages["en"]) == ("Tokios datos nėra.", "No such date.")


def test_every_rejected_row_is_explained_and_counts_reconcile(world: World, bucket: Any) -> None:
    rows = [*exam_rows(2),
            f"EXAM;{PUPIL[:-1]}1;;;bad-code;Matematika;2025-06-01;80;A;",
            f"EXAM;{PUPIL};;;bad-score;Matematika;2025-06-01;180;Z;",
            f"EXAM;{PUPIL};Kitas;Vardas;bad-name;Matematika;2025-06-01;80;A;",
            f'EXAM;{PUPIL};;;"broken;quote;x;2025-06-01;1;A;']
    result = status(world, upload(world, bucket, csv_file(*rows))["upload_id"])
    assert result["rows_read"] == result["rows_written"] + result["rows_rejected"]
    codes = {(e["line"], e["code"]) for e in result["errors"]}
    assert (4, "validation.person_id.checksum") in codes
    assert {(5, "validation.score.range"), (5, "validation.level.choice")} <= codes
    assert (6, "person.identity_mismatch") in codes
    assert any(code == "row.malformed" for _, code in codes)
    # A report never repeats what a row said: the wrong personal code is not in it.
    report = requests.get(result["report"]["json"], timeout=10).text
    assert PUPIL[:-1] not in report


def test_the_same_event_twice_leaves_one_copy(world: World, bucket: Any) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(40)))
    from chalicelib.handlers.uploads import ingest_upload

    ingest_upload(sqs_event(sent["key"]), None)  # redelivered
    assert len(exams_of()) == 40
    assert status(world, sent["upload_id"])["rows_written"] == 40
    # A second upload of the same file updates nothing and doubles nothing.
    again = upload(world, bucket, csv_file(*exam_rows(40)), "again.csv")
    assert status(world, again["upload_id"])["rows_written"] == 40
    assert len(exams_of()) == 40
    # Every record still at version 1, which the record carries: no version item was written.
    assert {int(r.version) for r in exams_of()} == {1}
    assert [v for r in exams_of() for v in RecordVersion.query(f"RID#{r.record_id}")] == []


def crash_on_transaction(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """The function stops (an exception) when it is about to apply its `number`-th transaction."""
    real_apply: Callable[..., None] = records_service.apply
    calls = {"n": 0}

    def crashing(plans: Any) -> None:
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("the function was stopped here")
        real_apply(plans)

    monkeypatch.setattr(records_service, "apply", crashing)


def test_a_retry_after_a_crash_half_way_writes_everything_once(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_on_transaction(monkeypatch, 3)
    sent = upload(world, bucket, csv_file(*exam_rows(300)), deliver_it=False)  # several transactions
    from chalicelib.handlers.uploads import ingest_upload

    with pytest.raises(RuntimeError):
        ingest_upload(sqs_event(sent["key"]), None)
    crashed = status(world, sent["upload_id"])
    assert crashed["status"] == "FAILED" and crashed["failure_reason"] == "RuntimeError"
    assert 0 < len(exams_of()) < 300  # part-way
    # Whatever was written is whole: every record has its head (one transaction), at the version
    # 1 the record carries (no version item of its own).
    for exam in exams_of():
        head = record_head(exam.record_id)
        assert head is not None and int(head.version_number) == int(exam.version) == 1
        assert list(RecordVersion.query(f"RID#{exam.record_id}", RecordVersion.record_key.startswith("V#"))) == []

    ingest_upload(sqs_event(sent["key"]), None)  # SQS delivers it again
    done = status(world, sent["upload_id"])
    assert (done["status"], done["rows_read"], done["rows_written"]) == ("DONE", 300, 300)
    exams = exams_of()
    assert len(exams) == len({r.record_id for r in exams}) == 300
    creates = [e for e in journal_of() if e["action"] == "CREATE" and e["record_id"] in {r.record_id for r in exams}]
    assert len(creates) == 300  # the retry skipped what was written: no second journal entry


def _transaction_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    error: Exception = ClientError({"Error": {"Code": code, "Message": "injected"}}, "TransactWriteItems")
    return error


def test_a_contended_transaction_is_retried_with_back_off(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB cancels a transaction that meets another one on the same items
    (TransactionConflict). Fault injection around moto's real answers: the first two tries are
    cancelled; the rows are written on the third, after waiting longer each time."""
    from pynamodb.connection.base import Connection

    real_dispatch = Connection.dispatch
    seen = {"n": 0}
    sleeps: list[float] = []
    monkeypatch.setattr("time.sleep", sleeps.append)

    def contended(self: Any, operation: str, kwargs: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems" and seen["n"] < 2:
            seen["n"] += 1
            raise _transaction_error("TransactionConflictException")
        return real_dispatch(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", contended)
    result = status(world, upload(world, bucket, csv_file(*exam_rows(10)))["upload_id"])
    assert result["rows_written"] == 10 and len(exams_of()) == 10
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0  # waited, longer the second time


def test_permanent_failure_ends_failed_and_in_the_dead_letter_queue(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pynamodb.connection.base import Connection

    from chalicelib.handlers.uploads import ingest_upload

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    real_dispatch = Connection.dispatch

    def always_contended(self: Any, operation: str, kwargs: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            raise _transaction_error("TransactionConflictException")
        return real_dispatch(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", always_contended)
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="mr-uploads-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName="mr-uploads", Attributes={
        "VisibilityTimeout": "0", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
    })["QueueUrl"]
    sent = upload(world, bucket, csv_file(*exam_rows(5)), deliver_it=False)
    sqs.send_message(QueueUrl=queue, MessageBody=sqs_event(sent["key"])["Records"][0]["body"])
    # What Lambda's SQS poller does: deliver; delete on success, leave it on failure.
    for _ in range(5):
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get("Messages", []):
            event = sqs_event(sent["key"])
            event["Records"][0]["body"] = message["Body"]
            try:
                ingest_upload(event, None)
            except Exception:
                continue
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    failed = status(world, sent["upload_id"])
    assert failed["status"] == "FAILED" and failed["failure_reason"] == "TransactWriteError"
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=1).get("Messages", [])
    assert len(dead) == 1 and sent["key"].split("/")[2] in dead[0]["Body"]
    assert exams_of() == []


@pytest.mark.parametrize(
    "case",
    [
        (b"", "empty.csv", "REJECTED", "file.empty"),
        (HEADER.encode() + b"\r\n", "header.csv", "REJECTED", "file.header_only"),
        (b"kind;person_id;source_id;colour\r\nEXAM;1;2;red\r\n", "unknown.csv", "REJECTED", "file.unknown_column"),
        (b"kind;person_id;source_id;asmens_kodas\r\nEXAM;1;2;3\r\n", "dup.csv", "REJECTED", "file.duplicate_column"),
        (b"kind;subject\r\nEXAM;x\r\n", "missing.csv", "REJECTED", "file.missing_column"),
        (bytes(range(256)) * 64, "junk.csv", "REJECTED", "file.not_text"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "REJECTED", "file.not_xlsx"),
    ],
)
def test_hostile_files_get_a_clear_report(world: World, bucket: Any, case: tuple[bytes, str, str, str]) -> None:
    content, name, status_code, code = case
    result = status(world, upload(world, bucket, content, name)["upload_id"])
    assert result["status"] == status_code
    assert code in {e["code"] for e in result["errors"]}
    assert exams_of() == []


def test_a_ten_megabyte_line_is_one_rejected_row(world: World, bucket: Any) -> None:
    huge = f"EXAM;{PUPIL};;;huge;Matematika;2025-06-01;1;A;" + "x" * 10_000_000
    result = status(world, upload(world, bucket, csv_file(exam_rows(1)[0], huge, exam_rows(1, 5)[0]))["upload_id"])
    assert (result["rows_read"], result["rows_written"], result["rows_rejected"]) == (3, 2, 1)
    assert result["errors"][0]["code"] == "row.too_long"


def test_wrong_bytes_in_a_utf8_file_reject_that_row(world: World, bucket: Any) -> None:
    bad = f"EXAM;{PUPIL};;;enc;Matematika;2025-06-01;1;A;\xe6".encode("cp1257")
    content = csv_file(*exam_rows(2)) + bad + b"\r\n"
    result = status(world, upload(world, bucket, content)["upload_id"])
    assert result["rows_rejected"] == 1 and result["errors"][0]["code"] == "row.encoding"


def test_row_and_byte_limits(world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_ROWS", 5)
    result = status(world, upload(world, bucket, csv_file(*exam_rows(8)))["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"]) == ("DONE", 5, 5)
    assert result["errors"][-1]["code"] == "file.too_many_rows"
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 100)
    too_big = status(world, upload(world, bucket, csv_file(*exam_rows(8)), "big.csv")["upload_id"])
    assert too_big["status"] == "REJECTED" and too_big["errors"][0]["code"] == "file.too_large"


def test_xlsx_bombs_and_entities_are_refused(world: World, bucket: Any) -> None:
    bomb = xlsx_with(b"<worksheet/>", {"xl/padding.bin": b"\0" * 50_000_000})
    result = status(world, upload(world, bucket, bomb, "bomb.xlsx")["upload_id"])
    assert result["status"] == "REJECTED" and result["errors"][0]["code"] == "file.xlsx_unsafe"
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
              b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    result = status(world, upload(world, bucket, xlsx_with(laughs), "laughs.xlsx")["upload_id"])
    assert result["status"] == "REJECTED" and result["errors"][0]["code"] == "file.xlsx_unsafe"
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
                b'<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
    result = status(world, upload(world, bucket, xlsx_with(external), "xxe.xlsx")["upload_id"])
    assert result["status"] == "REJECTED" and result["errors"][0]["code"] == "file.xlsx_unsafe"


def test_the_upload_ingests_and_keeps_the_version_the_event_names(world: World, bucket: Any) -> None:
    """The bucket is versioned (infra/register.yaml). A second POST to the same presigned form —
    before or after processing — never becomes what the upload ingested or keeps."""
    from chalicelib.handlers.uploads import ingest_upload

    name = settings().uploads_bucket
    bucket.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    original = csv_file(*exam_rows(2))
    sent = upload(world, bucket, original, deliver_it=False)
    first = bucket.head_object(Bucket=name, Key=sent["key"])["VersionId"]
    bucket.put_object(Bucket=name, Key=sent["key"], Body=csv_file(*exam_rows(5, start=100)))  # posted again
    ingest_upload(sqs_event(sent["key"], first), None)
    assert status(world, sent["upload_id"])["rows_written"] == 2 and len(exams_of()) == 2
    assert Upload.get(sent["upload_id"]).object_version == first
    # After processing: another POST, and its event. The upload is done; its original is kept.
    bucket.put_object(Bucket=name, Key=sent["key"], Body=b"something else entirely")
    latest = bucket.head_object(Bucket=name, Key=sent["key"])["VersionId"]
    ingest_upload(sqs_event(sent["key"], latest), None)
    assert len(exams_of()) == 2 and status(world, sent["upload_id"])["status"] == "DONE"
    assert bucket.get_object(Bucket=name, Key=sent["key"], VersionId=first)["Body"].read() == original


def test_without_a_version_in_the_event_the_first_claim_fixes_the_version(world: World, bucket: Any) -> None:
    """Moto's events (and an unversioned bucket's) name no version: the one there at the first claim
    is kept, and a retry after a failure reads that one even if the form was posted again."""
    from chalicelib.handlers.uploads import ingest_upload

    name = settings().uploads_bucket
    bucket.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    sent = upload(world, bucket, csv_file(*exam_rows(3)), deliver_it=False)
    first = bucket.head_object(Bucket=name, Key=sent["key"])["VersionId"]
    upload_item = Upload.get(sent["upload_id"])
    ingest._claim(upload_item, first)
    upload_item.update(actions=[Upload.status.set("FAILED")])  # as if the first attempt had crashed
    bucket.put_object(Bucket=name, Key=sent["key"], Body=csv_file(*exam_rows(7, start=50)))
    ingest_upload(sqs_event(sent["key"]), None)
    assert status(world, sent["upload_id"])["rows_written"] == 3 and len(exams_of()) == 3


XLSX_HEADER = row(1, "kind", "person_id", "source_id", "subject", "start_date", "score")


@pytest.mark.parametrize("case", ["declared A1:XFD1048576", "rows jump to 1048576"])
def test_hostile_spreadsheets_cost_what_they_hold(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """openpyxl padded every row to the declared 16,384 columns and yielded every skipped row:
    this 4.7 KB file cost minutes of CPU. Its rows are read as they are, within a small budget."""
    monkeypatch.setenv("UPLOAD_READ_CPU_SECONDS", "20")
    rows = XLSX_HEADER + row(2, "EXAM", PUPIL, "x1", "Chemija", "2025-06-03", 64)
    if case.startswith("declared"):
        sheet = worksheet(rows + row(1_048_576, "x", first=16_383), dimension="A1:XFD1048576")
        expected = ("DONE", 2, 1, 1, [(1_048_576, "row.columns")])
    else:
        sheet = worksheet(rows + row(1_048_576, "EXAM", PUPIL, "x2", "Biologija", "2025-06-04", 70))
        expected = ("DONE", 2, 2, 0, [])
    content = xlsx_with(sheet)
    assert len(content) < 6000
    result = status(world, upload(world, bucket, content, "priesiskas.xlsx")["upload_id"])
    assert (result["status"], result["rows_read"], result["rows_written"], result["rows_rejected"],
            [(e["line"], e["code"]) for e in result["errors"]]) == expected
    assert len(exams_of()) == result["rows_written"]


def test_a_shared_string_table_past_its_bound_is_too_complex(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table is held while the sheet is read: it is bounded (4,000,000 strings, 128 MB of
    text), here lowered so the file stays small."""
    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 1000)
    texts = ["kind", "person_id", "source_id", "subject", "start_date", "score", "EXAM", PUPIL, "Chemija"]
    shared = {text: index for index, text in enumerate(texts)}
    sheet = worksheet(row(1, *texts[:6], shared=shared) + row(2, "EXAM", PUPIL, "s1", "Chemija", "2025-06-03", 64,
                                                                  shared=shared))
    table = b"".join(b"<si><t>%s</t></si>" % text.encode() for text in texts)
    fits = status(world, upload(world, bucket, xlsx_with(sheet, strings=table + b"<si><t>x</t></si>" * 991),
                                "telpa.xlsx")["upload_id"])
    assert (fits["status"], fits["rows_written"]) == ("DONE", 1)
    huge = xlsx_with(sheet, strings=table + b"".join(b"<si><t>%d</t></si>" % i for i in range(992)))
    result = status(world, upload(world, bucket, huge, "per-daug.xlsx")["upload_id"])
    assert (result["status"], result["rows_read"]) == ("REJECTED", 0)
    assert [e["code"] for e in result["errors"]] == ["file.too_complex"]
    assert result["errors"][0]["messages"]["en"].startswith("The file is too complex to read")


def test_a_file_that_outlasts_its_reading_budget_ends_with_what_was_read(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fake CPU clock ticks once a reading step; the budget is 60 ticks. The rows read before
    it ran out are written or rejected, the rest is not read, and the report says why."""
    ticks = itertools.count(1.0)
    monkeypatch.setattr(ReadBudget, "clock", staticmethod(lambda: next(ticks)))
    monkeypatch.setenv("UPLOAD_READ_CPU_SECONDS", "60")
    rows = [f"EXAM;{PUPIL};;;src-{i};Matematika;2025-06-01;{180 if i % 5 == 0 else 90};A;" for i in range(150)]
    result = status(world, upload(world, bucket, csv_file(*rows))["upload_id"])
    assert result["status"] == "DONE" and result["errors"][-1]["code"] == "file.too_complex"
    assert 0 < result["rows_read"] < 150 and result["rows_rejected"] > 0
    assert result["rows_read"] == result["rows_written"] + result["rows_rejected"]
    assert len(exams_of()) == result["rows_written"]
    monkeypatch.setenv("UPLOAD_READ_CPU_SECONDS", "0")
    workbook = xlsx_with(worksheet(XLSX_HEADER + row(2, "EXAM", PUPIL, "x1", "Chemija", "2025-06-03", 64)))
    nothing = status(world, upload(world, bucket, workbook, "nieko.xlsx")["upload_id"])
    assert (nothing["status"], nothing["rows_read"], [e["code"] for e in nothing["errors"]]) == (
        "REJECTED", 0, ["file.too_complex"])


def test_a_key_outside_the_uploaders_institution_is_refused(world: World, bucket: Any) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(2)), deliver_it=False)
    forged = sent["key"].replace("incoming/inst-a/", "incoming/inst-b/")
    bucket.put_object(Bucket=settings().uploads_bucket, Key=forged, Body=csv_file(*exam_rows(2)))
    from chalicelib.handlers.uploads import ingest_upload

    ingest_upload(sqs_event(forged), None)
    assert Upload.get(sent["upload_id"]).status == "REJECTED"
    assert exams_of() == []


def test_a_permit_revoked_while_the_file_waits_stops_it(world: World, bucket: Any) -> None:
    sent = upload(world, bucket, csv_file(*exam_rows(3)), deliver_it=False)
    world.call("ministry", "DELETE", f"/institutions/inst-a/permits/{world.permits['inst-a']}")
    from chalicelib.handlers.uploads import ingest_upload

    ingest_upload(sqs_event(sent["key"]), None)
    result = Upload.get(sent["upload_id"])
    assert result.status == "REJECTED" and result.first_errors[0]["code"] == "file.permit"
    assert exams_of() == []


def test_dry_run_reports_without_writing(world: World, bucket: Any) -> None:
    rows = [*exam_rows(3), f"EXAM;{PUPIL};;;bad;Matematika;2025-06-01;180;A;"]
    result = status(world, upload(world, bucket, csv_file(*rows), dry_run=True)["upload_id"])
    assert (result["dry_run"], result["rows_written"], result["rows_rejected"]) == (True, 3, 1)
    assert exams_of() == []


def test_csv_report_cells_cannot_be_formulas(world: World, bucket: Any) -> None:
    content = csv_file(exam_rows(1)[0], header=HEADER + ";=HYPERLINK(\"http://x\")")
    result = status(world, upload(world, bucket, content)["upload_id"])
    report = requests.get(result["report"]["csv"], timeout=10).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(report), delimiter=";") for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_reports_carry_messages_by_language_and_the_csv_a_column_per_language(
    world: World, bucket: Any, further_language: Callable[[str, dict[str, str]], None]
) -> None:
    """A further language is a catalogue: its translations reach every report, and what it does
    not translate reads in Lithuanian in its CSV column."""
    further_language("pl", {"reason.range": "Wartość spoza zakresu."})
    rows = [f"EXAM;{PUPIL};;;bad-1;Matematika;2025-06-01;180;A;", f"EXAM;{PUPIL};;;bad-2;Matematika;2025-13-01;50;A;"]
    result = status(world, upload(world, bucket, csv_file(*rows))["upload_id"])
    out_of_range = {"lt": "Reikšmė už leistinų ribų.", "en": "The value is out of range.",
                    "pl": "Wartość spoza zakresu."}
    no_date = {"lt": "Tokios datos nėra.", "en": "No such date."}
    assert [(e["line"], e["code"], e["messages"]) for e in result["errors"]] == [
        (2, "validation.score.range", out_of_range), (3, "validation.start_date.date", no_date)]
    report = requests.get(result["report"]["json"], timeout=10).json()
    assert [e["messages"] for e in report["errors"]] == [out_of_range, no_date]
    table = requests.get(result["report"]["csv"], timeout=10).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(table), delimiter=";")) == [
        ["Eilutė / Line", "Stulpelis / Column", "Kodas / Code", "message_lt", "message_en", "message_pl"],
        ["2", "score", "validation.score.range", *out_of_range.values()],
        ["3", "start_date", "validation.start_date.date", *no_date.values(), "Tokios datos nėra."]]


def test_national_tests_upload_with_lithuanian_columns_and_values(world: World, bucket: Any) -> None:
    header = "rusis;asmens_kodas;iraso_id;patikrinimo_klase;dalykas;data;balai;didziausias_balas;lygis"
    sent = upload(world, bucket, csv_file(
        f"NATIONAL_TEST;{PUPIL};nt-1;4 klasė;Matematika;2025-05-06;31;40;Pagrindinis",
        f"NATIONAL_TEST;{PUPIL};nt-2;PUPP;Lietuvių kalba;2025-06-10;78;;aukštesnysis",
        f"NATIONAL_TEST;{PUPIL};nt-3;6;Skaitymas;2025-05-08;41;40;patenkinamas", header=header))
    result = status(world, sent["upload_id"])
    assert (result["rows_written"], result["rows_rejected"]) == (2, 1)
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(4, "validation.score.range")]
    tests = {r.source_id: r for r in Record.query(PUPIL) if r.kind == "NATIONAL_TEST"}
    assert {k: (r.field("grade_level"), r.field("score"), r.field("max_points"), r.field("level"))
            for k, r in tests.items()} == {"nt-1": ("4", 31, 40, "BASIC"), "nt-2": ("10", 78, None, "ADVANCED")}


def test_a_huge_score_cell_rejects_its_row_not_the_whole_upload(world: World, bucket: Any) -> None:
    """Red team: a 5,000-digit cell crashed the score ≤ max_points rule, failing the whole file."""
    header = "rusis;asmens_kodas;iraso_id;patikrinimo_klase;dalykas;data;balai;didziausias_balas"
    sent = upload(world, bucket, csv_file(f"NATIONAL_TEST;{PUPIL};nt-1;4;Matematika;2025-05-06;31;40",
                                          f"NATIONAL_TEST;{PUPIL};nt-2;6;Matematika;2025-05-06;{'9' * 5000};40",
                                          header=header))
    result = status(world, sent["upload_id"])
    assert (result["status"], result["rows_written"], result["rows_rejected"]) == ("DONE", 1, 1), result
    assert [(e["line"], e["column"]) for e in result["errors"]] == [(3, "score")]


def test_a_language_of_instruction_uploads_by_its_lithuanian_name(world: World, bucket: Any) -> None:
    header = "rusis;asmens_kodas;iraso_id;pradzios_data;programa;mokomoji_kalba"
    sent = upload(world, bucket, csv_file(f"ENROLLMENT;{PUPIL};up-1;2021-09-01;201001001;Lenkų kalba",
                                          f"ENROLLMENT;{PUPIL};up-2;2021-09-01;201001001;latyn",
                                          header=header))
    result = status(world, sent["upload_id"])
    assert (result["rows_written"], result["rows_rejected"]) == (1, 1), result["errors"]
    assert [(e["line"], e["column"], e["code"]) for e in result["errors"]] == [
        (3, "language_of_instruction", "validation.language_of_instruction.choice")]
    enrolment = next(r for r in Record.query(PUPIL) if r.source_id == "up-1")
    assert enrolment.field("language_of_instruction") == "pl"


def test_upload_requests_are_checked(world: World, bucket: Any) -> None:
    def ask(body: dict[str, Any], who: str = "rep_a", institution: str = "inst-a") -> Any:
        return world.call(who, "POST", f"/institutions/{institution}/uploads", body)

    assert ask({"file_name": "a.csv"}, who="rep_b").status_code == 403
    assert ask({"file_name": "a.csv"}, institution="inst-c", who="rep_c").status_code == 403
    assert ask({"file_name": "../../etc/passwd.csv"}).status_code == 422
    assert ask({"file_name": "a.exe"}).json_body["errors"][0]["code"] == "validation.file_name.choice"
    assert ask({"file_name": "a.csv", "dry_run": "yes"}).status_code == 422
    assert ask({"file_name": "a.csv", "uploader": "someone"}).status_code == 422
    started = ask({"file_name": "a.csv"}).json_body
    assert started["fields"]["key"].startswith(f"incoming/inst-a/{started['upload_id']}/")
    assert world.call("rep_b", "GET", f"/institutions/inst-a/uploads/{started['upload_id']}").status_code == 403
    assert world.call("rep_a", "GET", "/institutions/inst-a/uploads/nope").status_code == 404
    assert status(world, started["upload_id"])["status"] == "PENDING"


def test_the_presigned_post_works(world: World, bucket: Any) -> None:
    started = world.call("rep_a", "POST", "/institutions/inst-a/uploads", {"file_name": "tikras.csv"}).json_body
    response = requests.post(started["url"], data=started["fields"],
                             files={"file": ("tikras.csv", csv_file(*exam_rows(1)), "text/csv")}, timeout=10)
    assert response.status_code in (200, 204)
    assert bucket.head_object(Bucket=settings().uploads_bucket, Key=started["fields"]["key"])["ContentLength"] > 0


def test_templates_are_what_the_ingest_reads(world: World, bucket: Any) -> None:
    for language in ("lt", "en"):
        csv_template = world.client.http.get(f"/templates/upload?lang={language}")
        assert csv_template.status_code == 200
        result = status(world, upload(world, bucket, csv_template.body, f"sablonas-{language}.csv")["upload_id"])
        assert (result["rows_read"], result["rows_rejected"]) == (1, 0), result["errors"]
    xlsx = world.client.http.get("/templates/upload?format=xlsx&lang=lt", headers={"Accept": "*/*"})
    assert xlsx.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(xlsx.body)).testzip() is None
    # Every template field has a Lithuanian header, and it reads back as that field.
    lithuanian = csv_template_header(world, "lt")
    assert len(lithuanian) == len(TEMPLATE_FIELDS)
    assert [canonical_field(header) for header in lithuanian] == list(TEMPLATE_FIELDS)
    assert csv_template_header(world, "en") == list(TEMPLATE_FIELDS)


def csv_template_header(world: World, language: str) -> list[str]:
    body = world.client.http.get(f"/templates/upload?lang={language}").body.decode("utf-8-sig")
    return body.splitlines()[0].split(";")


def test_throttling_is_retried_by_the_sdk(world: World, bucket: Any) -> None:
    """A throttled TransactWriteItems (HTTP 400, ProvisionedThroughputExceededException) is sent again
    by botocore's standard retry mode, with back-off; the upload completes."""
    from botocore.awsrequest import AWSResponse

    throttled = {"n": 0}

    class Raw:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield b'{"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}'

    def throttle_twice(request: Any, **_: Any) -> AWSResponse | None:
        if throttled["n"] < 2:
            throttled["n"] += 1
            return AWSResponse(request.url, 400, {"x-amzn-RequestId": "t"}, Raw())
        return None

    events = Record._get_connection().connection.client.meta.events
    events.register_first("before-send.dynamodb.TransactWriteItems", throttle_twice)
    try:
        result = status(world, upload(world, bucket, csv_file(*exam_rows(3)))["upload_id"])
    finally:
        events.unregister("before-send.dynamodb.TransactWriteItems", throttle_twice)
    assert throttled["n"] == 2
    assert (result["status"], result["rows_written"]) == ("DONE", 3) and len(exams_of()) == 3
