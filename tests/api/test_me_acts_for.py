"""`/me` names every institution the caller is staff of today — id, name, role, scopes — so the
school's page can offer the choice of institution (issue 16, item 4). Read from the register at
each call: an appointment or a removal shows on the next one."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import PEOPLE, TODAY, World


def acts_for(world: World, who: str) -> list[dict[str, object]]:
    answer = world.call(who, "GET", "/me")
    assert answer.status_code == 200, answer.json_body
    return list(answer.json_body["acts_for"])


def test_a_representative_sees_their_institution_with_its_name_role_and_scopes(world: World) -> None:
    assert acts_for(world, "rep_a") == [
        {"institution_id": "inst-a", "name": "Mokykla A", "role": "REPRESENTATIVE", "scopes": ["read", "write"]}]
    # A revoked permit leaves the entry with no scope (the page says why it cannot act), and the
    # token's `institutions` without it, as before.
    assert acts_for(world, "rep_c") == [
        {"institution_id": "inst-c", "name": "Mokykla C", "role": "REPRESENTATIVE", "scopes": []}]
    assert world.call("rep_c", "GET", "/me").json_body["institutions"] == []
    assert acts_for(world, "resident") == []
    assert acts_for(world, "ministry") == []


def test_several_institutions_each_with_its_own_role_and_removal_shows_at_once(world: World) -> None:
    staff_b = f"/institutions/inst-b/staff/{PEOPLE['rep_a']}"
    appointed = world.call("ministry", "PUT", staff_b, {
        "role": "ADMINISTRATOR", "valid_from": (TODAY - timedelta(days=1)).isoformat(),
        "valid_to": (TODAY + timedelta(days=30)).isoformat()})
    assert appointed.status_code == 201, appointed.json_body
    assert [(i["institution_id"], i["role"]) for i in acts_for(world, "rep_a")] == [
        ("inst-a", "REPRESENTATIVE"), ("inst-b", "ADMINISTRATOR")]
    assert world.call("ministry", "DELETE", staff_b).status_code == 204
    assert [i["institution_id"] for i in acts_for(world, "rep_a")] == ["inst-a"]


def test_an_appointment_not_valid_yet_is_not_named(world: World) -> None:
    later = {"valid_from": (TODAY + timedelta(days=5)).isoformat(),
             "valid_to": (TODAY + timedelta(days=30)).isoformat()}
    assert world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['guardian']}", later).status_code == 201
    assert acts_for(world, "guardian") == []
