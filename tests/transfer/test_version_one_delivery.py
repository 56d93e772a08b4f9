"""Version 1 and DAKPR: a qualification's version 1 is its outbox entry, so it is still written as
an item at creation, and the record's first change never overwrites it (nor its delivery). A
version 1 the record carries (not transferred) is written out at the first change without
holding up the delivery of the change (fake DAKPR on loopback, moto, tests/api/conftest.py's world)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.models.records import RecordsItem, RecordVersion, version_partition
from devstack.fake_dakpr import FakeDakpr
from tests.api.conftest import World
from tests.transfer.conftest import Clock
from tests.transfer.test_transfer import PUPIL, QUALIFICATION, got, run, submit, version_of

RECORD = "/institutions/inst-a/records/{}"


def versions(record_id: str) -> list[RecordVersion]:
    return list(RecordVersion.query(version_partition(record_id), RecordVersion.record_key.startswith("V#"),
                                    consistent_read=True))


def first_change(world: World, record_id: str, how: str) -> Any:
    path = RECORD.format(record_id)
    if how == "annulment":
        return world.call("rep_a", "DELETE", path, {"reason": "Klaida", "version": 1})
    if how == "kind change":
        return world.call("rep_a", "PUT", path, {"kind": "ACHIEVEMENT", "person_id": PUPIL, "source_id": "ba-1",
                                                 "title": "Padėka", "start_date": "2025-07-01", "version": 1})
    return world.call("rep_a", "PUT", path, QUALIFICATION | {"document_number": "7654321", "version": 1})


@pytest.mark.parametrize("how", ["correction", "annulment", "kind change"])
def test_a_delivered_version_1_survives_the_first_change(
    world: World, dakpr: FakeDakpr, clock: Clock, how: str
) -> None:
    record_id = submit(world)
    assert version_of(record_id, 1).dakpr_state == "PENDING"  # written at creation: the outbox entry
    assert run(clock) == {"delivered": 1}
    delivered = version_of(record_id, 1).attribute_values
    assert delivered["dakpr_state"] == "DELIVERED" and delivered["dakpr_registration_number"]

    response = first_change(world, record_id, how)
    assert response.status_code == 200, response.body
    assert version_of(record_id, 1).attribute_values == delivered  # not overwritten
    assert version_of(record_id, 2).dakpr_state == "PENDING"
    assert run(clock) == {"delivered": 1}
    assert [(r["version"], r["idempotency_key"]) for r in got(dakpr)["registrations"]] == [
        (1, f"{record_id}.1"), (2, f"{record_id}.2")]
    assert [v.dakpr_state for v in versions(record_id)] == ["DELIVERED", "DELIVERED"]


def test_a_pending_version_1_is_not_overwritten_and_goes_first(world: World, dakpr: FakeDakpr, clock: Clock) -> None:
    record_id = submit(world)
    pending = version_of(record_id, 1).attribute_values
    assert first_change(world, record_id, "correction").status_code == 200
    assert version_of(record_id, 1).attribute_values == pending
    assert run(clock) == {"delivered": 2}  # in order: version 1 (due first), then version 2
    assert [r["version"] for r in got(dakpr)["registrations"]] == [1, 2]


def test_a_record_that_becomes_a_qualification_is_delivered_from_version_2(
    world: World, dakpr: FakeDakpr, clock: Clock
) -> None:
    exam = {"kind": "EXAM", "person_id": PUPIL, "source_id": "ba-1", "subject": "Matematika",
            "start_date": "2025-06-01", "score": 80}
    record_id = submit(world, exam)
    assert versions(record_id) == [] and run(clock) == {}  # version 1 is carried by the record
    assert first_change(world, record_id, "correction").status_code == 200
    first, second = versions(record_id)
    assert (first.change, first.snapshot["kind"]) == ("CREATE", "EXAM")
    assert {"dakpr_state", "dakpr_queue"}.isdisjoint(first.attribute_values)  # not an outbox entry
    assert (second.snapshot["kind"], second.dakpr_state) == ("QUALIFICATION", "PENDING")
    assert run(clock) == {"delivered": 1}
    assert [r["version"] for r in got(dakpr)["registrations"]] == [2]
    assert RecordsItem.count(version_partition(record_id)) == 3  # V#1, V#2 and the head
