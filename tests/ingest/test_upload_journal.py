"""An upload's journal: one item per pupil per chunk of the file, listing that pupil's records
(`services/records.py` `journal_units`), shown to the citizen and to the auditor as one entry per
record, as if each had been written alone (the world: tests/api/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.ids import record_id_for
from chalicelib.models.journal import JournalEvent
from chalicelib.models.records import RecordVersion, record_head, version_partition
from chalicelib.services import records as records_service
from chalicelib.services.journal import RECORDS
from tests.api.conftest import PEOPLE, World, record_body
from tests.api.test_ministry_roles import admin, auditor, look_up  # noqa: F401 - fixtures
from tests.api.test_trust import _between_read_and_write
from tests.ingest.test_ingest import csv_file, exam_rows, status, upload

PUPIL, RESIDENT = PEOPLE["pupil_a"], PEOPLE["resident"]


def items_of(upload_id: str, person: str) -> list[JournalEvent]:
    """The journal items an upload wrote on a person's journal, oldest first."""
    return [e for e in JournalEvent.query(person) if e.correlation_id == upload_id]


def mine(world: World, who: str, limit: int = 100) -> list[dict[str, Any]]:
    response = world.call(who, "GET", f"/me/journal?limit={limit}")
    assert response.status_code == 200, response.body
    return list(response.json_body["events"])


def test_a_pupils_rows_are_one_item_and_the_citizen_sees_an_entry_per_record(world: World, bucket: Any) -> None:
    started = datetime.now(UTC)
    sent = upload(world, bucket, csv_file(f"EXAM;{PUPIL};;;p-1;Matematika;2025-06-02;71;A;",
                                          f"EXAM;{PUPIL};;;p-2;Fizika;2025-06-03;82;B;",
                                          f"EXAM;{RESIDENT};Resident;Testas;r-1;Chemija;2025-06-04;93;A;"))
    result = status(world, sent["upload_id"])
    assert (result["rows_read"], result["rows_written"], result["rows_rejected"]) == (3, 3, 0)
    # Two items for three rows: one per pupil, each listing that pupil's records.
    [pupils] = items_of(sent["upload_id"], PUPIL)
    [residents] = items_of(sent["upload_id"], RESIDENT)
    p1, p2, r1 = (record_id_for("inst-a", source) for source in ("p-1", "p-2", "r-1"))
    assert pupils.action == residents.action == RECORDS
    assert [(r["record_id"], r["action"]) for r in pupils.records] == [(p1, "CREATE"), (p2, "CREATE")]
    assert [(r["record_id"], r["action"]) for r in residents.records] == [(r1, "CREATE")]

    # The citizen: which records were created, by which institution, when — newest first.
    newest = mine(world, "pupil_a")[:2]
    assert [(e["action"], e["record_id"]) for e in newest] == [("CREATE", p2), ("CREATE", p1)]
    for entry, subject, score in zip(newest, ("Fizika", "Matematika"), (82, 71), strict=True):
        assert entry["actor"] == {"role": "representative", "institution_id": "inst-a",
                                  "institution_name": "Mokykla A"}
        assert started <= datetime.fromisoformat(entry["at"]) <= datetime.now(UTC)
        assert (entry["before"], entry["after"]["subject"], entry["after"]["score"]) == (None, subject, score)
    [residents_entry] = [e for e in mine(world, "resident") if e["record_id"] == r1]
    assert (residents_entry["action"], residents_entry["actor"]["institution_name"]) == ("CREATE", "Mokykla A")
    # Paging counts stored items: a page of one item shows both of its entries, and goes on.
    page = world.call("pupil_a", "GET", "/me/journal?limit=1").json_body
    assert [e["record_id"] for e in page["events"]] == [p2, p1] and page["next_cursor"]
    following = world.call("pupil_a", "GET", f"/me/journal?limit=1&cursor={page['next_cursor']}").json_body
    assert following["events"] and p1 not in {e["record_id"] for e in following["events"]}


def test_a_changed_row_shows_before_and_after(world: World, bucket: Any) -> None:
    rows = [f"EXAM;{PUPIL};;;c-1;Matematika;2025-06-02;60;A;", f"EXAM;{PUPIL};;;c-2;Fizika;2025-06-03;70;A;"]
    upload(world, bucket, csv_file(*rows))
    again = upload(world, bucket, csv_file(rows[0].replace(";60;", ";65;"), rows[1]), "again.csv")
    assert status(world, again["upload_id"])["rows_written"] == 2
    [item] = items_of(again["upload_id"], PUPIL)  # the unchanged row writes nothing, nor lists anything
    changed = record_id_for("inst-a", "c-1")
    assert [(r["record_id"], r["action"]) for r in item.records] == [(changed, "UPDATE")]
    [entry] = [e for e in mine(world, "pupil_a") if e["record_id"] == changed and e["action"] == "UPDATE"]
    assert (entry["before"]["score"], entry["after"]["score"]) == (60, 65)
    assert entry["actor"]["institution_name"] == "Mokykla A"


def test_a_unit_refused_by_a_concurrent_write_is_written_row_by_row_once(
    world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API creates one of the pupil's records after the ingest read the heads: the pupil's unit
    is refused whole (its condition "no head yet" fails), and both rows go to the single path,
    which reads again: the raced row now equals the record (written, nothing to change), the other
    is written alone with its own entry. The other pupil's unit is written as planned."""

    def api_creates_it() -> None:
        body = record_body("pupil_a", "race-1", subject="Matematika", start_date="2025-06-02", score=71)
        assert world.call("rep_a", "POST", "/institutions/inst-a/records", body).status_code == 201

    _between_read_and_write(monkeypatch, api_creates_it)
    sent = upload(world, bucket, csv_file(f"EXAM;{PUPIL};;;race-1;Matematika;2025-06-02;71;;",
                                          f"EXAM;{PUPIL};;;calm-1;Fizika;2025-06-03;82;;",
                                          f"EXAM;{RESIDENT};Resident;Testas;r-2;Chemija;2025-06-04;93;;"))
    result = status(world, sent["upload_id"])
    assert (result["rows_read"], result["rows_written"], result["rows_rejected"]) == (3, 3, 0)
    raced, calm, other = (record_id_for("inst-a", source) for source in ("race-1", "calm-1", "r-2"))
    # Every record written once (version 1 only, carried by the record: no version item) and journaled once.
    for record_id in (raced, calm, other):
        head = record_head(record_id)
        assert head is not None and int(head.version_number) == 1, record_id
        assert not [v for v in RecordVersion.query(version_partition(record_id)) if isinstance(v, RecordVersion)]
    journal = [e for e in mine(world, "pupil_a") if e["record_id"] in (raced, calm)]
    assert sorted((e["record_id"], e["action"]) for e in journal) == sorted([(raced, "CREATE"), (calm, "CREATE")])
    # The calm row's entry is the single path's own item, not a listing: the refused unit left nothing.
    [alone] = items_of(sent["upload_id"], PUPIL)
    assert (alone.action, alone.record_id, alone.records) == ("CREATE", calm, None)
    [listing] = items_of(sent["upload_id"], RESIDENT)
    assert [r["record_id"] for r in listing.records] == [other]


def test_a_pupil_with_more_rows_than_an_item_lists_gets_several(world: World, bucket: Any) -> None:
    count = 2 * records_service.MAX_LISTED + 10
    sent = upload(world, bucket, csv_file(*exam_rows(count)))
    assert status(world, sent["upload_id"])["rows_written"] == count
    items = items_of(sent["upload_id"], PUPIL)
    assert sorted(len(item.records) for item in items) == [10, records_service.MAX_LISTED, records_service.MAX_LISTED]
    listed = [r["record_id"] for item in items for r in item.records]
    written = {record_id_for("inst-a", f"src-{i}") for i in range(count)}
    assert len(listed) == count and set(listed) == written  # each record listed once
    shown = [e["record_id"] for e in mine(world, "pupil_a") if e["action"] == "CREATE"]
    assert written <= set(shown) and len(shown) == count + 1  # and the world's own enrolment


def test_an_item_past_its_byte_budget_is_split(world: World, bucket: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_service, "MAX_LISTED_BYTES", 1)  # every record's content is more
    sent = upload(world, bucket, csv_file(*exam_rows(3)))
    assert status(world, sent["upload_id"])["rows_written"] == 3
    assert sorted(len(item.records) for item in items_of(sent["upload_id"], PUPIL)) == [1, 1, 1]


def test_the_auditor_sees_the_uploader_and_file_for_each_listed_record(auditor: World, bucket: Any) -> None:  # noqa: F811
    sent = upload(auditor, bucket, csv_file(*exam_rows(2)))
    [item] = items_of(sent["upload_id"], PUPIL)
    assert len(item.records) == 2
    answer = look_up(auditor)
    assert answer.status_code == 200, answer.body
    uploaded = [e for e in answer.json_body["events"] if e["upload"]]
    assert sorted(e["record_id"] for e in uploaded) == sorted(record_id_for("inst-a", f"src-{i}") for i in range(2))
    for entry in uploaded:
        assert entry["action"] == "CREATE"
        assert entry["upload"] == {"upload_id": sent["upload_id"], "file_name": "pazymiai 2025+.csv"}
        assert entry["individual"] == {"person_id": PEOPLE["rep_a"], "given_name": "RepA", "family_name": "Testas"}
        assert "before" not in entry and "after" not in entry  # who, not what


def test_a_record_moved_to_another_person_is_told_on_both_journals(world: World, bucket: Any) -> None:
    upload(world, bucket, csv_file(f"EXAM;{PUPIL};;;m-1;Matematika;2025-06-02;60;A;"))
    moved = upload(world, bucket, csv_file(f"EXAM;{RESIDENT};Resident;Testas;m-1;Matematika;2025-06-02;60;A;"),
                   "fixed.csv")
    assert status(world, moved["upload_id"])["rows_written"] == 1
    record_id = record_id_for("inst-a", "m-1")
    # One unit, an item on each person's journal.
    [old] = items_of(moved["upload_id"], PUPIL)
    [new] = items_of(moved["upload_id"], RESIDENT)
    assert [(r["record_id"], r["action"], r["after"]) for r in old.records] == [
        (record_id, "UPDATE", {"moved_to_another_person": True})]
    assert [(r["record_id"], r["action"]) for r in new.records] == [(record_id, "UPDATE")]
    [told] = [e for e in mine(world, "pupil_a") if e["record_id"] == record_id and e["action"] == "UPDATE"]
    assert told["after"] == {"moved_to_another_person": True}
    assert [e["action"] for e in mine(world, "resident") if e["record_id"] == record_id] == ["UPDATE"]
