"""Ministry roles in the register (docs/ACCESS.md, "Ministry roles"): MINISTRY_STAFF only bootstraps
an administrator; administrators appoint and remove administrators, officials and auditors; every
role acts only while appointed, from the next request on; the data-protection auditor sees who stood
behind each journal entry, and the lookup is journaled for the citizen to see (the world:
tests/api/conftest.py — `ministry` holds an OFFICIAL appointment)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest
from pynamodb.exceptions import PutError

from chalicelib.config import settings
from chalicelib.domain.access import (
    MINISTRY_ADMINISTRATOR,
    MINISTRY_AUDITOR,
    MINISTRY_LOG_PARTITION,
    MINISTRY_OFFICIAL,
    ministry_partition,
)
from chalicelib.errors import Problem
from chalicelib.models.journal import JournalEvent
from chalicelib.models.officials import Official, bootstrap_administrator, ministry_staff
from chalicelib.services import access as access_service
from chalicelib.services import audit
from chalicelib.services import ministry as ministry_service
from chalicelib.services import officials as officials_service
from chalicelib.services.access import caller_facts
from chalicelib.services.persons import display_names
from chalicelib.services.sessions import access_token_for, open_session
from tests.api.conftest import PEOPLE, TODAY, World
from tests.ingest.conftest import bucket  # noqa: F401 - a fixture
from tests.ingest.test_ingest import csv_file, exam_rows, upload

ADMIN, TARGET = "resident2", "resident"
CASE = "Skundas Nr. 2026/15"


def appoint(who: str, role: str, start: int = -1, end: int = 30) -> None:
    """An appointment written as the ministry's PUT writes it, with the name read at appointment
    (the world's own people need no PUT)."""
    Official(ministry_partition(role), PEOPLE[who], valid_from=(TODAY + timedelta(days=start)).isoformat(),
             valid_to=(TODAY + timedelta(days=end)).isoformat(), created_at=datetime.now(UTC),
             created_by="test", name=display_names({PEOPLE[who]}).get(PEOPLE[who])).save()


def log_in(world: World, who: str) -> None:
    world.tokens[who] = access_token_for(PEOPLE[who], open_session(PEOPLE[who], "test").session_id)[0]


@pytest.fixture
def admin(world: World) -> World:
    """The world with `resident2` a ministry administrator (logged in)."""
    appoint(ADMIN, MINISTRY_ADMINISTRATOR)
    log_in(world, ADMIN)
    return world


def period(start: int, end: int) -> dict[str, str]:
    return {"valid_from": (TODAY + timedelta(days=start)).isoformat(),
            "valid_to": (TODAY + timedelta(days=end)).isoformat()}


def staff(world: World, who: str = ADMIN) -> list[dict[str, Any]]:
    response = world.call(who, "GET", "/ministry/staff")
    assert response.status_code == 200, response.body
    return list(response.json_body["staff"])


def code(response: Any) -> str:
    return str(response.json_body["code"])


def roles(world: World, who: str) -> list[str]:
    return list(world.call(who, "GET", "/me").json_body["roles"])


# --- MINISTRY_STAFF bootstraps -------------------------------------------------------------------


def named_in_ministry_staff(monkeypatch: pytest.MonkeyPatch, *who: str) -> None:
    """MINISTRY_STAFF as the access check reads it. Set through `settings`, not the environment: the
    test client applies the environment it found when the world started."""
    monkeypatch.setattr(access_service, "settings",
                        lambda: settings()._replace(ministry_staff=frozenset(PEOPLE[w] for w in who)))


def test_ministry_staff_bootstraps_one_administrator_only_while_there_is_none(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    named_in_ministry_staff(monkeypatch, "resident", "resident2")
    assert "ministry_administrator" in roles(world, "resident")  # none yet: the first request makes one
    log_in(world, "resident2")
    assert [a.person_id for a in ministry_staff(MINISTRY_ADMINISTRATOR)] == [PEOPLE["resident"]]
    bootstrapped = Official.get(ministry_partition(MINISTRY_ADMINISTRATOR), PEOPLE["resident"])
    assert (bootstrapped.valid_from, bootstrapped.created_by) == (TODAY.isoformat(), "MINISTRY_STAFF")
    # Now there is one: MINISTRY_STAFF grants the other listed person nothing, however often asked.
    assert roles(world, "resident2") == ["resident"]
    assert roles(world, "resident2") == ["resident"]
    assert [a.person_id for a in ministry_staff(MINISTRY_ADMINISTRATOR)] == [PEOPLE["resident"]]
    # Nor is it the ministry: bootstrapping makes an administrator, never an official.
    assert world.call("resident", "GET", "/reporting").status_code == 403
    # Once no administrator is valid (the bootstrapped one ran out), the next listed person's request makes one.
    later = TODAY + timedelta(days=400)
    assert caller_facts(PEOPLE["resident2"], later).ministry_administrator
    assert not caller_facts(PEOPLE["resident"], later).ministry_administrator


def test_two_bootstraps_at_once_make_one_administrator(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both requests read "no administrator" before either writes: the second finds the day's marker.
    monkeypatch.setattr("chalicelib.models.officials.ministry_staff", lambda role: [])
    now = datetime.now(UTC)
    made = [bootstrap_administrator(PEOPLE[who], TODAY, TODAY + timedelta(days=365), now)
            for who in ("resident", "resident2")]
    assert made == [True, False]
    assert [a.person_id for a in Official.query(ministry_partition(MINISTRY_ADMINISTRATOR))] == [PEOPLE["resident"]]


# --- administrators appoint and remove ------------------------------------------------------------


def test_an_administrator_appoints_lists_changes_and_removes_each_role(admin: World) -> None:
    for role in (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR):
        path = f"/ministry/staff/{role}/{PEOPLE[TARGET]}"
        made = admin.call(ADMIN, "PUT", path, period(0, 30))
        assert made.status_code == 201, made.body
        assert made.json_body == {"role": role, "person_id": PEOPLE[TARGET]} | period(0, 30)
        assert admin.call(ADMIN, "PUT", path, period(-3, 60)).status_code == 200
        assert Official.get(ministry_partition(role), PEOPLE[TARGET]).created_by == PEOPLE[ADMIN]
    rows = [(r["role"], r["person_id"], r["name"], r["valid_from"], r["valid_to"], r["valid_today"])
            for r in staff(admin)]
    assert rows == [
        (MINISTRY_ADMINISTRATOR, PEOPLE[TARGET], "Resident Testas", *period(-3, 60).values(), True),
        (MINISTRY_ADMINISTRATOR, PEOPLE[ADMIN], "Resident2 Testas", *period(-1, 30).values(), True),
        # The world wrote its official's item without a name: the list does not look it up.
        (MINISTRY_OFFICIAL, PEOPLE["ministry"], "", "2000-01-01", "2099-12-31", True),
        (MINISTRY_OFFICIAL, PEOPLE[TARGET], "Resident Testas", *period(-3, 60).values(), True),
        (MINISTRY_AUDITOR, PEOPLE[TARGET], "Resident Testas", *period(-3, 60).values(), True),
    ]  # by role, then name
    assert sorted(roles(admin, TARGET)) == ["auditor", "ministry", "ministry_administrator", "resident"]
    for role in (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR):
        assert admin.call(ADMIN, "DELETE", f"/ministry/staff/{role}/{PEOPLE[TARGET]}").status_code == 204
        gone = admin.call(ADMIN, "DELETE", f"/ministry/staff/{role}/{PEOPLE[TARGET]}")
        assert (gone.status_code, code(gone)) == (404, "ministry.not_found")
    assert roles(admin, TARGET) == ["resident"]


def test_appointments_are_validated_and_the_role_must_exist(admin: World) -> None:
    path = f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE[TARGET]}"
    backwards = admin.call(ADMIN, "PUT", path, period(10, 0))
    assert (backwards.status_code, backwards.json_body["errors"][0]["code"]) == (
        422, "validation.valid_to.before_start")
    assert admin.call(ADMIN, "PUT", path, {}).status_code == 422  # the validity is required
    assert admin.call(ADMIN, "PUT", path, period(0, 4000)).status_code == 422  # at most 10 years
    unknown = admin.call(ADMIN, "PUT", f"/ministry/staff/KING/{PEOPLE[TARGET]}", period(0, 30))
    assert (unknown.status_code, code(unknown)) == (400, "request.ministry_role")
    assert admin.call(ADMIN, "PUT", f"/ministry/staff/auditor/{PEOPLE[TARGET]}", period(0, 30)).status_code == 400
    bad_code = admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/12345678901", period(0, 30))
    assert bad_code.status_code == 422


def test_an_administrator_never_acts_on_themself(admin: World) -> None:
    for method, body in (("PUT", period(0, 30)), ("DELETE", None)):
        for role in (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR):
            refused = admin.call(ADMIN, method, f"/ministry/staff/{role}/{PEOPLE[ADMIN]}", body)
            assert (refused.status_code, code(refused)) == (403, "ministry.self"), (method, role)
    assert "ministry_administrator" in roles(admin, ADMIN)  # the sole administrator stays one


def test_only_an_administrator_manages_the_ministry(world: World) -> None:
    # The world's ministry person is an OFFICIAL: the ministry, but not its administrator.
    for method, path, body in (("GET", "/ministry/staff", None),
                               ("PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE[TARGET]}", period(0, 30)),
                               ("DELETE", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE['ministry']}", None)):
        for who in ("ministry", "official", "rep_a", "resident"):
            refused = world.call(who, method, path, body)
            assert (refused.status_code, code(refused)) == (403, "access.ministry_administrator"), (who, method)
    assert Official.get(ministry_partition(MINISTRY_OFFICIAL), PEOPLE["ministry"])  # untouched


def test_the_last_administrator_is_kept_when_two_remove_each_other(admin: World) -> None:
    appoint(TARGET, MINISTRY_ADMINISTRATOR)
    # Both asked at once: each request's access check found its caller an administrator...
    first, second = caller_facts(PEOPLE[ADMIN]), caller_facts(PEOPLE[TARGET])
    assert first.ministry_administrator and second.ministry_administrator
    ministry_service.remove_ministry_staff(first, MINISTRY_ADMINISTRATOR, PEOPLE[TARGET])
    # ...but the second's change comes after its caller was removed: refused, so one remains (the
    # check that another administrator stays answers first; tests/api/test_ministry_safeguards.py
    # shows the transaction's own checks when both pass the reads at once).
    with pytest.raises(Problem) as refused:
        ministry_service.remove_ministry_staff(second, MINISTRY_ADMINISTRATOR, PEOPLE[ADMIN])
    assert refused.value.code == "ministry.last_administrator"
    assert [a.person_id for a in ministry_staff(MINISTRY_ADMINISTRATOR)] == [PEOPLE[ADMIN]]
    # Ending the other's validity is checked the same way.
    with pytest.raises(Problem):
        ministry_service.appoint_ministry_staff(second, MINISTRY_ADMINISTRATOR, PEOPLE[ADMIN], period(-30, -1))
    assert caller_facts(PEOPLE[ADMIN]).ministry_administrator


# --- every role acts only while appointed ------------------------------------------------------------


def test_a_removed_official_can_no_longer_act_as_the_ministry(admin: World) -> None:
    assert admin.call("ministry", "GET", "/reporting").status_code == 200
    assert admin.call("ministry", "GET", "/municipalities/LT-57/officials").status_code == 200
    assert admin.call(ADMIN, "DELETE", f"/ministry/staff/{MINISTRY_OFFICIAL}/{PEOPLE['ministry']}").status_code == 204
    # The same token, the next request: refused.
    for path in ("/reporting", "/municipalities/LT-57/officials", f"/persons/{PEOPLE['pupil_a']}/history?purpose=x"):
        refused = admin.call("ministry", "GET", path)
        assert refused.status_code in (403, 404), path
    assert code(admin.call("ministry", "GET", "/reporting")) == "access.municipality"  # not the ministry's any more
    assert "ministry" not in roles(admin, "ministry")


def test_each_role_stops_on_the_next_request_after_removal(admin: World) -> None:
    uses: dict[str, Callable[[], Any]] = {
        MINISTRY_OFFICIAL: lambda: admin.call(TARGET, "GET", "/reporting"),
        MINISTRY_ADMINISTRATOR: lambda: admin.call(TARGET, "GET", "/ministry/staff"),
        MINISTRY_AUDITOR: lambda: admin.call(TARGET, "POST", "/audit/journal",
                                             {"person_id": PEOPLE["pupil_a"], "case": CASE}),
    }
    refusals = {MINISTRY_OFFICIAL: "access.municipality", MINISTRY_ADMINISTRATOR: "access.ministry_administrator",
                MINISTRY_AUDITOR: "access.auditor"}
    for role, use in uses.items():
        assert admin.call(ADMIN, "PUT", f"/ministry/staff/{role}/{PEOPLE[TARGET]}", period(0, 30)).status_code == 201
        assert use().status_code == 200, role
        assert admin.call(ADMIN, "DELETE", f"/ministry/staff/{role}/{PEOPLE[TARGET]}").status_code == 204
        refused = use()
        assert (refused.status_code, code(refused)) == (403, refusals[role]), role


def test_an_appointment_counts_only_within_its_validity(admin: World) -> None:
    for start, end in ((1, 30), (-30, -1)):
        assert admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE[TARGET]}",
                          period(start, end)).status_code in (200, 201)
        refused = admin.call(TARGET, "POST", "/audit/journal", {"person_id": PEOPLE["pupil_a"], "case": CASE})
        assert code(refused) == "access.auditor"
    assert next(r for r in staff(admin) if r["person_id"] == PEOPLE[TARGET])["valid_today"] is False


# --- one Query per request, and never a municipality ----------------------------------------------


def test_ministry_roles_and_municipalities_come_from_the_one_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for role in (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR):
        appoint("official", role)
    seen: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        seen.append((operation, str(params.get("TableName", ""))))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    facts = caller_facts(PEOPLE["official"])
    assert (facts.is_ministry, facts.ministry_administrator, facts.auditor) == (True, True, True)
    assert facts.municipalities == {"LT-57"}  # the MINISTRY# partitions are not municipalities
    assert [call for call in seen if call[1].endswith("-officials")] == [("Query", "mr-local-officials")]


def test_the_municipality_routes_never_take_a_ministry_partition(world: World) -> None:
    appoint("official", MINISTRY_AUDITOR)
    me = world.call("official", "GET", "/me").json_body
    assert [m["code"] for m in me["municipalities"]] == ["LT-57"]
    facts = caller_facts(PEOPLE["ministry"])
    for partition in (ministry_partition(MINISTRY_OFFICIAL), ministry_partition(MINISTRY_AUDITOR),
                      "MINISTRY#BOOTSTRAP", MINISTRY_LOG_PARTITION):
        with pytest.raises(Problem) as refused:
            officials_service.appoint_official(facts, partition, PEOPLE[TARGET], period(0, 30))
        assert refused.value.code == "request.municipality"
        for call in (officials_service.list_officials, officials_service.remove_official):
            with pytest.raises(Problem) as refused:
                call(facts, partition, *([PEOPLE["ministry"]] if call is officials_service.remove_official else []))
            assert refused.value.code == "request.municipality"
    listed = world.call("ministry", "GET", "/municipalities/MINISTRY%23OFFICIAL/officials")
    assert listed.status_code == 400
    assert Official.get(ministry_partition(MINISTRY_OFFICIAL), PEOPLE["ministry"])  # untouched


# --- the data-protection auditor ---------------------------------------------------------------------


@pytest.fixture
def auditor(admin: World) -> World:
    assert admin.call(ADMIN, "PUT", f"/ministry/staff/{MINISTRY_AUDITOR}/{PEOPLE[TARGET]}",
                      period(0, 30)).status_code == 201
    return admin


def look_up(world: World, who: str = TARGET, **extra: Any) -> Any:
    return world.call(who, "POST", "/audit/journal", {"person_id": PEOPLE["pupil_a"], "case": CASE} | extra)


def test_the_auditor_sees_who_stood_behind_each_entry(auditor: World, bucket: Any) -> None:  # noqa: F811
    sent = upload(auditor, bucket, csv_file(*exam_rows(1)))  # rep_a uploads a file with one exam of pupil_a
    read = auditor.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history")
    assert read.status_code == 200
    answer = look_up(auditor)
    assert answer.status_code == 200, answer.body
    body = answer.json_body
    assert (body["person"]["person_id"], body["person"]["given_name"], body["case"]) == (
        PEOPLE["pupil_a"], "PupilA", CASE)
    events = body["events"]
    # The lookup itself was journaled before the answer was read, so it is the newest entry.
    assert (events[0]["action"], events[0]["actor"]["role"], events[0]["purpose"]) == ("AUDIT", "auditor", CASE)
    assert events[0]["individual"]["person_id"] == PEOPLE[TARGET]
    history_read = next(e for e in events if e["action"] == "READ")
    assert history_read["individual"] == {"person_id": PEOPLE["rep_a"], "given_name": "RepA",
                                          "family_name": "Testas"}
    assert history_read["actor"]["institution_id"] == "inst-a" and history_read["upload"] is None
    uploaded = next(e for e in events if e["action"] == "CREATE" and e["upload"])
    assert uploaded["upload"] == {"upload_id": sent["upload_id"], "file_name": "pazymiai 2025+.csv"}
    assert uploaded["individual"]["person_id"] == PEOPLE["rep_a"]
    seeded = next(e for e in events if e["action"] == "CREATE" and not e["upload"])
    assert (seeded["individual"], seeded["system"]) == (None, "seed")  # the world's own enrolment
    # Who, not what: no record's content.
    assert all("before" not in e and "after" not in e for e in events)


def test_the_citizen_sees_the_audit_but_never_the_individual(auditor: World) -> None:
    assert auditor.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history").status_code == 200
    assert look_up(auditor).status_code == 200
    mine = auditor.call("pupil_a", "GET", "/me/journal")
    assert mine.status_code == 200
    newest = mine.json_body["events"][0]
    assert (newest["action"], newest["actor"]["role"], newest["purpose"]) == ("AUDIT", "auditor", CASE)
    assert newest["actor"].get("institution_id") is None
    for who in ("rep_a", TARGET):
        assert PEOPLE[who] not in mine.body.decode()  # citizens see the institution, never the individual
    assert look_up(auditor, "guardian").status_code == 403  # a guardian reads the child's history, not this


def test_every_page_looked_at_is_journaled_and_pages_follow(auditor: World) -> None:
    for _ in range(3):
        assert auditor.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history").status_code == 200
    first = look_up(auditor, limit=2)
    assert first.status_code == 200 and len(first.json_body["events"]) == 2
    cursor = first.json_body["next_cursor"]
    assert cursor
    second = look_up(auditor, limit=2, cursor=cursor)
    assert second.status_code == 200
    keys = {(e["at"], e["action"]) for e in first.json_body["events"]}
    assert not keys & {(e["at"], e["action"]) for e in second.json_body["events"]}
    audits = [e for e in JournalEvent.query(PEOPLE["pupil_a"]) if e.action == "AUDIT"]
    assert len(audits) == 2 and {a.purpose for a in audits} == {CASE}
    # A cursor is this auditor's for this person: another person's lookup refuses it.
    other = auditor.call(TARGET, "POST", "/audit/journal", {"person_id": PEOPLE["pupil_b"], "case": CASE,
                                                            "cursor": cursor})
    assert (other.status_code, code(other)) == (400, "request.cursor")


def test_only_an_auditor_with_a_case_looks_up_and_nothing_else(auditor: World) -> None:
    for who in ("ministry", ADMIN, "official", "rep_a", "pupil_a"):
        refused = look_up(auditor, who)
        assert (refused.status_code, code(refused)) == (403, "access.auditor"), who
    for case in ("", "   ", None):
        missing = auditor.call(TARGET, "POST", "/audit/journal", {"person_id": PEOPLE["pupil_a"], "case": case})
        assert (missing.status_code, code(missing)) == (400, "access.purpose_required")
    too_long = look_up(auditor, case="x" * 201)
    assert too_long.status_code == 422
    bad_code = auditor.call(TARGET, "POST", "/audit/journal", {"person_id": "12345678901", "case": CASE})
    assert bad_code.status_code == 422
    assert not [e for e in JournalEvent.query(PEOPLE["pupil_a"]) if e.action == "AUDIT"]  # refusals journal nothing
    # The auditor reads nothing else: no history, no records, no ministry views.
    history = auditor.call(TARGET, "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose={CASE}")
    assert (history.status_code, code(history)) == (404, "person.not_found")
    assert auditor.call(TARGET, "GET", "/reporting").status_code == 403
    assert auditor.call(TARGET, "GET", "/institutions/inst-a/learners").status_code == 403


def test_a_lookup_that_cannot_be_journaled_is_not_answered(auditor: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise PutError("journal down")

    monkeypatch.setattr(audit, "journal_read", broken)
    refused = look_up(auditor)
    assert (refused.status_code, code(refused)) == (503, "journal.unavailable")
    assert PEOPLE["rep_a"] not in refused.body.decode() and "events" not in refused.json_body


def test_an_unknown_person_is_not_found_and_not_journaled(auditor: World) -> None:
    from datetime import date

    from chalicelib.domain.personal_code import make_personal_code

    stranger = make_personal_code("M", date(1960, 1, 1), 99)
    missing = auditor.call(TARGET, "POST", "/audit/journal", {"person_id": stranger, "case": CASE})
    assert (missing.status_code, code(missing)) == (404, "person.not_found")
    assert list(JournalEvent.query(stranger)) == []
