"""Version 1 is carried by the record: a create writes no version item of its own, the first change
(correction, move, annulment) writes it out as it was, beside the new version, and every version
stays readable (the world: tests/api/conftest.py)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.records import validate_record
from chalicelib.models.records import (
    Record,
    RecordHead,
    RecordsItem,
    RecordVersion,
    record_head,
    version_key,
    version_partition,
)
from chalicelib.services.credentials import sign_credential
from chalicelib.services.journal import Actor
from chalicelib.services.records import Refused, Writer, apply, current_record, plan_record, write_record
from tests.api.conftest import PEOPLE, World, record_body

RECORDS = "/institutions/inst-a/records"
PUPIL = PEOPLE["pupil_a"]
# The record's creator is not the representative who changes it later: version 1 must name the creator.
CREATOR = Actor("creator-1", "representative", "inst-a", "Mokykla A")


def created(source_id: str, **fields: Any) -> tuple[str, Record]:
    """A new exam written by CREATOR through the one write path, and its record as stored."""
    outcome = write_record(validate_record(record_body("pupil_a", source_id, **fields)), "inst-a", CREATOR)
    assert outcome.created
    record = current_record(record_head(outcome.record_id))
    assert record is not None
    return outcome.record_id, record


def stored_versions(record_id: str) -> list[RecordVersion]:
    return list(RecordVersion.query(version_partition(record_id), RecordVersion.record_key.startswith("V#"),
                                    consistent_read=True))


def shown_versions(world: World, record_id: str) -> list[dict[str, Any]]:
    response = world.call("rep_a", "GET", f"{RECORDS}/{record_id}")
    assert response.status_code == 200, response.body
    return list(response.json_body["versions"])


def correct(world: World, record_id: str, source_id: str, **fields: Any) -> Any:
    return world.call("rep_a", "PUT", f"{RECORDS}/{record_id}",
                      record_body("pupil_a", source_id, **fields) | {"version": 1})


def exam_fields(source_id: str, **changed: Any) -> dict[str, Any]:
    return {"kind": "EXAM", "source_id": source_id, "subject": "Matematika", "start_date": "2025-06-01",
            "score": 80} | changed


def test_a_new_record_writes_no_version_item_and_still_shows_version_1(world: World) -> None:
    record_id, record = created("v1-new")
    assert stored_versions(record_id) == []
    assert [type(item) for item in RecordsItem.query(version_partition(record_id))] == [RecordHead]
    assert int(record.version) == 1
    assert shown_versions(world, record_id) == [{
        "version": 1, "change": "CREATE", "changed_at": record.created_at.isoformat(), "changed_by": "creator-1",
        "fields": exam_fields("v1-new"), "dakpr_state": None, "dakpr_registration_number": None}]
    # The same content again plans no write at all, and still no version item.
    head = record_head(record_id)
    again = plan_record(validate_record(record_body("pupil_a", "v1-new")), PUPIL, Writer("inst-a", CREATOR),
                        head=head, current=current_record(head), now=datetime.now(UTC))
    assert (again.changed, again.writes) == (False, ())
    assert stored_versions(record_id) == []


def test_a_create_plans_the_record_and_its_head_but_no_version_item(world: World) -> None:
    plan = plan_record(validate_record(record_body("pupil_a", "v1-plan")), PUPIL, Writer("inst-a", CREATOR),
                       head=None, current=None, now=datetime.now(UTC))
    written = [type(write.item) for write in plan.writes]
    assert RecordVersion not in written and {Record, RecordHead} <= set(written)


def test_the_first_correction_writes_version_1_as_created_beside_version_2(world: World) -> None:
    record_id, record = created("v1-fix")
    assert correct(world, record_id, "v1-fix", score=70).json_body["version"] == 2
    first, second = stored_versions(record_id)
    assert (first.version_number, first.change, first.changed_by, first.changed_at) == (
        1, "CREATE", "creator-1", record.created_at)
    assert (first.submitting_institution, first.snapshot) == ("inst-a", exam_fields("v1-fix"))
    assert first.attribute_values.get("dakpr_state") is None  # not a DAKPR delivery
    assert (first.owner_person_id, first.owner_record_key) == (record.person_id, record.record_key)
    assert (second.version_number, second.change, second.changed_by, second.snapshot["score"]) == (
        2, "UPDATE", PEOPLE["rep_a"], 70)
    assert [(v["version"], v["change"], v["changed_by"], v["fields"]["score"]) for v in shown_versions(
        world, record_id)] == [(1, "CREATE", "creator-1", 80), (2, "UPDATE", PEOPLE["rep_a"], 70)]
    # A later change writes only its own version: version 1 is written once.
    assert world.call("rep_a", "PUT", f"{RECORDS}/{record_id}", record_body("pupil_a", "v1-fix", score=60) | {
        "version": 2}).status_code == 200
    assert [(v.version_number, v.snapshot["score"]) for v in stored_versions(record_id)] == [(1, 80), (2, 70), (3, 60)]


def test_a_first_change_that_moves_the_record_keeps_version_1_where_it_was(world: World) -> None:
    record_id, record = created("v1-move")
    assert correct(world, record_id, "v1-move", start_date="2024-06-01").status_code == 200
    first, second = stored_versions(record_id)
    assert (first.owner_record_key, first.snapshot["start_date"], first.change) == (
        record.record_key, "2025-06-01", "CREATE")
    assert second.owner_record_key != record.record_key and second.snapshot["start_date"] == "2024-06-01"


def test_annulling_a_new_record_writes_version_1_and_the_annulment(world: World) -> None:
    record_id, record = created("v1-annul")
    response = world.call("rep_a", "DELETE", f"{RECORDS}/{record_id}", {"reason": "Įvesta per klaidą"})
    assert response.status_code == 200 and response.json_body["version"] == 2
    first, second = stored_versions(record_id)
    assert (first.change, first.changed_by, first.changed_at, first.snapshot) == (
        "CREATE", "creator-1", record.created_at, exam_fields("v1-annul"))
    assert (second.change, second.snapshot["status"], second.snapshot["score"]) == ("ANNUL", "ANNULLED", 80)
    assert [(v["version"], v["change"]) for v in shown_versions(world, record_id)] == [(1, "CREATE"), (2, "ANNUL")]


def test_a_record_created_with_its_own_version_1_keeps_that_one_item(world: World) -> None:
    """A record written before version 1 was carried by the record has its V#1 item already: the
    first change writes the same content again, and there is still one version 1."""
    record_id, record = created("v1-legacy")
    RecordVersion(version_partition(record_id), version_key(1), record_id=record_id, version_number=1,
                  owner_person_id=record.person_id, owner_record_key=record.record_key, change="CREATE",
                  changed_at=record.created_at, changed_by="creator-1", submitting_institution="inst-a",
                  snapshot=exam_fields("v1-legacy")).save()
    before = RecordsItem.get(version_partition(record_id), version_key(1), consistent_read=True).attribute_values
    assert [v["version"] for v in shown_versions(world, record_id)] == [1]  # the stored one, not a second
    assert correct(world, record_id, "v1-legacy", score=55).status_code == 200
    after = RecordsItem.get(version_partition(record_id), version_key(1), consistent_read=True).attribute_values
    assert after == before  # the same attributes and values (the snapshot compared as a mapping)
    assert [(v["version"], v["change"], v["fields"]["score"]) for v in shown_versions(world, record_id)] == [
        (1, "CREATE", 80), (2, "UPDATE", 55)]


def test_two_first_changes_from_one_read_end_in_one_version_2_and_a_refusal(world: World) -> None:
    record_id, _ = created("v1-race")
    head = record_head(record_id)
    current = current_record(head)
    plans = [plan_record(validate_record(record_body("pupil_a", "v1-race", score=score)), PUPIL,
                         Writer("inst-a", CREATOR), head=head, current=current, now=datetime.now(UTC))
             for score in (60, 30)]
    apply([plans[0]])
    with pytest.raises(Refused):
        apply([plans[1]])  # the head is no longer at version 1: nothing of it is written
    assert [(v.version_number, v.change, v.snapshot["score"]) for v in stored_versions(record_id)] == [
        (1, "CREATE", 80), (2, "UPDATE", 60)]


def test_a_transcript_from_before_status_lists_dates_a_carried_version_1_by_its_head(world: World) -> None:
    """Transcripts that state no versions are checked by when the current version was written: for
    a version 1 with no item of its own, the head's time (written with it)."""
    record_id, record = created("v1-transcript")
    assert stored_versions(record_id) == []
    stated = {"record_id": record_id, "kind": "EXAM", "institution_id": "inst-a", "subject": "Matematika"}

    def verify(issued_at: int) -> Any:
        transcript = sign_credential("LearningHistoryCredential", {"given_name": "PupilA", "records": [stated]},
                                     issued_at, jti="urn:uuid:legacy", sub=PUPIL)
        response = world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": transcript}),
                                          headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.body
        return response.json_body

    written = int(record.created_at.timestamp())
    assert verify(max(written + 1, int(time.time())))["valid"] is True
    earlier = verify(written - 3600)  # issued before the record was written: it cannot have stated it
    assert earlier["valid"] is False and [w["change"] for w in earlier["withdrawn"]] == ["changed"]
