"""Municipality officials through the API (docs/STATE.md section 2): the ministry appoints, lists
and removes them; an appointment counts only while valid and only as stored now; an official reads
their municipality, never a learning history (the world: tests/api/conftest.py — `official` is an
official of LT-57, where institutions A, B and C are)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from chalicelib.models.officials import Official
from chalicelib.services.access import caller_facts
from chalicelib.services.sessions import access_token_for, open_session
from tests.api.conftest import PEOPLE, TODAY, World, dynamodb_calls, record_body

RESIDENT = PEOPLE["resident"]
OFFICIALS = f"/municipalities/LT-57/officials/{RESIDENT}"


def period(start: int, end: int) -> dict[str, str]:
    """valid_from/valid_to `start`/`end` days from the register's today."""
    return {"valid_from": (TODAY + timedelta(days=start)).isoformat(),
            "valid_to": (TODAY + timedelta(days=end)).isoformat()}


def listed(world: World, code: str = "LT-57") -> list[dict[str, Any]]:
    response = world.call("ministry", "GET", f"/municipalities/{code}/officials")
    assert response.status_code == 200, response.body
    return list(response.json_body["officials"])


def codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json_body.get("errors", [])] or [response.json_body["code"]]


def test_the_ministry_appoints_lists_changes_and_removes_an_official(world: World) -> None:
    appointed = world.call("ministry", "PUT", OFFICIALS, period(0, 30))
    assert appointed.status_code == 201, appointed.body
    assert appointed.json_body == {"municipality": "LT-57", "person_id": RESIDENT} | period(0, 30)
    assert {"person_id": RESIDENT, "name": "Resident Testas"} | period(0, 30) in listed(world)

    changed = world.call("ministry", "PUT", OFFICIALS, period(-5, 60))
    assert changed.status_code == 200, changed.body
    mine = [o for o in listed(world) if o["person_id"] == RESIDENT]
    assert mine == [{"person_id": RESIDENT, "name": "Resident Testas"} | period(-5, 60)]
    stored = Official.get("LT-57", RESIDENT)
    assert stored.created_by == PEOPLE["ministry"]  # changing the validity keeps who appointed them

    assert world.call("ministry", "DELETE", OFFICIALS).status_code == 204
    assert RESIDENT not in {o["person_id"] for o in listed(world)}
    again = world.call("ministry", "DELETE", OFFICIALS)
    assert again.status_code == 404 and again.json_body["code"] == "official.not_found"
    assert [o["person_id"] for o in listed(world)] == [PEOPLE["official"]]  # the world's own official stays
    assert listed(world, "LT-15") == []


def test_an_appointment_is_validated_like_a_permit(world: World) -> None:
    refusals = {
        "valid_to before valid_from": (OFFICIALS, period(5, 1), ["validation.valid_to.before_start"]),
        "over ten years": (OFFICIALS, period(0, 11 * 366), ["validation.valid_to.range"]),
        "no dates": (OFFICIALS, {}, ["validation.valid_from.required", "validation.valid_to.required"]),
        "not a date": (OFFICIALS, {"valid_from": "2026-13-01", "valid_to": "tomorrow"},
                       ["validation.valid_from.date", "validation.valid_to.format"]),
        "an unknown field": (OFFICIALS, period(0, 1) | {"scope": ["read"]}, ["validation.scope.unknown"]),
        "a malformed person id": ("/municipalities/LT-57/officials/12345", period(0, 1),
                                  ["validation.person_id.length"]),
        "an unknown municipality": (f"/municipalities/LT-61/officials/{RESIDENT}", period(0, 1),
                                    ["request.municipality"]),
        "a municipality by name": (f"/municipalities/Vilnius/officials/{RESIDENT}", period(0, 1),
                                   ["request.municipality"]),
    }
    for name, (path, body, expected) in refusals.items():
        response = world.call("ministry", "PUT", path, body)
        assert response.status_code in (400, 422), (name, response.body)
        assert sorted(codes(response)) == expected, name
        assert response.headers["Content-Type"] == "application/problem+json"
    assert world.call("ministry", "GET", "/municipalities/LT-61/officials").status_code == 400
    assert [o["person_id"] for o in listed(world)] == [PEOPLE["official"]]  # nothing was stored


def test_only_an_appointment_valid_today_grants_anything(world: World) -> None:
    token = access_token_for(RESIDENT, open_session(RESIDENT, "test").session_id)[0]
    world.tokens["appointee"] = token

    def standing() -> tuple[int, list[str], list[dict[str, Any]]]:
        me = world.call("appointee", "GET", "/me").json_body
        return world.call("appointee", "GET", "/municipalities/LT-57").status_code, me["roles"], me["municipalities"]

    for not_today in (period(1, 30), period(-30, -1)):  # not yet valid; expired
        assert world.call("ministry", "PUT", OFFICIALS, not_today).status_code in (200, 201)
        assert standing() == (403, ["resident"], [])
    assert world.call("ministry", "PUT", OFFICIALS, period(0, 0)).status_code == 200  # today only
    status, roles, municipalities = standing()
    assert (status, roles) == (200, ["municipality", "resident"])
    assert municipalities == [{"code": "LT-57", "name": {"lt": "Vilniaus miesto savivaldybė",
                                                         "en": "Vilnius City Municipality"}}]


def test_me_lists_an_officials_municipalities_in_the_order_of_their_codes(world: World) -> None:
    """The pages choose the first of them at first: it must be the same one on every load."""
    for code in ("LT-60", "LT-20", "LT-15", "LT-01"):
        path = f"/municipalities/{code}/officials/{PEOPLE['official']}"
        appointed = world.call("ministry", "PUT", path, period(0, 30))
        assert appointed.status_code == 201, appointed.body
    me = world.call("official", "GET", "/me").json_body
    assert [m["code"] for m in me["municipalities"]] == ["LT-01", "LT-15", "LT-20", "LT-57", "LT-60"]


def test_removal_acts_on_the_very_next_request(world: World) -> None:
    seen = world.call("official", "GET", "/municipalities/LT-57")
    assert seen.status_code == 200, seen.body
    assert seen.json_body["code"] == "LT-57"
    assert seen.json_body["name"]["lt"] == "Vilniaus miesto savivaldybė"
    assert [i["institution_id"] for i in seen.json_body["institutions"]] == ["inst-a", "inst-b", "inst-c"]
    assert world.call("official", "GET", "/municipalities/LT-15").status_code == 403  # not their municipality

    removed = world.call("ministry", "DELETE", f"/municipalities/LT-57/officials/{PEOPLE['official']}")
    assert removed.status_code == 204, removed.body
    # The same token, issued while they were an official:
    refused = world.call("official", "GET", "/municipalities/LT-57")
    assert refused.status_code == 403 and refused.json_body["code"] == "access.municipality"
    me = world.call("official", "GET", "/me").json_body
    assert (me["roles"], me["municipalities"]) == (["resident"], [])


def test_the_token_names_the_role_but_the_role_grants_nothing_by_itself(world: World) -> None:
    claims = json.loads(base64.urlsafe_b64decode(world.tokens["official"].split(".")[1] + "=="))
    assert claims["roles"] == ["municipality", "resident"]  # a description for the pages
    Official("LT-57", PEOPLE["official"]).delete()
    assert world.call("official", "GET", "/municipalities/LT-57").status_code == 403  # the token still says so


def test_an_official_reads_no_learning_history(world: World) -> None:
    """Whatever the municipality: no history, roster, record, upload or institution's data."""
    record = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "o-1")).json_body
    pupil = PEOPLE["pupil_a"]
    refused = {
        f"/persons/{pupil}/history": 404,
        f"/persons/{pupil}/history?purpose=municipality": 404,
        f"/persons/{PEOPLE['pupil_b']}/history?purpose=municipality": 404,
        "/institutions/inst-a/learners?purpose=municipality": 403,
        f"/institutions/inst-a/records/{record['record_id']}": 403,
        "/institutions/inst-a/uploads": 403,
        "/institutions/inst-a/permits": 403,
        "/institutions/inst-a/staff": 403,
        "/institutions/inst-a/activity": 403,
    }
    for path, status in refused.items():
        response = world.call("official", "GET", path)
        assert response.status_code == status, (path, response.body)
        assert pupil not in response.body.decode()
    assert world.call("official", "GET", "/institutions").json_body == {"institutions": []}
    assert world.call("official", "POST", "/institutions/inst-a/records",
                      record_body("pupil_a", "o-2")).status_code == 403
    assert world.call("official", "PUT", f"/municipalities/LT-57/officials/{RESIDENT}",
                      period(0, 1)).status_code == 403  # only the ministry appoints
    # Nothing was read on the pupil's behalf, so nothing is journaled as the official's.
    events = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    assert [e for e in events if e["actor"]["role"] == "municipality"] == []


def test_the_municipalities_are_public_and_the_check_costs_one_query(world: World, monkeypatch: Any) -> None:
    listed_all = world.client.http.get("/municipalities")
    assert listed_all.status_code == 200
    municipalities = listed_all.json_body["municipalities"]
    assert len(municipalities) == 60 and municipalities[56]["code"] == "LT-57"
    assert municipalities[56]["name"]["en"] == "Vilnius City Municipality"

    # The role is read on every request: one more Query (the `by_person` index), nothing more; the
    # ingest, which checks only a representative's write, leaves it out.
    calls = dynamodb_calls(monkeypatch)
    assert caller_facts(PEOPLE["official"]).municipalities == frozenset({"LT-57"})
    with_officials = list(calls)
    calls.clear()
    assert caller_facts(PEOPLE["official"], officials=False).municipalities == frozenset()
    assert sorted(with_officials) == sorted([*calls, "Query"])
