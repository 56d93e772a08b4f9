"""Version 1 carried by the record, through bulk uploads: new rows write no version item; a file
that changes them writes each record's version 1 as created beside version 2, also when the
upload is retried after a crash (the world: tests/api/conftest.py)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.config import settings
from chalicelib.models.records import Record, RecordVersion, record_head, version_partition
from tests.api.conftest import PEOPLE, World
from tests.ingest.test_ingest import (
    PUPIL,
    crash_on_transaction,
    csv_file,
    exam_rows,
    exams_of,
    sqs_event,
    status,
    upload,
)


def storage() -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=settings().uploads_bucket,
                     CreateBucketConfiguration={"LocationConstraint": settings().region})
    return s3


def stored_versions(record_id: str) -> list[RecordVersion]:
    return list(RecordVersion.query(version_partition(record_id), RecordVersion.record_key.startswith("V#"),
                                    consistent_read=True))


def changed_rows(count: int) -> list[str]:
    """`exam_rows` at level B instead of A: the same records, changed."""
    return [row.replace(";A;", ";B;") for row in exam_rows(count)]


def assert_versions_1_and_2(created: dict[str, Record]) -> None:
    for record_id, record in created.items():
        first, second = stored_versions(record_id)
        assert (first.change, first.changed_by, first.changed_at, first.snapshot["level"]) == (
            "CREATE", PEOPLE["rep_a"], record.created_at, "A")
        assert (first.owner_person_id, first.owner_record_key) == (record.person_id, record.record_key)
        assert (second.change, second.snapshot["level"]) == ("UPDATE", "B")
        head = record_head(record_id)
        assert head is not None and int(head.version_number) == 2


def test_new_rows_write_no_version_item_and_a_changing_file_writes_version_1_beside_2(
    world: World
) -> None:
    s3 = storage()
    first = upload(world, s3, csv_file(*exam_rows(30)))
    assert status(world, first["upload_id"])["rows_written"] == 30
    created = {record.record_id: record for record in exams_of()}
    assert len(created) == 30 and all(stored_versions(record_id) == [] for record_id in created)

    again = upload(world, s3, csv_file(*exam_rows(30)), "again.csv")  # unchanged: nothing written
    assert status(world, again["upload_id"])["rows_written"] == 30
    assert all(stored_versions(record_id) == [] for record_id in created)

    changed = upload(world, s3, csv_file(*changed_rows(30)), "changed.csv")
    assert status(world, changed["upload_id"])["rows_written"] == 30
    assert_versions_1_and_2(created)


def test_a_changing_file_retried_after_a_crash_writes_each_version_1_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = storage()
    upload(world, s3, csv_file(*exam_rows(300)))
    created = {record.record_id: record for record in exams_of()}
    crash_on_transaction(monkeypatch, 2)
    sent = upload(world, s3, csv_file(*changed_rows(300)), "changed.csv", deliver_it=False)
    from chalicelib.handlers.uploads import ingest_upload

    with pytest.raises(RuntimeError):
        ingest_upload(sqs_event(sent["key"]), None)
    part = [record_id for record_id in created if stored_versions(record_id)]
    assert 0 < len(part) < 300  # part-way: whole first changes only (one transaction each)
    ingest_upload(sqs_event(sent["key"]), None)  # SQS delivers it again
    done = status(world, sent["upload_id"])
    assert (done["status"], done["rows_read"], done["rows_written"]) == ("DONE", 300, 300)
    assert_versions_1_and_2(created)
    assert {int(r.version) for r in exams_of(PUPIL)} == {2}
