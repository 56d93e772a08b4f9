"""The tables against moto: keys, indexes, ordering and the configuration binding."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from pynamodb.exceptions import PutError

from chalicelib.domain.kinds import IntegerValue, stored_fields
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionItem,
    InstitutionProfile,
    Permit,
    StaffMember,
    permit_item,
    staff_item,
)
from chalicelib.models.journal import JournalEvent, event_key
from chalicelib.models.persons import Person
from chalicelib.models.records import Record, record_key
from chalicelib.models.tables import ALL_MODELS, create_tables

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PUPIL, OTHER = "50803041232", "39001010000"


def make_record(person_id: str, kind: str, start: str, record_id: str, institution: str) -> Record:
    return Record(
        person_id, record_key(kind, start, record_id), record_id=record_id, kind=kind,
        institution_id=institution, source_id=f"src-{record_id}", start_date=start,
        created_at=NOW, created_by="test", updated_at=NOW, updated_by="test", version=1,
    )


@pytest.fixture
def dynamodb_calls(aws: None) -> Iterator[list[str]]:
    """Names of the DynamoDB API operations the Record model makes."""
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = Record._get_connection().connection.client.meta.events
    events.register("before-call.dynamodb.*", count)
    yield calls
    events.unregister("before-call.dynamodb.*", count)


def test_create_tables_is_idempotent(aws: None) -> None:
    assert create_tables() == []
    names = boto3.client("dynamodb").list_tables()["TableNames"]
    assert sorted(names) == sorted(f"mr-local-{m.logical_table()}" for m in ALL_MODELS)


def test_a_persons_history_is_one_ordered_query(aws: None, dynamodb_calls: list[str]) -> None:
    rows = [
        ("ENROLLMENT", "2015-09-01", "r1"), ("ENROLLMENT", "2019-09-01", "r2"),
        ("EXAM", "2026-06-05", "r3"), ("EXAM", "2026-06-01", "r4"),
        ("SUBJECT", "2024-09-01", "r5"), ("QUALIFICATION", "2026-07-01", "r6"),
    ]
    random.Random(7).shuffle(rows)
    for kind, start, rid in rows:
        make_record(PUPIL, kind, start, rid, "inst-a").save()
    make_record(OTHER, "EXAM", "2020-06-01", "x1", "inst-a").save()
    dynamodb_calls.clear()

    history = list(Record.query(PUPIL))

    assert dynamodb_calls == ["Query"]
    # Reading order: institutions attended, subjects, exams, olympiads, achievements, qualifications;
    # by date within each.
    assert [r.record_id for r in history] == ["r1", "r2", "r5", "r4", "r3", "r6"]
    assert {r.person_id for r in history} == {PUPIL}


def test_every_declared_field_is_an_attribute_that_round_trips(aws: None) -> None:
    """The `Record` attributes are generated from domain/kinds.py: PynamoDB must see each one,
    under its declared DynamoDB name, with its type, on write, read, update and in conditions."""
    values = {field.name: (7 if isinstance(field.value, IntegerValue) else f"v-{field.name}")
              for field in stored_fields()}
    record = make_record(PUPIL, "EXAM", "2026-06-05", "rt", "inst-a")
    for name, value in values.items():
        record.set_field(name, value)
    record.save()

    raw = boto3.client("dynamodb").get_item(TableName="mr-local-records",
                                             Key={"person_id": {"S": PUPIL}, "record_key": {"S": record.record_key}})
    stored = raw["Item"]
    assert {field.stored_as for field in stored_fields()} <= set(stored)
    assert stored["class"] == {"S": "v-class"} and "class_name" not in stored  # the declared attribute name
    assert stored["score"] == {"N": "7"}
    read = Record.get(PUPIL, record.record_key)
    assert {name: read.field(name) for name in values} == values
    assert read.field("start_date") == "v-start_date"

    subject = Record.get_attributes()["subject"]
    read.update(actions=[subject.set("Fizika")], condition=subject == "v-subject")
    assert Record.get(PUPIL, record.record_key).field("subject") == "Fizika"


def test_the_enrolments_index_holds_only_items_that_carry_its_key(aws: None) -> None:
    """Sparse: an item is in `enrolments_by_institution` only with `enrolled_at` set, whatever
    its `institution_id` (the write path sets it on enrolments alone: tests/api/test_enrolment_index.py)."""
    exam = make_record(PUPIL, "EXAM", "2026-06-05", "a1", "inst-a")
    exam.save()
    enrolment = make_record(OTHER, "ENROLLMENT", "2010-09-01", "a2", "inst-a")
    enrolment.enrolled_at = "inst-a"
    enrolment.save()
    elsewhere = make_record(PUPIL, "ENROLLMENT", "2015-09-01", "b1", "inst-b")
    elsewhere.enrolled_at = "inst-b"
    elsewhere.save()

    assert [r.record_id for r in Record.enrolments_by_institution.query("inst-a") if isinstance(r, Record)] == ["a2"]
    assert [r.record_id for r in Record.enrolments_by_institution.query("inst-b") if isinstance(r, Record)] == ["b1"]
    exam.enrolled_at = "inst-a"  # what would put an exam there, if anything set it
    exam.save()
    assert len(list(Record.enrolments_by_institution.query("inst-a"))) == 2


def test_concurrent_writers_cannot_overwrite_each_other(aws: None) -> None:
    make_record(PUPIL, "EXAM", "2026-06-05", "v1", "inst-a").save()
    first = Record.get(PUPIL, record_key("EXAM", "2026-06-05", "v1"))
    second = Record.get(PUPIL, record_key("EXAM", "2026-06-05", "v1"))
    for writer, score in ((first, 90), (second, 10)):
        read_version = writer.version
        writer.set_field("score", score)
        writer.version = read_version + 1
        if writer is first:
            writer.save(condition=Record.version == read_version)
        else:
            with pytest.raises(PutError):
                writer.save(condition=Record.version == read_version)
    assert Record.get(PUPIL, record_key("EXAM", "2026-06-05", "v1")).field("score") == 90


def test_institution_items_come_back_as_their_own_kinds(aws: None) -> None:
    common: dict[str, Any] = {"created_at": NOW, "created_by": "ministry"}
    InstitutionProfile("inst-a", PROFILE_ITEM, name="Vilniaus licėjus", legal_entity_code="211950810",
                       municipality="LT-57", **common).save()
    Permit("inst-a", permit_item("p1"), permit_id="p1", scope={"read", "write"},
           valid_from="2026-01-01", valid_to="2026-12-31", **common).save()
    StaffMember("inst-a", staff_item(OTHER), staff_person_id=OTHER, **common).save()
    StaffMember("inst-b", staff_item(OTHER), staff_person_id=OTHER, **common).save()

    kinds = {type(item).__name__ for item in InstitutionItem.query("inst-a")}
    where_staff = [item.institution_id for item in InstitutionItem.by_staff_person.query(OTHER)]

    assert kinds == {"InstitutionProfile", "Permit", "StaffMember"}
    assert where_staff == ["inst-a", "inst-b"]
    assert list(InstitutionItem.by_staff_person.query(PUPIL)) == []


def test_journal_reads_newest_first(aws: None) -> None:
    for i, at in enumerate(["2026-01-01T10:00:00", "2026-03-01T10:00:00", "2026-02-01T10:00:00"]):
        JournalEvent(PUPIL, event_key(at, f"e{i}"), event_id=f"e{i}",
                     at=datetime.fromisoformat(at).replace(tzinfo=UTC),
                     action="READ", actor_id=OTHER, actor_role="guardian").save()
    newest_first = [e.event_id for e in JournalEvent.query(PUPIL, scan_index_forward=False)]
    assert newest_first == ["e1", "e2", "e0"]


def test_table_names_follow_the_configured_stage(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    Person(PUPIL, given_name="Jonas", family_name="Jonaitis", created_at=NOW, updated_at=NOW,
           updated_by="test").save()

    monkeypatch.setenv("TABLE_PREFIX", "mr-other")
    assert Person.Meta.table_name == "mr-other-persons"
    assert set(create_tables()) == {f"mr-other-{m.logical_table()}" for m in ALL_MODELS}
    # Same class, new binding: the other stage's table is empty.
    assert Person.count(PUPIL) == 0

    monkeypatch.setenv("TABLE_PREFIX", "mr-local")
    assert Person.get(PUPIL).given_name == "Jonas"
    assert os.environ["TABLE_PREFIX"] == "mr-local"
