"""Share links (the world: tests/api/conftest.py): only chosen records, at most a year, revocable,
and guessed, tampered, expired or revoked links all refused alike; every view journaled."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.ids import record_id_for
from chalicelib.models.shares import ShareLink
from tests.api.conftest import PEOPLE, World, record_body


def my_records(world: World, who: str = "pupil_a") -> list[dict[str, Any]]:
    return list(world.call(who, "GET", "/me/history").json_body["records"])


def share(world: World, record_ids: list[str], days: int = 30, who: str = "pupil_a") -> Any:
    expires = (vilnius_today() + timedelta(days=days)).isoformat()  # the register's today
    return world.call(who, "POST", "/me/shares", {"record_ids": record_ids, "expires_on": expires})


def view(world: World, url: str) -> Any:
    return world.client.http.get("/shared/" + url.rsplit("/", 1)[1])


def test_a_link_shows_only_the_chosen_records_and_each_view_is_journaled(world: World) -> None:
    world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "s-1"))
    world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "s-2", subject="Fizika"))
    records = my_records(world)
    exam = next(r for r in records if r.get("subject") == "Fizika")
    created = share(world, [exam["record_id"]])
    assert created.status_code == 201 and "/shared/" in created.json_body["url"]
    shown = view(world, created.json_body["url"])
    assert shown.status_code == 200
    assert [r["record_id"] for r in shown.json_body["records"]] == [exam["record_id"]]
    assert shown.json_body["person"] == {"given_name": "PupilA", "family_name": "Testas"}
    assert PEOPLE["pupil_a"] not in shown.body.decode()  # names only, not the personal code
    view(world, created.json_body["url"])
    events = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    reads = [e for e in events if e["action"] == "READ"]
    assert len(reads) == 2 and reads[0]["actor"]["role"] == "share_link"
    assert reads[0]["purpose"] == f"share link {created.json_body['share_id']}"
    listed = world.call("pupil_a", "GET", "/me/shares").json_body["shares"]
    assert listed[0]["views"] == 2 and listed[0]["revoked"] is False


def test_revoked_expired_guessed_and_tampered_links_are_refused_alike(world: World) -> None:
    record_id = my_records(world)[0]["record_id"]
    revoked = share(world, [record_id]).json_body
    assert world.call("pupil_a", "DELETE", f"/me/shares/{revoked['share_id']}").status_code == 204
    expired = share(world, [record_id]).json_body
    link = next(s for s in ShareLink.by_owner.query(PEOPLE["pupil_a"]) if s.share_id == expired["share_id"])
    link.update(actions=[ShareLink.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])
    live = share(world, [record_id]).json_body
    secret = live["url"].rsplit("/", 1)[1]
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    answers = [view(world, revoked["url"]), view(world, expired["url"]),
               view(world, f"x/{secrets.token_urlsafe(32)}"), view(world, f"x/{tampered}"), view(world, "x/short")]
    assert {(a.status_code, a.json_body["code"]) for a in answers} == {(404, "share.not_found")}
    assert view(world, live["url"]).status_code == 200


def test_limits(world: World) -> None:
    record_id = my_records(world)[0]["record_id"]
    assert share(world, [record_id], days=366).json_body["errors"][0]["code"] == "validation.expires_on.range"
    assert share(world, [record_id], days=0).status_code == 422
    foreign = record_id_for("inst-b", "pupil_b-1")  # another pupil's enrolment
    assert share(world, [foreign]).json_body["errors"][0]["code"] == "validation.record_ids.choice"
    assert world.call("pupil_a", "POST", "/me/shares", {"record_ids": [record_id]}).status_code == 422
    assert world.call("resident", "DELETE", "/me/shares/nope").status_code == 404
    for _ in range(20):
        assert share(world, [record_id]).status_code == 201
    capped = share(world, [record_id])
    assert capped.status_code == 409 and capped.json_body["code"] == "share.limit"
