"""National achievement tests (`NATIONAL_TEST`: NMPP in grades 4, 6, 8; PUPP in grade 10) through
the API, the history, transcripts and share links (the world: tests/api/conftest.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.dates import vilnius_today
from tests.api.conftest import PEOPLE, World, identity_of, record_body
from tests.api.test_transcript import transcript_of, verify_online

RECORDS = "/institutions/inst-a/records"


def national_test(source_id: str = "nt-1", **fields: Any) -> dict[str, Any]:
    return {"kind": "NATIONAL_TEST", "person_id": PEOPLE["pupil_a"], "source_id": source_id, "grade_level": "6",
            "subject": "Matematika", "start_date": "2025-05-06", "score": 31, "max_points": 40,
            "level": "pagrindinis"} | fields


def test_created_corrected_and_annulled_through_the_api(world: World) -> None:
    created = world.call("rep_a", "POST", RECORDS, national_test())
    assert created.status_code == 201, created.body
    path = f"{RECORDS}/{created.json_body['record_id']}"
    detail = world.call("rep_a", "GET", path).json_body
    assert {k: detail[k] for k in ("kind", "grade_level", "score", "max_points", "level")} == {
        "kind": "NATIONAL_TEST", "grade_level": "6", "score": 31, "max_points": 40, "level": "BASIC"}

    refused = world.call("rep_a", "PUT", path, national_test(score=41) | {"version": 1})
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json_body["errors"]] == ["validation.score.range"]  # over the maximum
    corrected = world.call("rep_a", "PUT", path, national_test(score=36, level="aukštesnysis") | {"version": 1})
    assert corrected.status_code == 200 and corrected.json_body["version"] == 2
    assert world.call("rep_a", "GET", path).json_body["level"] == "ADVANCED"

    annulled = world.call("rep_a", "DELETE", path, {"reason": "Ne tas mokinys", "version": 2})
    assert annulled.status_code == 200
    assert not [r for r in world.call("pupil_a", "GET", "/me/history").json_body["records"]
                if r["kind"] == "NATIONAL_TEST"]


def test_the_values_it_takes(world: World) -> None:
    def codes(**fields: Any) -> list[str]:
        answer = world.call("rep_a", "POST", RECORDS, national_test(**fields))
        assert answer.status_code == 422, answer.body
        return [e["code"] for e in answer.json_body["errors"]]

    assert codes(grade_level="5") == ["validation.grade_level.choice"]  # NMPP 4, 6, 8; PUPP 10
    assert codes(level="šalies") == ["validation.level.choice"]  # an olympiad's level, not a test's
    assert codes(max_points=0) == ["validation.max_points.range"]
    assert codes(score=101, max_points=None) == ["validation.score.range"]  # a percentage without a maximum
    assert codes(**{"class": "6a"}) == ["validation.class.not_applicable"]
    missing = world.call("rep_a", "POST", RECORDS, {"kind": "NATIONAL_TEST", "person_id": PEOPLE["pupil_a"],
                                                    "source_id": "nt-x"})
    assert {e["code"] for e in missing.json_body["errors"]} == {
        "validation.grade_level.required", "validation.subject.required", "validation.start_date.required",
        "validation.score.required"}
    # A percentage: no maximum needed.
    assert world.call("rep_a", "POST", RECORDS, national_test("nt-2", score=78, max_points=None)).status_code == 201


def test_read_after_exams_by_the_person_not_by_other_schools(world: World) -> None:
    assert world.call("rep_a", "POST", RECORDS, national_test()).status_code == 201
    olympiad = {"kind": "OLYMPIAD", "person_id": PEOPLE["pupil_a"], "source_id": "o1", "subject": "Chemija",
                "start_date": "2020-03-01", "place": "1"}
    for body in (record_body("pupil_a", "e1", start_date="2025-06-10"), olympiad):
        assert world.call("rep_a", "POST", RECORDS, body).status_code == 201
    history = world.call("pupil_a", "GET", "/me/history").json_body
    assert [r["kind"] for r in history["records"]] == ["ENROLLMENT", "EXAM", "NATIONAL_TEST", "OLYMPIAD"]
    section = history["sections"][2]
    assert section["kind"] == "NATIONAL_TEST"
    assert section["title"].items() >= {"lt": "Nacionaliniai mokinių pasiekimų patikrinimai",
                                        "en": "National achievement tests"}.items()

    # Another school the pupil now attends sees where they learnt, not the first school's test results.
    enrolment = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], **identity_of("pupil_a"), "source_id": "b-1",
                 "start_date": "2025-09-01", "programme": "201001001"}
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", enrolment).status_code == 201
    seen = world.call("rep_b", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=check").json_body
    assert "NATIONAL_TEST" not in {r["kind"] for r in seen["records"]}
    assert {r["kind"] for r in seen["records"]} == {"ENROLLMENT"}


def test_in_the_transcript_and_a_share_link(world: World) -> None:
    created = world.call("rep_a", "POST", RECORDS, national_test())
    record_id = created.json_body["record_id"]
    transcript = transcript_of(world)
    checked = verify_online(world, transcript)
    stated = [r for r in checked.json_body["credential"]["credentialSubject"]["records"]
              if r["record_id"] == record_id]
    assert stated and stated[0]["grade_level"] == "6" and stated[0]["max_points"] == 40

    expires = (vilnius_today() + timedelta(days=10)).isoformat()
    link = world.call("pupil_a", "POST", "/me/shares", {"record_ids": [record_id], "expires_on": expires})
    assert link.status_code == 201
    shown = world.client.http.get("/shared/" + link.json_body["url"].rsplit("/", 1)[1]).json_body
    assert [(r["kind"], r["subject"], r["level"]) for r in shown["records"]] == [("NATIONAL_TEST", "Matematika",
                                                                                  "BASIC")]


HUGE = "9" * 5000  # Python's int() refuses strings of more than 4,300 digits (ValueError)


@pytest.mark.parametrize("fields", [{"score": HUGE}, {"max_points": HUGE}], ids=["score", "max_points"])
def test_a_huge_number_on_a_national_test_is_a_field_problem_not_a_server_error(
        world: World, fields: dict[str, str]) -> None:
    """Red team: the rule score ≤ max_points read raw values with int() outside validation."""
    answer = world.call("rep_a", "POST", RECORDS, national_test(**fields))
    assert answer.status_code == 422, (answer.status_code, answer.body[:200])
    assert [e["field"] for e in answer.json_body["errors"]] == list(fields)
