"""The list of learners export, in the current register's columns (the world: tests/api/conftest.py)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date
from typing import Any

from openpyxl import load_workbook

from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.records import validate_record
from chalicelib.services.journal import Actor
from chalicelib.services.records import write_record
from tests.api.conftest import PEOPLE, World, identity_of

HEADER = ("Nr.;Asmens kodas;Pavardė Vardas;Gimimo data;Lytis;Bylos Nr./Asm. vardinis Nr.;Klasė;Mokymosi programa;"
          "Pagrindinė mokymosi forma/būdas;Mokomoji kalba")
ACTOR = Actor("seed", "representative", "inst-a", "Mokykla A")


def enrol(person: str, source_id: str, **fields: Any) -> None:
    row = {"kind": "ENROLLMENT", "person_id": PEOPLE.get(person, person), "source_id": source_id,
           "start_date": "2024-09-01",
           "programme": "(201001001) Pagrindinio ugdymo programa", "learning_form": "Grupinio mokymosi/Kasdienis"}
    # A person of the world is named in full (a first record for a non-pupil needs it); a newcomer
    # the school put in the register is named by the fields the test gives.
    identity = identity_of(person) if person in PEOPLE else {}
    write_record(validate_record(row | identity | fields), "inst-a", ACTOR)


def test_csv_in_the_current_registers_columns(world: World) -> None:
    enrol("pupil_a", "pupil_a-1", **{"class": "6b"})  # corrects the conftest enrolment: class 6b now
    enrol("adult_child", "adult_child-1", **{"class": "IVa"}, learning_form="=HYPERLINK(\"x\")",
          language_of_instruction="Lenkų kalba")
    enrol("resident", "left", **{"class": "5a"}, end_date="2025-06-30")  # left last summer: not listed
    response = world.call("rep_a", "GET", "/institutions/inst-a/learners")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="besimokantys-inst-a.csv"'
    assert response.body.startswith(b"\xef\xbb\xbf")
    text = response.body.decode("utf-8-sig")
    assert text.split("\r\n")[0] == HEADER
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert [(r[0], r[1], r[2], r[4], r[6]) for r in rows] == [
        ("1", PEOPLE["pupil_a"], "TESTAS PUPILA", "vyras", "6b"),
        ("2", PEOPLE["adult_child"], "TESTAS ADULTCHILD", "vyras", "IVa"),
    ]
    assert rows[0][5] == "pupil_a-1" and rows[0][7] == "(201001001) Pagrindinio ugdymo programa"
    assert rows[1][8] == "'=HYPERLINK(\"x\")"  # a formula arrives as text
    # The language of instruction, after the current register's columns, as Lithuanian names it.
    assert (rows[0][9], rows[1][9]) == ("", "lenkų")


def test_sex_and_birth_date_come_from_the_personal_code_for_a_person_a_school_created(world: World) -> None:
    newcomer = make_personal_code("F", date(2013, 4, 5), 321)
    # The ministry adds the person with names only: the register stores no sex or birth date.
    assert world.call("ministry", "PUT", f"/persons/{newcomer}",
                      {"given_name": "Ūla", "family_name": "Naujokaitė"}).status_code == 201
    enrol(newcomer, "newcomer-1", given_name="Ūla", family_name="Naujokaitė", **{"class": "7a"})
    response = world.call("rep_a", "GET", "/institutions/inst-a/learners")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=";"))[1:]
    assert [(r[2], r[3], r[4]) for r in rows if r[1] == newcomer] == [("NAUJOKAITĖ ŪLA", "2013-04-05", "moteris")]


def test_xlsx_keeps_codes_as_text(world: World) -> None:
    response = world.call("rep_a", "GET", "/institutions/inst-a/learners?format=xlsx",
                          headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert response.status_code == 200
    body = response.body if response.body.startswith(b"PK") else base64.b64decode(response.body)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    rows = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert ";".join(str(c) for c in rows[0]) == HEADER
    codes = [row[1] for row in rows[1:]]
    assert PEOPLE["pupil_a"] in codes and all(isinstance(code, str) for code in codes)


def test_only_the_institutions_representatives_and_every_listed_pupil_sees_it_in_the_journal(world: World) -> None:
    assert world.call("rep_b", "GET", "/institutions/inst-a/learners").status_code == 403
    assert world.call("pupil_a", "GET", "/institutions/inst-a/learners").status_code == 403
    assert world.call("rep_a", "GET", "/institutions/inst-a/learners?format=pdf").status_code == 400
    assert world.call("rep_a", "GET", "/institutions/inst-a/learners").status_code == 200
    events = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    assert events[0]["action"] == "EXPORT" and events[0]["actor"]["institution_name"] == "Mokykla A"
    assert events[0]["purpose"] == "list of learners"
    assert not any(e["action"] == "EXPORT" for e in world.call("resident", "GET", "/me/journal").json_body["events"])
