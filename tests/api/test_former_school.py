"""A former school's reading right through an enrolment ends `FORMER_SCHOOL_ACCESS_MONTHS` after
the enrolment ended; it keeps reading the records it wrote, and nothing of other schools
(docs/ACCESS.md; the world: tests/api/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.dates import vilnius_today
from tests.api.conftest import PEOPLE, World, identity_of

RECORDS_A, RECORDS_B = "/institutions/inst-a/records", "/institutions/inst-b/records"


def enrolment(source_id: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], "source_id": source_id,
            "start_date": "2018-09-01", "programme": "201001001"} | fields


def moved_to_b(world: World, left_days_ago: int) -> None:
    """pupil_a left inst-a `left_days_ago` days ago and attends inst-b; inst-a also kept an exam."""
    exam = {"kind": "EXAM", "person_id": PEOPLE["pupil_a"], "source_id": "x-1", "subject": "Matematika",
            "start_date": "2019-06-01", "score": 80}
    assert world.call("rep_a", "POST", RECORDS_A, exam).status_code == 201
    left = (vilnius_today() - timedelta(days=left_days_ago)).isoformat()
    ended = world.call("rep_a", "POST", RECORDS_A, enrolment("pupil_a-1", end_date=left, leaving_reason="MOVED_LT"))
    assert ended.status_code == 200, ended.body
    at_b = enrolment("b-1", start_date=(vilnius_today() - timedelta(days=left_days_ago - 1)).isoformat(),
                     **identity_of("pupil_a"))
    assert world.call("rep_b", "POST", RECORDS_B, at_b).status_code == 201


def read_by_a(world: World) -> Any:
    return world.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=check")


def test_within_the_window_a_former_school_reads_as_before(world: World) -> None:
    moved_to_b(world, left_days_ago=300)
    seen = read_by_a(world)
    assert seen.status_code == 200
    assert {(r["kind"], r["institution_id"]) for r in seen.json_body["records"]} == {
        ("ENROLLMENT", "inst-a"), ("EXAM", "inst-a"), ("ENROLLMENT", "inst-b")}


@pytest.mark.parametrize("days", [400, 3000])
def test_after_the_window_it_reads_only_the_records_it_wrote(world: World, days: int) -> None:
    moved_to_b(world, left_days_ago=days)
    seen = read_by_a(world)
    assert seen.status_code == 200
    assert {(r["kind"], r["institution_id"]) for r in seen.json_body["records"]} == {
        ("ENROLLMENT", "inst-a"), ("EXAM", "inst-a")}
    # Red team: not the pupil's names as they are now — they are what a new enrolment would ask.
    person = seen.json_body["person"]
    assert person["person_id"] == PEOPLE["pupil_a"]
    assert [person.get(k) for k in ("given_name", "family_name", "birth_date")] == [None, None, None]
    # The school the pupil attends now still reads the shared kinds of the former one.
    by_b = world.call("rep_b", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=check").json_body
    assert ("ENROLLMENT", "inst-a") in {(r["kind"], r["institution_id"]) for r in by_b["records"]}
    # It still corrects what it wrote by the code alone, as it always could: the window limits
    # reading, not the identity rule (a school's own former pupil).
    exam = {"kind": "EXAM", "person_id": PEOPLE["pupil_a"], "source_id": "x-1", "subject": "Matematika",
            "start_date": "2019-06-01", "score": 85}
    assert world.call("rep_a", "POST", RECORDS_A, exam).status_code == 200


def test_a_school_that_never_taught_the_pupil_still_reads_nothing(world: World) -> None:
    moved_to_b(world, left_days_ago=400)
    assert world.call("rep_c", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=check").status_code == 404
