"""An institution's administrators appoint and remove its representatives (issue 16, item 2;
docs/ACCESS.md "Institution administrators"). In the world: `resident` is made inst-b's
administrator by the ministry; `guardian` is the person they appoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.conftest import PEOPLE, TODAY, World

B_STAFF = "/institutions/inst-b/staff"
B_PERMITS = "/institutions/inst-b/permits"  # a representative's own right: reading its institution's permits


def staff(who: str, institution: str = "inst-b") -> str:
    return f"/institutions/{institution}/staff/{PEOPLE[who]}"


def listed(world: World, institution: str = "inst-b") -> dict[str, dict[str, Any]]:
    answer = world.call("ministry", "GET", f"/institutions/{institution}/staff")
    assert answer.status_code == 200, answer.json_body
    return {entry["person_id"]: entry for entry in answer.json_body["representatives"]}


def period(start: int, end: int) -> dict[str, str]:
    return {"valid_from": (TODAY + timedelta(days=start)).isoformat(),
            "valid_to": (TODAY + timedelta(days=end)).isoformat()}


@pytest.fixture
def administered(world: World) -> World:
    """inst-b with `resident` as its administrator, appointed by the ministry (no validity: until removed)."""
    answer = world.call("ministry", "PUT", staff("resident"), {"role": "ADMINISTRATOR"})
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body == {"institution_id": "inst-b", "person_id": PEOPLE["resident"], "role": "ADMINISTRATOR",
                                "valid_from": None, "valid_to": None}
    return world


def test_the_ministry_appoints_an_administrator_shown_in_the_staff_list(administered: World) -> None:
    entry = listed(administered)[PEOPLE["resident"]]
    assert (entry["role"], entry["valid_from"], entry["valid_to"]) == ("ADMINISTRATOR", None, None)
    # An administrator is also a representative: reads what the permit allows.
    assert administered.call("resident", "GET", B_PERMITS).status_code == 200
    # Entries stored before validities existed hold as before (the world's representative of B).
    old = listed(administered)[PEOPLE["rep_b"]]
    assert (old["role"], old["valid_from"], old["valid_to"]) == ("REPRESENTATIVE", None, None)
    assert administered.call("rep_b", "GET", B_PERMITS).status_code == 200


def test_an_administrator_appoints_and_removes_a_representative_acting_on_the_next_request(
    administered: World,
) -> None:
    world = administered
    assert world.call("guardian", "GET", B_PERMITS).status_code == 403
    appointed = world.call("resident", "PUT", staff("guardian"), period(-1, 30))
    assert appointed.status_code == 201, appointed.json_body
    assert appointed.json_body["role"] == "REPRESENTATIVE"
    entry = listed(world)[PEOPLE["guardian"]]
    assert (entry["role"], entry["valid_from"], entry["valid_to"]) == (
        "REPRESENTATIVE", period(-1, 30)["valid_from"], period(-1, 30)["valid_to"])
    assert world.call("guardian", "GET", B_PERMITS).status_code == 200

    # Changing the validity: the same entry, 200.
    changed = world.call("resident", "PUT", staff("guardian"), period(0, 60))
    assert changed.status_code == 200 and changed.json_body["valid_to"] == period(0, 60)["valid_to"]

    removed = world.call("resident", "DELETE", staff("guardian"))
    assert removed.status_code == 204, removed.json_body
    # The same token, on the very next request:
    refused = world.call("guardian", "GET", B_PERMITS)
    assert refused.status_code == 403 and refused.json_body["code"] == "access.institution"
    assert PEOPLE["guardian"] not in listed(world)
    again = world.call("resident", "DELETE", staff("guardian"))
    assert again.status_code == 404 and again.json_body["code"] == "staff.not_found"


def test_an_administrator_cannot_appoint_demote_or_remove_an_administrator(administered: World) -> None:
    world = administered
    made = world.call("resident", "PUT", staff("resident2"), {"role": "ADMINISTRATOR"})
    assert made.status_code == 403 and made.json_body["code"] == "staff.administrator"
    assert PEOPLE["resident2"] not in listed(world)

    assert world.call("ministry", "PUT", staff("official"), {"role": "ADMINISTRATOR"}).status_code == 201
    demoted = world.call("resident", "PUT", staff("official"), {})  # no body's role: REPRESENTATIVE
    assert demoted.status_code == 403 and demoted.json_body["code"] == "staff.administrator"
    removed = world.call("resident", "DELETE", staff("official"))
    assert removed.status_code == 403 and removed.json_body["code"] == "staff.administrator"
    assert listed(world)[PEOPLE["official"]]["role"] == "ADMINISTRATOR"
    # Nor may they turn a representative into an administrator.
    promoted = world.call("resident", "PUT", staff("rep_b"), {"role": "ADMINISTRATOR"})
    assert promoted.status_code == 403 and promoted.json_body["code"] == "staff.administrator"
    assert listed(world)[PEOPLE["rep_b"]]["role"] == "REPRESENTATIVE"


def test_an_administrator_cannot_act_at_another_institution(administered: World) -> None:
    world = administered
    appointed = world.call("resident", "PUT", staff("guardian", "inst-a"), {})
    assert appointed.status_code == 403 and appointed.json_body["code"] == "access.administrator"
    assert PEOPLE["guardian"] not in listed(world, "inst-a")
    removed = world.call("resident", "DELETE", staff("rep_a", "inst-a"))
    assert removed.status_code == 403 and removed.json_body["code"] == "access.administrator"
    assert PEOPLE["rep_a"] in listed(world, "inst-a")


def test_an_administrator_cannot_remove_or_reappoint_themself(administered: World) -> None:
    world = administered
    removed = world.call("resident", "DELETE", staff("resident"))
    assert removed.status_code == 403 and removed.json_body["code"] == "staff.self"
    lengthened = world.call("resident", "PUT", staff("resident"), period(0, 10))  # as a representative
    assert lengthened.status_code == 403 and lengthened.json_body["code"] == "staff.self"
    entry = listed(world)[PEOPLE["resident"]]
    assert (entry["role"], entry["valid_to"]) == ("ADMINISTRATOR", None)
    assert world.call("resident", "GET", B_PERMITS).status_code == 200


@pytest.mark.parametrize(("start", "end"), [(1, 30), (-30, -1)], ids=["not yet valid", "expired"])
def test_an_entry_outside_its_validity_grants_nothing(world: World, start: int, end: int) -> None:
    made = world.call("ministry", "PUT", staff("resident"), {"role": "ADMINISTRATOR"} | period(start, end))
    assert made.status_code == 201, made.json_body
    refused = world.call("resident", "PUT", staff("guardian"), {})
    assert refused.status_code == 403 and refused.json_body["code"] == "access.administrator"
    assert world.call("resident", "GET", B_PERMITS).status_code == 403
    assert "inst-b" not in world.call("resident", "GET", "/me").json_body["institutions"]
    # Made valid today: it counts on the next request.
    assert world.call("ministry", "PUT", staff("resident"), {"role": "ADMINISTRATOR"} | period(0, 0)).status_code == 200
    assert world.call("resident", "GET", B_PERMITS).status_code == 200
    assert world.call("resident", "PUT", staff("guardian"), {}).status_code == 201


def test_a_plain_representative_cannot_appoint_or_remove(world: World) -> None:
    appointed = world.call("rep_b", "PUT", staff("guardian"), {})
    assert appointed.status_code == 403 and appointed.json_body["code"] == "access.administrator"
    removed = world.call("rep_b", "DELETE", staff("rep_b"))
    assert removed.status_code == 403 and removed.json_body["code"] == "access.administrator"
    assert set(listed(world)) == {PEOPLE["rep_b"]}


def test_the_ministry_replaces_an_administrator_by_a_representative(administered: World) -> None:
    world = administered
    replaced = world.call("ministry", "PUT", staff("resident"), {"role": "REPRESENTATIVE"})
    assert replaced.status_code == 200 and replaced.json_body["role"] == "REPRESENTATIVE"
    refused = world.call("resident", "PUT", staff("guardian"), {})
    assert refused.status_code == 403 and refused.json_body["code"] == "access.administrator"
    assert world.call("resident", "GET", B_PERMITS).status_code == 200  # still a representative


@pytest.mark.parametrize(("body", "codes"), [
    ({"valid_to": "2030-01-01"}, ["validation.valid_from.required"]),
    ({"valid_from": "2026-01-01"}, ["validation.valid_to.required"]),
    ({"valid_from": "2026-01-01", "valid_to": "2025-12-31"}, ["validation.valid_to.before_start"]),
    ({"valid_from": "2026-01-01", "valid_to": "2037-01-01"}, ["validation.valid_to.range"]),
    ({"role": "OWNER"}, ["validation.role.choice"]),
    ({"rights": ["all"]}, ["validation.rights.unknown"]),
])
def test_the_body_is_validated_like_a_permit(world: World, body: dict[str, Any], codes: list[str]) -> None:
    refused = world.call("ministry", "PUT", staff("guardian"), body)
    assert refused.status_code == 422, refused.json_body
    assert [e["code"] for e in refused.json_body["errors"]] == codes
    assert PEOPLE["guardian"] not in listed(world)


def test_appointing_again_with_no_body_changes_nothing(administered: World) -> None:
    """The ministry's page adds a person by code alone: doing so for an administrator must not
    quietly make them a representative (nor drop a validity)."""
    again = administered.call("ministry", "PUT", staff("resident"))
    assert again.status_code == 200, again.json_body
    assert again.json_body["role"] == "ADMINISTRATOR"
    assert listed(administered)[PEOPLE["resident"]]["role"] == "ADMINISTRATOR"
