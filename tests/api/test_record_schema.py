"""`GET /schema/records`: the record kinds as declared, public and cacheable (the world:
tests/api/conftest.py)."""

from __future__ import annotations

import re

from chalicelib.domain.kinds import KINDS
from tests.api.conftest import PEOPLE, World, record_body


def test_the_kinds_are_public_cacheable_and_carry_no_personal_data(world: World) -> None:
    response = world.client.http.get("/schema/records")  # no token, no cookie
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    document = response.json_body
    assert [kind["kind"] for kind in document["kinds"]] == [kind.name for kind in KINDS]
    exam = next(kind for kind in document["kinds"] if kind["kind"] == "EXAM")
    assert exam["title"].items() >= {"lt": "Egzaminai", "en": "Exams"}.items() and exam["heading"] == "subject"
    score = next(field for field in exam["fields"] if field["name"] == "score")
    assert (score["type"], score["required"], score["minimum"], score["maximum"]) == ("integer", True, 0, 100)
    # Nothing of any person: no personal code, no name of the world's people.
    assert not re.search(r"\d{11}", response.body.decode())
    assert "Testas" not in response.body.decode()


def test_history_sections_carry_the_declared_titles(world: World) -> None:
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a")).status_code == 201
    history = world.call("pupil_a", "GET", "/me/history").json_body
    titles = {kind["kind"]: kind["title"] for kind in world.client.http.get("/schema/records").json_body["kinds"]}
    assert [section["kind"] for section in history["sections"]] == ["ENROLLMENT", "EXAM"]
    assert all(section["title"] == titles[section["kind"]] for section in history["sections"])
    assert PEOPLE["pupil_a"] == history["person"]["person_id"]
