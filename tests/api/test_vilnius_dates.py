"""Dates that decide access are dates in Vilnius, whatever the machine's clock zone (the world:
tests/api/conftest.py). The clock stands still at chosen UTC instants around midnight in Vilnius."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from chalicelib.domain import dates
from chalicelib.domain.dates import end_of_vilnius_day
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.models.base import transaction
from chalicelib.models.institutions import Permit, permit_item
from chalicelib.models.persons import Person
from chalicelib.models.shares import ShareLink
from chalicelib.services.persons import add_person_writes
from tests.api.conftest import PEOPLE, World, record_body

Clock = Callable[[str], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """`clock("2026-01-14T23:30")` stops the register's clock at that UTC instant."""
    def stand_at(utc: str) -> None:
        moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
        monkeypatch.setattr(dates, "utc_now", lambda: moment)

    return stand_at


def test_a_permit_works_from_midnight_in_vilnius_to_midnight_in_vilnius(world: World, clock: Clock) -> None:
    Permit.get("inst-a", permit_item(world.permits["inst-a"])).update(
        actions=[Permit.valid_from.set("2026-01-15"), Permit.valid_to.set("2026-02-20")])

    def write(source_id: str) -> tuple[int, str | None]:
        response = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", source_id))
        return response.status_code, (response.json_body or {}).get("code")

    clock("2026-01-14T21:30")  # 23:30 on 14 January in Vilnius: not yet
    assert write("v-1") == (403, "access.permit")
    clock("2026-01-14T23:30")  # 01:30 on 15 January in Vilnius (still the 14th in UTC)
    assert write("v-2")[0] == 201
    clock("2026-02-20T21:30")  # 23:30 on 20 February in Vilnius: the last evening
    assert write("v-3")[0] == 201
    clock("2026-02-20T22:30")  # 00:30 on 21 February in Vilnius (still the 20th in UTC)
    assert write("v-4") == (403, "access.permit")


def test_a_guardian_reads_a_child_until_midnight_in_vilnius_before_the_18th_birthday(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    child = make_personal_code("F", date(2008, 1, 15), 44)  # 18 on 15 January 2026
    now = datetime.now(UTC)
    with transaction(Person) as tx:
        add_person_writes(tx, Person(child, given_name="Ona", family_name="Testaitė", birth_date="2008-01-15",
                                     sex="F", created_at=now, updated_at=now, updated_by="test"), new=True)
    population = tmp_path / "population-birthday.json"
    population.write_text(json.dumps({"guardianships": {PEOPLE["guardian"]: [PEOPLE["pupil_a"], child]}}))
    monkeypatch.setenv("POPULATION_REGISTER_FILE", str(population))

    def guardian_sees_child() -> tuple[int, bool]:
        history = world.call("guardian", "GET", f"/persons/{child}/history").status_code
        children = world.call("guardian", "GET", "/me").json_body["children"]
        return history, child in {c["person_id"] for c in children}

    clock("2026-01-14T21:30")  # 23:30 on the eve in Vilnius: still a minor
    assert guardian_sees_child() == (200, True)
    clock("2026-01-14T22:30")  # 00:30 on the birthday in Vilnius (still the eve in UTC)
    assert guardian_sees_child() == (404, False)


def test_a_share_link_ends_at_midnight_in_vilnius_on_its_last_day(world: World, clock: Clock) -> None:
    clock("2026-01-14T23:30")  # 15 January in Vilnius: a link may end on the 16th at the earliest
    record_id = world.call("pupil_a", "GET", "/me/history").json_body["records"][0]["record_id"]
    refused = world.call("pupil_a", "POST", "/me/shares", {"record_ids": [record_id], "expires_on": "2026-01-15"})
    assert refused.json_body["errors"][0]["code"] == "validation.expires_on.range"
    created = world.call("pupil_a", "POST", "/me/shares", {"record_ids": [record_id], "expires_on": "2026-01-16"})
    assert created.status_code == 201
    link = next(s for s in ShareLink.by_owner.query(PEOPLE["pupil_a"]) if s.share_id == created.json_body["share_id"])
    # The last second of 16 January in Vilnius (stored to the second).
    assert link.expires_at == end_of_vilnius_day(date(2026, 1, 16)).replace(microsecond=0)
    assert link.expires_at == datetime(2026, 1, 16, 21, 59, 59, tzinfo=UTC)
    assert world.call("pupil_a", "GET", "/me/shares").json_body["shares"][0]["expires_on"] == "2026-01-16"
