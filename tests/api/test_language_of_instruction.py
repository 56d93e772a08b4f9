"""The language of instruction of an enrolment through the API, another school's view, transcripts
and share links (the world: tests/api/conftest.py; the roster: tests/api/test_roster.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.domain.dates import vilnius_today
from tests.api.conftest import PEOPLE, World, identity_of
from tests.api.test_transcript import transcript_of, verify_online


def enrolment(source_id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], "source_id": source_id,
            "start_date": "2020-09-01", "programme": "201001001"} | fields


def test_set_corrected_and_annulled_through_the_api(world: World) -> None:
    records = "/institutions/inst-a/records"
    # The world's enrolment of pupil_a at inst-a, now with its language.
    corrected = world.call("rep_a", "POST", records, enrolment("pupil_a-1", language_of_instruction="lenkų"))
    assert corrected.status_code == 200 and corrected.json_body["version"] == 2, corrected.body
    path = f"{records}/{corrected.json_body['record_id']}"
    assert world.call("rep_a", "GET", path).json_body["language_of_instruction"] == "pl"
    again = world.call("rep_a", "PUT", path, enrolment("pupil_a-1", language_of_instruction="ru") | {"version": 2})
    assert again.status_code == 200 and world.call("rep_a", "GET", path).json_body["language_of_instruction"] == "ru"
    refused = world.call("rep_a", "PUT", path, enrolment("pupil_a-1", language_of_instruction="xx") | {"version": 3})
    assert [e["code"] for e in refused.json_body["errors"]] == ["validation.language_of_instruction.choice"]
    added = world.call("rep_a", "POST", records,
                       enrolment("a-2", start_date="2021-09-01", language_of_instruction="en"))
    assert world.call("rep_a", "DELETE", f"{records}/{added.json_body['record_id']}",
                      {"reason": "Klaida"}).status_code == 200
    shown = [r.get("language_of_instruction") for r in world.call("pupil_a", "GET", "/me/history").json_body["records"]]
    assert shown == ["ru"]


def test_another_school_sees_the_language_a_pupil_learnt_in(world: World) -> None:
    world.call("rep_a", "POST", "/institutions/inst-a/records", enrolment("pupil_a-1", language_of_instruction="pl",
                                                                          leaving_reason="Persikėlė"))
    arrival = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], **identity_of("pupil_a"), "source_id": "b-1",
               "start_date": "2025-09-01", "programme": "201001001", "language_of_instruction": "lt"}
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", arrival).status_code == 201
    seen = world.call("rep_b", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=adaptation").json_body
    earlier = next(r for r in seen["records"] if r["institution_id"] == "inst-a")
    assert earlier["language_of_instruction"] == "pl"
    assert "leaving_reason" not in earlier and "source_id" not in earlier  # still not shown to others


def test_in_the_transcript_and_a_share_link(world: World) -> None:
    created = world.call("rep_a", "POST", "/institutions/inst-a/records",
                         enrolment("pupil_a-1", language_of_instruction="lietuvių"))
    record_id = created.json_body["record_id"]
    stated = verify_online(world, transcript_of(world)).json_body["credential"]["credentialSubject"]["records"]
    assert [r["language_of_instruction"] for r in stated if r["record_id"] == record_id] == ["lt"]
    expires = (vilnius_today() + timedelta(days=10)).isoformat()
    link = world.call("pupil_a", "POST", "/me/shares", {"record_ids": [record_id], "expires_on": expires})
    shown = world.client.http.get("/shared/" + link.json_body["url"].rsplit("/", 1)[1]).json_body
    assert [r["language_of_instruction"] for r in shown["records"]] == ["lt"]


def test_a_leaving_reason_stored_as_text_before_it_was_a_code_still_reads(world: World) -> None:
    """Values written before the leaving reason became a code list are shown as they are; a
    correction of the record chooses a code."""
    from chalicelib.models.records import Record

    records = "/institutions/inst-a/records"
    ended = (vilnius_today() - timedelta(days=60)).isoformat()  # within the former school's window
    created = world.call("rep_a", "POST", records, enrolment("pupil_a-1", end_date=ended,
                                                             leaving_reason="MOVED_ABROAD"))
    record_id = created.json_body["record_id"]
    stored = next(r for r in Record.query(PEOPLE["pupil_a"]) if isinstance(r, Record) and r.record_id == record_id)
    stored.set_field("leaving_reason", "Išvyko pas senelius")  # as an earlier version of the register kept it
    stored.save()
    history = world.call("pupil_a", "GET", "/me/history").json_body["records"]
    assert [r.get("leaving_reason") for r in history if r["record_id"] == record_id] == ["Išvyko pas senelius"]
    path = f"{records}/{record_id}"
    kept = world.call("rep_a", "PUT", path, enrolment("pupil_a-1", end_date=ended,
                                                      leaving_reason="Išvyko pas senelius") | {"version": 2})
    assert [e["code"] for e in kept.json_body["errors"]] == ["validation.leaving_reason.choice"]
    chosen = world.call("rep_a", "PUT", path, enrolment("pupil_a-1", end_date=ended,
                                                        leaving_reason="baigė programą") | {"version": 2})
    assert chosen.status_code == 200 and world.call("rep_a", "GET", path).json_body["leaving_reason"] == "COMPLETED"
