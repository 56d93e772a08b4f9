"""The records' sparse `enrolments_by_institution` index, as the write path fills it: enrolments
in, every other kind out (docs/DATA_MODEL.md, "The enrolments index")."""

from __future__ import annotations

from typing import Any

import boto3

from chalicelib.models.records import Record, RecordsItem, kind_prefix
from tests.api.conftest import PEOPLE, World, record_body

RECORDS = "/institutions/inst-a/records"


def enrolment_body(source_id: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], "source_id": source_id, "start_date": "2024-09-01",
            "programme": "201001001", "class": "7a", **extra}


def indexed(institution_id: str) -> dict[str, Record]:
    """What a Query of the index answers for the institution, by record id."""
    return {r.record_id: r for r in Record.enrolments_by_institution.query(institution_id) if isinstance(r, Record)}


def stored(person_id: str, prefix: str) -> list[dict[str, Any]]:
    """The person's stored items whose key starts with `prefix`, as DynamoDB holds them."""
    items: list[dict[str, Any]] = boto3.client("dynamodb").query(
        TableName=RecordsItem.Meta.table_name, KeyConditionExpression="person_id = :p AND begins_with(record_key, :k)",
        ExpressionAttributeValues={":p": {"S": person_id}, ":k": {"S": prefix}})["Items"]
    return items


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's size of an item: each attribute's name and value (strings as UTF-8; numbers
    approximately, at most 21 bytes)."""
    def value(typed: dict[str, Any]) -> int:
        (kind, data), = typed.items()
        return min(21, len(data) // 2 + 2) if kind == "N" else len(str(data).encode())
    return sum(len(name.encode()) + value(typed) for name, typed in item.items())


def test_an_enrolment_is_in_the_index_an_exam_is_not(world: World) -> None:
    enrolment = world.call("rep_a", "POST", RECORDS, enrolment_body("e-1"))
    exam = world.call("rep_a", "POST", RECORDS, record_body("pupil_a", "x-1"))
    assert (enrolment.status_code, exam.status_code) == (201, 201), (enrolment.body, exam.body)

    found = indexed("inst-a")
    assert enrolment.json_body["record_id"] in found and exam.json_body["record_id"] not in found
    assert found[enrolment.json_body["record_id"]].field("class") == "7a"  # whole items (projection ALL)
    assert not set(found) & set(indexed("inst-b"))  # the index's key is the institution
    # The key is written on the enrolment alone: not on the exam, nor on the versions and heads.
    exams = stored(PEOPLE["pupil_a"], kind_prefix("EXAM"))
    assert exams and all("enrolled_at" not in item for item in exams)
    enrolments = {item["record_id"]["S"]: item for item in stored(PEOPLE["pupil_a"], kind_prefix("ENROLLMENT"))}
    assert enrolments[enrolment.json_body["record_id"]]["enrolled_at"] == {"S": "inst-a"}
    partition = f"RID#{enrolment.json_body['record_id']}"
    versions = stored(partition, "V#") + stored(partition, "HEAD")
    assert versions and all("enrolled_at" not in item for item in versions)


def test_a_record_that_stops_being_an_enrolment_leaves_the_index(world: World) -> None:
    created = world.call("rep_a", "POST", RECORDS, enrolment_body("k-1"))
    record_id = created.json_body["record_id"]
    assert record_id in indexed("inst-a")

    corrected = world.call("rep_a", "PUT", f"{RECORDS}/{record_id}", record_body("pupil_a", "k-1") | {"version": 1})
    assert corrected.status_code == 200, corrected.body
    assert corrected.json_body["record_id"] == record_id and corrected.json_body["version"] == 2

    assert record_id not in indexed("inst-a")
    history = world.call("pupil_a", "GET", "/me/history").json_body["records"]
    assert [r["kind"] for r in history if r["record_id"] == record_id] == ["EXAM"]
    assert record_id not in {item["record_id"]["S"] for item in stored(PEOPLE["pupil_a"], kind_prefix("ENROLLMENT"))}


def test_an_enrolment_index_entry_is_well_under_one_write_unit(world: World) -> None:
    """Why the index projects ALL (docs/DATA_MODEL.md): an enrolment as the write path stores it,
    with every field an enrolment takes filled, plus DynamoDB's 100 bytes per index entry, stays
    well within the 1 KB of one write unit (three quarters of it, to notice growth early) — a
    narrower projection would not make a write cheaper."""
    created = world.call("rep_a", "POST", RECORDS, enrolment_body(
        "s-2025-0001", end_date="2025-06-30", learning_form="Grupinio mokymosi/Kasdienis",
        language_of_instruction="Lenkų kalba", leaving_reason="COMPLETED"))
    assert created.status_code == 201, created.body
    item = next(i for i in stored(PEOPLE["pupil_a"], kind_prefix("ENROLLMENT"))
                if i["record_id"]["S"] == created.json_body["record_id"])
    assert {"end_date", "learning_form", "language_of_instruction", "leaving_reason"} <= set(item)
    assert item_size(item) + 100 <= 1024 * 0.75, item_size(item)
