"""A small register for API tests: institutions A and B with valid read/write permits, C whose
permit is revoked; one representative each; a pupil enrolled only at A (a minor, the guardian's
child), one only at B, the guardian's adult child, two residents, a ministry official and an
official of Vilnius city municipality (LT-57, where A, B and C are)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.client
import pytest
from chalice.test import Client

from app import app
from chalicelib.auth.keys import generate_pem
from chalicelib.domain.access import MINISTRY_OFFICIAL, ministry_partition
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.personal_code import make_personal_code, parse_personal_code
from chalicelib.domain.records import validate_record
from chalicelib.models.base import transaction
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionProfile,
    Permit,
    StaffMember,
    permit_item,
    staff_item,
)
from chalicelib.models.officials import Official
from chalicelib.models.persons import Person
from chalicelib.services.journal import Actor
from chalicelib.services.persons import add_person_writes
from chalicelib.services.records import write_record
from chalicelib.services.sessions import access_token_for, open_session

TODAY = vilnius_today()  # the register's today (chalicelib/domain/dates.py), not this machine's
PEOPLE = {
    "ministry": make_personal_code("F", date(1975, 1, 1), 1),
    "rep_a": make_personal_code("M", date(1980, 1, 1), 2),
    "rep_b": make_personal_code("F", date(1981, 1, 1), 3),
    "rep_c": make_personal_code("M", date(1982, 1, 1), 4),
    "guardian": make_personal_code("F", date(1983, 1, 1), 5),
    "pupil_a": make_personal_code("M", TODAY.replace(year=TODAY.year - 12) - timedelta(days=3), 6),
    "pupil_b": make_personal_code("F", date(2006, 5, 5), 7),
    "adult_child": make_personal_code("M", TODAY.replace(year=TODAY.year - 18) - timedelta(days=1), 8),
    "resident": make_personal_code("F", date(1990, 2, 2), 9),
    "resident2": make_personal_code("M", date(1991, 3, 3), 10),
    "official": make_personal_code("F", date(1979, 4, 4), 11),
}
CALLERS = ("ministry", "rep_a", "rep_b", "rep_c", "guardian", "pupil_a", "resident", "official")


@dataclass
class World:
    client: Client
    tokens: dict[str, str]
    permits: dict[str, str]

    def call(self, who: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        all_headers = {"Authorization": f"Bearer {self.tokens[who]}", "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        return getattr(self.client.http, method.lower())(path, headers=all_headers | (headers or {}), body=data)


@pytest.fixture
def world(aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    yield from build_world(monkeypatch, tmp_path)


def build_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    """The world's data in the current moto account; yields it with a test client."""
    monkeypatch.setenv("SIGNING_KEY_PEM", generate_pem().decode())
    # The ministry is an OFFICIAL appointment in the register (below); MINISTRY_STAFF only bootstraps
    # an administrator, which these tests do not want on every ministry request.
    monkeypatch.delenv("MINISTRY_STAFF", raising=False)
    population = tmp_path / "population.json"
    population.write_text(
        json.dumps({"guardianships": {PEOPLE["guardian"]: [PEOPLE["pupil_a"], PEOPLE["adult_child"]]}})
    )
    monkeypatch.setenv("POPULATION_REGISTER_FILE", str(population))
    now = datetime.now(UTC)
    for name, code in PEOPLE.items():
        parsed = parse_personal_code(code)
        person = Person(code, given_name=name.title().replace("_", ""), family_name="Testas", created_at=now,
                        updated_at=now, updated_by="test", sex=parsed.sex,
                        birth_date=parsed.birth_date.isoformat() if parsed.birth_date else None)
        with transaction(Person) as tx:
            add_person_writes(tx, person, new=True)
    permits = {}
    for inst, state in (("inst-a", "ACTIVE"), ("inst-b", "ACTIVE"), ("inst-c", "REVOKED")):
        InstitutionProfile(
            inst,
            PROFILE_ITEM,
            name=f"Mokykla {inst[-1].upper()}",
            legal_entity_code="211950810",
            municipality="LT-57",
            created_at=now,
            created_by="test",
        ).save()
        permits[inst] = f"{inst}-p"
        Permit(
            inst,
            permit_item(permits[inst]),
            permit_id=permits[inst],
            scope={"read", "write"},
            state=state,
            valid_from=(TODAY - timedelta(days=10)).isoformat(),
            valid_to=(TODAY + timedelta(days=10)).isoformat(),
            created_at=now,
            created_by="test",
        ).save()
        rep = PEOPLE[f"rep_{inst[-1]}"]
        StaffMember(inst, staff_item(rep), staff_person_id=rep, created_at=now, created_by="test").save()
    for pupil, inst in (("pupil_a", "inst-a"), ("pupil_b", "inst-b"), ("adult_child", "inst-a")):
        record = validate_record(
            {
                "kind": "ENROLLMENT",
                "person_id": PEOPLE[pupil],
                **identity_of(pupil),
                "source_id": f"{pupil}-1",
                "start_date": "2020-09-01",
                "programme": "201001001",
            }
        )
        write_record(record, inst, Actor("seed", "representative", inst, f"Mokykla {inst[-1].upper()}"))
    Official("LT-57", PEOPLE["official"], valid_from=(TODAY - timedelta(days=10)).isoformat(),
             valid_to=(TODAY + timedelta(days=10)).isoformat(), created_at=now, created_by="test").save()
    # Valid over every date a test moves the clock to, as the environment variable it replaces was.
    Official(ministry_partition(MINISTRY_OFFICIAL), PEOPLE["ministry"], valid_from="2000-01-01", valid_to="2099-12-31",
             created_at=now, created_by="test").save()
    # A session each, as a login opens: the authoriser refuses tokens of unknown sessions.
    tokens = {who: access_token_for(PEOPLE[who], open_session(PEOPLE[who], "test").session_id)[0]
              for who in CALLERS}
    with Client(app, stage_name="local") as client:
        yield World(client, tokens, permits)


def identity_of(who: str) -> dict[str, str]:
    """The names and birth date the world's register holds for `who` (what a first record needs)."""
    birth = parse_personal_code(PEOPLE[who]).birth_date
    assert birth is not None
    return {"given_name": who.title().replace("_", ""), "family_name": "Testas", "birth_date": birth.isoformat()}


def record_body(person: str, source_id: str = "x-1", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "EXAM",
        "person_id": PEOPLE[person],
        "source_id": source_id,
        "subject": "Matematika",
        "start_date": "2025-06-01",
        "score": 80,
        **extra,
    }




def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of every DynamoDB (and other AWS) API call the request's handler makes from now on, in
    order. The authoriser's session check (a GetItem on `sessions`) is left out: the test client
    runs the authoriser on every request, while in AWS it is another function, cached per token
    (tests/auth/test_sessions.py counts it)."""
    calls: list[str] = []
    original: Callable[..., Any] = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        if not (operation == "GetItem" and str(params.get("TableName", "")).endswith("-sessions")):
            calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls
