"""Permit applications and the institution's own log (issue 16 item 1; docs/APPLICATIONS.md).

In the world: `resident` applies, naming `resident2` the responsible person; the ministry decides;
inst-a, inst-b and inst-c are registered under the legal entity code 211950810."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.legal_entity import make_legal_entity_code
from chalicelib.models.applications import application_of
from tests.api.conftest import PEOPLE, TODAY, World

NEW_CODE = make_legal_entity_code("30458112")
OTHER_CODE = make_legal_entity_code("30458120")
WORLD_CODE = "211950810"  # inst-a, inst-b and inst-c's


@pytest.fixture
def world(world: World) -> World:
    """The world, where `resident2` (the responsible person) can log in too."""
    from chalicelib.services.sessions import access_token_for, open_session

    code = PEOPLE["resident2"]
    world.tokens["resident2"] = access_token_for(code, open_session(code, "test").session_id)[0]
    return world


def application(code: str = NEW_CODE, **changes: Any) -> dict[str, Any]:
    return {"legal_entity_code": code, "name": "Vilniaus Saulėtekio progimnazija",
            "municipality": "Vilniaus miesto savivaldybė", "scope": ["read", "write"],
            "purpose": "Mokinių registro duomenų tvarkymas ugdymo procesui",
            "programmes": ["(101001101) Pradinio ugdymo programa", "201001001"],
            "responsible_person_id": PEOPLE["resident2"]} | changes


def approval(**changes: Any) -> dict[str, Any]:
    return {"scope": ["read"], "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=365)).isoformat()} | changes


def applied(world: World, who: str = "resident", **changes: Any) -> dict[str, Any]:
    answer = world.call(who, "POST", "/applications", application(**changes))
    assert answer.status_code == 201, answer.json_body
    body: dict[str, Any] = answer.json_body
    return body


def mine(world: World, who: str = "resident") -> list[dict[str, Any]]:
    answer = world.call(who, "GET", "/me/applications")
    assert answer.status_code == 200, answer.json_body
    found: list[dict[str, Any]] = answer.json_body["applications"]
    return found


def log(world: World, institution: str, who: str = "ministry", query: str = "") -> Any:
    return world.call(who, "GET", f"/institutions/{institution}/log{query}")


def events(world: World, institution: str, who: str = "ministry") -> list[str]:
    answer = log(world, institution, who)
    assert answer.status_code == 200, answer.json_body
    return [entry["event"] for entry in answer.json_body["entries"]]


def staff_roles(world: World, institution: str) -> dict[str, str]:
    answer = world.call("ministry", "GET", f"/institutions/{institution}/staff")
    assert answer.status_code == 200, answer.json_body
    return {entry["person_id"]: entry["role"] for entry in answer.json_body["representatives"]}


# --- applying -------------------------------------------------------------------------------------


def test_a_person_applies_and_sees_their_application_pending(world: World) -> None:
    made = applied(world)
    assert made["status"] == "PENDING" and made["reason"] is None and made["permit"] is None
    assert made["municipality"] == "LT-57" and made["scope"] == ["read", "write"]
    assert made["programmes"] == ["(101001101) Pradinio ugdymo programa", "201001001"]
    assert made["applicant_id"] is None  # the applicant's view: nothing more than what they sent
    assert [a["application_id"] for a in mine(world)] == [made["application_id"]]
    assert mine(world, "resident2") == []
    own = world.call("resident", "GET", f"/applications/{made['application_id']}")
    assert own.status_code == 200 and own.json_body["status"] == "PENDING"
    ministry = world.call("ministry", "GET", f"/applications/{made['application_id']}")
    assert ministry.status_code == 200
    assert ministry.json_body["applicant_id"] == PEOPLE["resident"]
    assert ministry.json_body["responsible_name"] == "Resident2 Testas"
    assert ministry.json_body["existing_institution"] is None


@pytest.mark.parametrize("who", ["resident2", "rep_a", "official", "guardian"])
def test_no_one_else_reads_an_application_nor_learns_it_exists(world: World, who: str) -> None:
    made = applied(world)
    theirs = world.call(who, "GET", f"/applications/{made['application_id']}")
    missing = world.call(who, "GET", f"/applications/{NEW_CODE}-{'0' * 16}")
    malformed = world.call(who, "GET", "/applications/nonsense")
    # One answer, whether it exists or not.
    shown = {(a.status_code, a.json_body["code"], a.json_body["detail"]) for a in (theirs, missing, malformed)}
    assert shown == {(404, "application.not_found", "No such application.")}


def test_bad_input_is_refused_with_every_field_and_nothing_is_written(world: World) -> None:
    body = application("190536240", name=" ", municipality="Atlantida", scope=["delete"], purpose="",
                       programmes=["Pradinio ugdymo"], responsible_person_id="39001010001") | {"extra": 1}
    answer = world.call("resident", "POST", "/applications", body)
    assert answer.status_code == 422 and answer.json_body["code"] == "validation.failed"
    assert {error["code"] for error in answer.json_body["errors"]} == {
        "validation.legal_entity_code.checksum", "validation.name.required", "validation.municipality.choice",
        "validation.scope.choice", "validation.purpose.required", "validation.programmes.format",
        "validation.responsible_person_id.checksum", "validation.extra.unknown"}
    assert all(error["messages"]["lt"] for error in answer.json_body["errors"])
    assert mine(world) == []
    assert world.call("ministry", "GET", "/applications").json_body["applications"] == []
    # Not JSON, not an object: refused before anything is read.
    assert world.call("resident", "POST", "/applications", ["a"]).status_code == 400


def test_a_second_pending_application_for_the_same_legal_entity_is_refused(world: World) -> None:
    first = applied(world)
    # Whoever makes it, and with whatever else in it: the legal entity has one pending application.
    for who in ("resident", "resident2"):
        again = world.call(who, "POST", "/applications", application(name="Kitas pavadinimas"))
        assert again.status_code == 409 and again.json_body["code"] == "application.pending"
    assert [a["application_id"] for a in mine(world)] == [first["application_id"]]
    assert mine(world, "resident2") == []
    # Another legal entity is not held up; and once decided, the first may apply again.
    applied(world, code=OTHER_CODE)
    rejected = world.call("ministry", "POST", f"/applications/{first['application_id']}/rejection",
                          {"reason": "Trūksta steigimo dokumentų."})
    assert rejected.status_code == 200, rejected.json_body
    assert applied(world)["status"] == "PENDING"


def test_two_applications_at_once_end_in_one_because_the_marker_is_conditional(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`apply` reads nothing before writing: the marker's condition alone decides. Here the second
    applicant's transaction runs while the first is in flight (its marker put just before)."""
    from chalicelib.models.applications import PENDING_ITEM, PendingMarker
    from chalicelib.models.base import Writes

    original = Writes.commit
    raced: list[str] = []

    def racing(self: Writes, model: Any) -> None:
        if not raced:
            raced.append("first")
            answer = world.call("resident2", "POST", "/applications", application())  # the other, meanwhile
            raced.append(str(answer.json_body.get("status") or answer.json_body.get("code")))
        original(self, model)

    monkeypatch.setattr(Writes, "commit", racing)
    late = world.call("resident", "POST", "/applications", application())
    assert raced == ["first", "PENDING"]  # the one that got in first
    assert late.status_code == 409 and late.json_body["code"] == "application.pending"
    assert mine(world) == [] and len(mine(world, "resident2")) == 1
    marker = PendingMarker.get(NEW_CODE, PENDING_ITEM)
    assert marker.application_id == mine(world, "resident2")[0]["application_id"]


# --- the ministry's review ------------------------------------------------------------------------


def test_the_ministry_pages_through_pending_applications_only(world: World) -> None:
    made = [applied(world, code=make_legal_entity_code(f"3045812{n}"))["application_id"] for n in range(3)]
    first = world.call("ministry", "GET", "/applications?limit=2")
    assert first.status_code == 200 and first.json_body["next_cursor"]
    second = world.call("ministry", "GET", f"/applications?limit=2&cursor={first.json_body['next_cursor']}")
    listed = [a["application_id"] for a in first.json_body["applications"] + second.json_body["applications"]]
    assert listed == made  # oldest first
    assert second.json_body["next_cursor"] is None
    world.call("ministry", "POST", f"/applications/{made[0]}/rejection", {"reason": "Netinka."})
    left = world.call("ministry", "GET", "/applications").json_body["applications"]
    assert [a["application_id"] for a in left] == made[1:]
    for who in ("resident", "rep_a", "official"):
        refused = world.call(who, "GET", "/applications")
        assert refused.status_code == 403 and refused.json_body["code"] == "access.ministry_only"
    # A cursor is the ministry caller's own.
    foreign = world.call("resident", "GET", f"/me/applications?cursor={first.json_body['next_cursor']}")
    assert foreign.status_code == 400 and foreign.json_body["code"] == "request.cursor"


def test_approval_creates_the_institution_grants_the_permit_and_appoints_the_administrator(world: World) -> None:
    made = applied(world)
    iid = NEW_CODE  # by default the institution is identified by its legal entity code
    assert world.call("resident2", "GET", f"/institutions/{iid}/staff").status_code == 403
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                        approval(reason="Dokumentai tvarkingi."))
    assert answer.status_code == 200, answer.json_body
    decided = answer.json_body
    assert (decided["status"], decided["institution_id"], decided["reason"]) == ("APPROVED", iid,
                                                                                 "Dokumentai tvarkingi.")
    assert decided["permit"]["scope"] == ["read"]  # narrower than asked: the ministry's choice
    institutions = world.call("ministry", "GET", "/institutions").json_body["institutions"]
    created = next(i for i in institutions if i["institution_id"] == iid)
    assert (created["name"], created["legal_entity_code"], created["municipality"]) == (
        "Vilniaus Saulėtekio progimnazija", NEW_CODE, "LT-57")
    permits = world.call("ministry", "GET", f"/institutions/{iid}/permits").json_body["permits"]
    assert [(p["scope"], p["valid_from"], p["valid_to"], p["state"]) for p in permits] == [
        (["read"], approval()["valid_from"], approval()["valid_to"], "ACTIVE")]
    assert staff_roles(world, iid) == {PEOPLE["resident2"]: "ADMINISTRATOR"}

    # The responsible person's right, on their very next request (their token is as before).
    appointed = world.call("resident2", "PUT", f"/institutions/{iid}/staff/{PEOPLE['guardian']}",
                           {"valid_from": TODAY.isoformat(), "valid_to": (TODAY + timedelta(days=30)).isoformat()})
    assert appointed.status_code == 201, appointed.json_body
    me = world.call("resident2", "GET", "/me").json_body
    assert iid in me["institutions"] and "representative" in me["roles"]

    # The applicant reads the decision; the institution's log holds every step, newest first.
    assert [(a["status"], a["reason"]) for a in mine(world)] == [("APPROVED", "Dokumentai tvarkingi.")]
    assert events(world, iid, "resident2") == ["STAFF_APPOINTED", "ADMINISTRATOR_APPOINTED", "PERMIT_GRANTED",
                                                "INSTITUTION_CREATED", "APPROVED", "APPLIED"]
    entries = log(world, iid).json_body["entries"]
    approved = next(e for e in entries if e["event"] == "APPROVED")
    assert approved["details"] == {"application_id": made["application_id"], "reason": "Dokumentai tvarkingi."}
    assert approved["actor"] == {"role": "ministry", "person_id": PEOPLE["ministry"]}
    applied_step = next(e for e in entries if e["event"] == "APPLIED")
    assert applied_step["actor"] == {"role": "applicant", "person_id": PEOPLE["resident"]}
    assert applied_step["at"] == made["submitted_at"].replace("Z", "+00:00")
    # The administrator sees who acted by role, and the person a step concerns by code (not by name).
    theirs = log(world, iid, "resident2").json_body["entries"]
    assert all(e["actor"]["person_id"] is None for e in theirs)
    assert theirs[0]["actor"]["role"] == "institution_administrator"
    assert theirs[0]["person_id"] == PEOPLE["guardian"] and theirs[0]["person_name"] is None
    assert entries[0]["person_name"] == "Guardian Testas"  # the ministry's view


def test_approval_of_a_registered_provider_adds_a_permit_and_promotes_its_representative(world: World) -> None:
    made = applied(world, code=WORLD_CODE, responsible_person_id=PEOPLE["rep_b"])
    opened = world.call("ministry", "GET", f"/applications/{made['application_id']}").json_body
    assert opened["existing_institution"] is None  # none is registered under the code itself
    # The ministry names the institution the provider is registered as.
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                        approval(institution_id="inst-b", scope=["read", "write"]))
    assert answer.status_code == 200, answer.json_body
    permits = world.call("ministry", "GET", "/institutions/inst-b/permits").json_body["permits"]
    assert len(permits) == 2
    # One entry, promoted (not a second one, and its counters untouched).
    assert staff_roles(world, "inst-b") == {PEOPLE["rep_b"]: "ADMINISTRATOR"}
    step = next(e for e in log(world, "inst-b").json_body["entries"] if e["event"] == "ADMINISTRATOR_APPOINTED")
    # Promoted for the permit's validity, never for good (docs/APPLICATIONS.md).
    assert step["details"] == {"previous_role": "REPRESENTATIVE", "valid_from": approval()["valid_from"],
                               "valid_to": approval()["valid_to"]}
    assert "INSTITUTION_CREATED" not in events(world, "inst-b")
    # Again, the same person already administrator: stays as is.
    third = applied(world, code=WORLD_CODE, responsible_person_id=PEOPLE["rep_b"])
    again = world.call("ministry", "POST", f"/applications/{third['application_id']}/approval",
                       approval(institution_id="inst-b"))
    assert again.status_code == 200, again.json_body
    assert staff_roles(world, "inst-b") == {PEOPLE["rep_b"]: "ADMINISTRATOR"}


def test_an_institution_of_another_legal_entity_is_refused(world: World) -> None:
    made = applied(world)
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval",
                        approval(institution_id="inst-a"))
    assert answer.status_code == 409 and answer.json_body["code"] == "application.institution_mismatch"
    assert mine(world)[0]["status"] == "PENDING"
    assert len(world.call("ministry", "GET", "/institutions/inst-a/permits").json_body["permits"]) == 1


@pytest.mark.parametrize(("body", "codes"), [
    (approval(scope=["read", "write"]), {"validation.scope.range"}),  # wider than asked (read)
    (approval(valid_to=(TODAY - timedelta(days=1)).isoformat()), {"validation.valid_to.before_start"}),
    (approval(institution_id="x"), {"validation.institution_id.format"}),
    ({"scope": ["read"]}, {"validation.valid_from.required", "validation.valid_to.required"}),
])
def test_a_bad_approval_writes_nothing(world: World, body: dict[str, Any], codes: set[str]) -> None:
    made = applied(world, scope=["read"])
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", body)
    assert answer.status_code == 422 and {e["code"] for e in answer.json_body["errors"]} == codes
    assert mine(world)[0]["status"] == "PENDING"
    assert world.call("ministry", "GET", f"/institutions/{NEW_CODE}/permits").status_code == 404


def test_two_reviewers_racing_end_in_one_decision_and_a_409(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    made = applied(world)
    stale = application_of(made["application_id"])  # what the second reviewer's request read
    first = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", approval())
    assert first.status_code == 200, first.json_body
    # The second one's read happened before the first committed: only the transaction's condition stops it.
    with monkeypatch.context() as patched:
        patched.setattr("chalicelib.services.applications.application_of", lambda _: stale)
        for decision, body in (("approval", approval(scope=["read", "write"])), ("rejection", {"reason": "Ne."})):
            late = world.call("ministry", "POST", f"/applications/{made['application_id']}/{decision}", body)
            assert late.status_code == 409 and late.json_body["code"] == "application.decided"
    permits = world.call("ministry", "GET", f"/institutions/{NEW_CODE}/permits").json_body["permits"]
    assert [p["scope"] for p in permits] == [["read"]]
    assert [(a["status"], a["reason"]) for a in mine(world)] == [("APPROVED", None)]
    assert events(world, NEW_CODE).count("APPROVED") == 1
    # Read afresh, a decided application is refused before any write.
    again = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", approval())
    assert again.status_code == 409 and again.json_body["code"] == "application.decided"


def test_rejection_keeps_nothing_granted_and_the_applicant_reads_the_reason(world: World) -> None:
    made = applied(world)
    path = f"/applications/{made['application_id']}/rejection"
    missing = world.call("ministry", "POST", path, {"reason": "  "})
    assert missing.status_code == 422 and [e["code"] for e in missing.json_body["errors"]] == [
        "validation.reason.required"]
    refused = world.call("ministry", "POST", path, {"reason": "Juridinis asmuo nevykdo švietimo veiklos."})
    assert refused.status_code == 200 and refused.json_body["status"] == "REJECTED"
    assert [(a["status"], a["reason"], a["permit"]) for a in mine(world)] == [
        ("REJECTED", "Juridinis asmuo nevykdo švietimo veiklos.", None)]
    assert world.call("ministry", "GET", f"/institutions/{NEW_CODE}/permits").status_code == 404
    assert world.call("resident2", "GET", "/me").json_body["institutions"] == []
    assert world.call("ministry", "GET", "/applications").json_body["applications"] == []
    late = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", approval())
    assert late.status_code == 409 and late.json_body["code"] == "application.decided"


def test_a_rejection_for_a_registered_institution_is_kept_in_its_log(world: World) -> None:
    registered = applied(world, code=NEW_CODE)
    world.call("ministry", "POST", f"/applications/{registered['application_id']}/approval", approval())
    later = applied(world, code=NEW_CODE, scope=["read", "write"])
    world.call("ministry", "POST", f"/applications/{later['application_id']}/rejection", {"reason": "Per anksti."})
    entries = log(world, NEW_CODE).json_body["entries"]
    assert [e["event"] for e in entries[:2]] == ["REJECTED", "APPLIED"]
    assert entries[0]["details"]["reason"] == "Per anksti."


@pytest.mark.parametrize("who", ["resident", "rep_a", "official"])
def test_only_the_ministry_decides(world: World, who: str) -> None:
    made = applied(world, who="resident2", responsible_person_id=PEOPLE["resident2"])
    for decision, body in (("approval", approval()), ("rejection", {"reason": "Ne."})):
        answer = world.call(who, "POST", f"/applications/{made['application_id']}/{decision}", body)
        assert answer.status_code == 403 and answer.json_body["code"] == "access.ministry_only"
    assert mine(world, "resident2")[0]["status"] == "PENDING"


def test_an_official_does_not_decide_their_own_application(world: World) -> None:
    made = applied(world, who="ministry")
    named = applied(world, code=OTHER_CODE, responsible_person_id=PEOPLE["ministry"])
    for application_id in (made["application_id"], named["application_id"]):
        answer = world.call("ministry", "POST", f"/applications/{application_id}/approval", approval())
        assert answer.status_code == 403 and answer.json_body["code"] == "application.own"


# --- the institution's log ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep_b", "resident", "official", "guardian"])
def test_the_log_is_the_ministrys_and_the_administrators_only(world: World, who: str) -> None:
    answer = log(world, "inst-b", who)
    assert answer.status_code == 403 and answer.json_body["code"] == "access.administrator"
    assert log(world, "inst-b").status_code == 200
    assert log(world, "no-such-inst").status_code == 404


def test_the_existing_services_write_the_log_and_it_pages_newest_first(world: World) -> None:
    grant = world.call("ministry", "POST", "/institutions/inst-b/permits", approval())
    assert grant.status_code == 201
    world.call("ministry", "DELETE", f"/institutions/inst-b/permits/{grant.json_body['permit_id']}?action=suspend")
    again = world.call("ministry", "DELETE",
                       f"/institutions/inst-b/permits/{grant.json_body['permit_id']}?action=suspend")
    assert again.status_code == 200 and again.json_body["state"] == "SUSPENDED"  # no change: not logged twice
    world.call("ministry", "PUT", f"/institutions/inst-b/staff/{PEOPLE['resident']}", {"role": "ADMINISTRATOR"})
    world.call("resident", "PUT", f"/institutions/inst-b/staff/{PEOPLE['guardian']}")
    world.call("resident", "PUT", f"/institutions/inst-b/staff/{PEOPLE['guardian']}",
               {"valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat()})
    world.call("resident", "DELETE", f"/institutions/inst-b/staff/{PEOPLE['guardian']}")
    assert events(world, "inst-b", "resident") == ["STAFF_REMOVED", "STAFF_CHANGED", "STAFF_APPOINTED",
                                                   "STAFF_APPOINTED", "PERMIT_SUSPENDED", "PERMIT_GRANTED"]
    entries = log(world, "inst-b").json_body["entries"]
    assert [e["actor"]["role"] for e in entries] == ["institution_administrator"] * 3 + ["ministry"] * 3
    assert entries[3]["details"] == {"role": "ADMINISTRATOR"} and entries[3]["person_id"] == PEOPLE["resident"]
    assert entries[4]["details"] == {"permit_id": grant.json_body["permit_id"], "previous_state": "ACTIVE"}
    first = log(world, "inst-b", "resident", "?limit=4")
    assert len(first.json_body["entries"]) == 4 and first.json_body["next_cursor"]
    rest = log(world, "inst-b", "resident", f"?limit=4&cursor={first.json_body['next_cursor']}")
    assert [e["event"] for e in rest.json_body["entries"]] == ["PERMIT_SUSPENDED", "PERMIT_GRANTED"]
    assert rest.json_body["next_cursor"] is None
    # A cursor is bound to its institution and reader.
    other = log(world, "inst-b", "ministry", f"?cursor={first.json_body['next_cursor']}")
    assert other.status_code == 400 and other.json_body["code"] == "request.cursor"
    # Removing the administrator ends their reading on the next request.
    world.call("ministry", "DELETE", f"/institutions/inst-b/staff/{PEOPLE['resident']}")
    assert log(world, "inst-b", "resident").status_code == 403


def test_a_transaction_cancelled_by_a_concurrent_one_is_sent_again(world: World,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB cancels a transaction that meets another writing the same items at that moment
    (`TransactionConflict`): nothing was written, so it is sent again and its conditions decide."""
    from pynamodb.connection.base import Connection
    from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

    made = applied(world)
    original = Connection.transact_write_items
    sent: list[int] = []

    def conflicting(self: Connection, *args: Any, **kwargs: Any) -> Any:
        sent.append(1)
        if len(sent) == 1:
            cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
                                       "TransactWriteItems",
                                       cancellation_reasons=[CancellationReason(code="TransactionConflict"), None])
            raise TransactWriteError("Failed to write transaction items", cause=cause)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "transact_write_items", conflicting)
    answer = world.call("ministry", "POST", f"/applications/{made['application_id']}/approval", approval())
    assert answer.status_code == 200, answer.json_body
    assert len(sent) == 2
    assert staff_roles(world, NEW_CODE) == {PEOPLE["resident2"]: "ADMINISTRATOR"}
