"""Pupils moving school (docs/STATE.md section 4): movement items opened in the enrolment's own
transaction — by the API and by an upload —, closed by ending the old enrolment with a reason,
seen by both schools, and by the state once overdue (the world: tests/api/conftest.py; pupil_b is
enrolled at inst-b since 2020-09-01, open)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.records import validate_record
from chalicelib.errors import Problem
from chalicelib.models.institutions import set_municipality
from chalicelib.models.journal import JournalEvent
from chalicelib.models.movements import MARKER, Movement
from chalicelib.models.records import record_head
from chalicelib.services import movements as movement_views
from chalicelib.services.journal import Actor
from chalicelib.services.records import (
    Refused,
    Writer,
    apply,
    current_record,
    plan_record,
    read_moves,
    write_record,
)
from tests.api.conftest import PEOPLE, World, dynamodb_calls, identity_of
from tests.ingest.conftest import bucket  # noqa: F401 - a fixture
from tests.ingest.test_ingest import csv_file, upload

TODAY = vilnius_today()
ARRIVED = (TODAY - timedelta(days=40)).isoformat()
OLD_B = record_id_for("inst-b", "pupil_b-1")  # pupil_b's enrolment at inst-b (the world's)
NEW_A = record_id_for("inst-a", "moved-1")


def enrolment(source_id: str = "moved-1", **extra: Any) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_b"], **identity_of("pupil_b"), "source_id": source_id,
            "start_date": ARRIVED, "programme": "201001001", **extra}


def enrol_at_a(world: World, **extra: Any) -> Any:
    response = world.call("rep_a", "POST", "/institutions/inst-a/records", enrolment(**extra))
    assert response.status_code in (200, 201), response.body
    return response


def items() -> list[Movement]:
    return [item for item in Movement.scan() if item.new_record_id != MARKER]


def open_items() -> list[Movement]:
    return [item for item in items() if item.open_state]


def school_list(world: World, who: str, institution: str) -> list[dict[str, Any]]:
    response = world.call(who, "GET", f"/institutions/{institution}/movements")
    assert response.status_code == 200, response.body
    return list(response.json_body["movements"])


def correct_b(world: World, **fields: Any) -> Any:
    detail = world.call("rep_b", "GET", f"/institutions/inst-b/records/{OLD_B}").json_body
    body = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_b"], "source_id": "pupil_b-1",
            "start_date": detail["start_date"], "programme": detail["programme"], "version": detail["version"],
            **fields}
    return world.call("rep_b", "PUT", f"/institutions/inst-b/records/{OLD_B}", body)


def age(days: int) -> None:
    """Move every item's opening back `days` (as if written then)."""
    for item in items():
        item.update(actions=[Movement.opened_at.set((TODAY - timedelta(days=days)).isoformat())])


# --- opened --------------------------------------------------------------------------------------


def test_an_enrolment_elsewhere_opens_one_item_that_both_schools_see(world: World) -> None:
    enrol_at_a(world)
    [item] = items()
    assert (item.old_record_id, item.new_record_id) == (OLD_B, NEW_A)
    assert (item.from_institution, item.to_institution, item.arrived_on) == ("inst-b", "inst-a", ARRIVED)
    assert item.opened_at == TODAY.isoformat() and item.closed_at is None

    [arrived] = school_list(world, "rep_a", "inst-a")
    assert arrived["side"] == "arrived" and arrived["record_id"] == NEW_A
    assert arrived["from_institution"] == {"institution_id": "inst-b", "name": "Mokykla B"}
    assert arrived["given_name"] == "PupilB"
    [left] = school_list(world, "rep_b", "inst-b")
    assert left["side"] == "left" and left["record_id"] == OLD_B
    assert left["to_institution"] == {"institution_id": "inst-a", "name": "Mokykla A"}
    assert left["person_id"] == PEOPLE["pupil_b"]
    # Naming the pupil to a school is a read of their data: journaled.
    reads = [e for e in JournalEvent.query(PEOPLE["pupil_b"]) if e.action == "READ"]
    assert {e.institution_id for e in reads} == {"inst-a", "inst-b"}


def test_a_third_school_and_the_other_schools_representative_see_nothing(world: World) -> None:
    enrol_at_a(world)
    assert world.call("rep_c", "GET", "/institutions/inst-c/movements").status_code == 403  # permit revoked
    assert world.call("rep_c", "GET", "/institutions/inst-b/movements").status_code == 403
    assert world.call("rep_a", "GET", "/institutions/inst-b/movements").status_code == 403
    assert world.call("pupil_a", "GET", "/institutions/inst-a/movements").status_code == 403


def test_a_retried_or_repeated_write_makes_it_once(world: World) -> None:
    enrol_at_a(world)
    enrol_at_a(world)  # the same request again (a retry): nothing changes
    world.call("rep_a", "PUT", f"/institutions/inst-a/records/{NEW_A}",
               enrolment(**{"class": "7a"}) | {"version": 1})  # a correction at the new school
    [item] = items()
    assert item.opened_at == TODAY.isoformat() and item.open_state == "OPEN"


def test_no_item_when_the_old_enrolment_has_ended(world: World) -> None:
    assert correct_b(world, end_date=(TODAY - timedelta(days=50)).isoformat()).status_code == 200
    enrol_at_a(world)
    assert items() == []


def test_an_end_in_the_future_is_open_unless_it_ends_by_the_arrival(world: World) -> None:
    # Ended (with a reason) by the day the pupil starts at the new school: an orderly move, no item.
    assert correct_b(world, end_date=(TODAY + timedelta(days=5)).isoformat(), leaving_reason="MOVED_LT").status_code \
        == 200
    world.call("rep_a", "POST", "/institutions/inst-a/records",
               enrolment(start_date=(TODAY + timedelta(days=6)).isoformat()))
    assert items() == []
    # An end far ahead while the pupil already attends elsewhere is an open enrolment.
    assert correct_b(world, end_date=(TODAY + timedelta(days=400)).isoformat()).status_code == 200
    enrol_at_a(world, source_id="moved-2")
    [item] = items()
    assert item.old_record_id == OLD_B and item.open_state == "OPEN"


def test_a_move_costs_one_query_and_one_profile_read_more(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures: the reads an enrolment's write adds (docs/STATE.md section 4)."""
    newcomer = {"kind": "ENROLLMENT", "person_id": make_personal_code("M", date(2012, 1, 1), 77),
                "given_name": "Naujas", "family_name": "Testas", "source_id": "new-1", "start_date": ARRIVED,
                "programme": "201001001"}
    calls = dynamodb_calls(monkeypatch)
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", newcomer).status_code == 201
    baseline = list(calls)
    calls.clear()
    enrol_at_a(world)
    moved = list(calls)
    # One Query of the person's enrolments and one GetItem of the old school's profile; the
    # movement item rides in the same TransactWriteItems.
    assert moved.count("TransactWriteItems") == baseline.count("TransactWriteItems") == 1
    assert moved.count("Query") == baseline.count("Query") + 1
    assert moved.count("GetItem") == baseline.count("GetItem") + 1
    assert items()[0].new_record_id == NEW_A


# --- closed --------------------------------------------------------------------------------------


def test_closed_by_an_end_date_with_a_reason_not_by_a_date_alone(world: World) -> None:
    enrol_at_a(world)
    ended = (TODAY - timedelta(days=1)).isoformat()
    assert correct_b(world, end_date=ended).status_code == 200
    assert len(open_items()) == 1 and len(school_list(world, "rep_b", "inst-b")) == 1
    assert correct_b(world, end_date=ended, leaving_reason="MOVED_LT").status_code == 200
    [item] = items()
    assert item.closed_at == TODAY.isoformat() and item.closed_how == "ENDED" and item.open_from is None
    assert school_list(world, "rep_b", "inst-b") == [] and school_list(world, "rep_a", "inst-a") == []


def test_re_opening_the_old_enrolment_opens_it_again(world: World) -> None:
    enrol_at_a(world)
    ended = (TODAY - timedelta(days=1)).isoformat()
    correct_b(world, end_date=ended, leaving_reason="MOVED_LT")
    assert open_items() == []
    assert correct_b(world).status_code == 200  # the end removed: open again
    [item] = open_items()
    assert item.opened_at == TODAY.isoformat() and item.closed_at is None


def test_a_school_re_opening_its_own_old_enrolment_is_asked_to_close_it(world: World) -> None:
    """The red team's way back to an open enrolment: inst-a ended pupil_b's enrolment in 2020
    (an orderly move to inst-b, no item) and later removes the end by code alone."""
    old = validate_record({"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_b"], **identity_of("pupil_b"),
                           "source_id": "early-1", "start_date": "2018-09-01", "end_date": "2020-08-31",
                           "leaving_reason": "MOVED_LT", "programme": "201001001"})
    write_record(old, "inst-a", Actor("seed", "representative", "inst-a", "Mokykla A"))
    assert items() == []
    rid = record_id_for("inst-a", "early-1")
    body = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_b"], "source_id": "early-1",
            "start_date": "2018-09-01", "programme": "201001001", "version": 1}
    assert world.call("rep_a", "PUT", f"/institutions/inst-a/records/{rid}", body).status_code == 200
    [item] = items()
    assert (item.old_record_id, item.new_record_id) == (rid, OLD_B)
    assert [m["side"] for m in school_list(world, "rep_a", "inst-a")] == ["left"]
    assert [m["side"] for m in school_list(world, "rep_b", "inst-b")] == ["arrived"]


def test_annulling_the_mistaken_new_enrolment_closes_it(world: World) -> None:
    enrol_at_a(world)
    response = world.call("rep_a", "DELETE", f"/institutions/inst-a/records/{NEW_A}", {"reason": "klaida"})
    assert response.status_code == 200, response.body
    [item] = items()
    assert item.closed_how == "ANNULLED" and item.open_state is None
    assert school_list(world, "rep_b", "inst-b") == []


def test_the_old_school_ending_meanwhile_refuses_the_stale_write(world: World) -> None:
    """The new enrolment's write is conditional on the old one as read: if the old school ends it
    between the read and the commit, the write is refused (and planned again by the caller)."""
    record = validate_record(enrolment())
    writer = Writer("inst-a", Actor(PEOPLE["rep_a"], "representative", "inst-a", "Mokykla A"))
    moves = read_moves(record, writer, None, person_known=True, today=TODAY)
    assert len(moves.opening) == 1
    assert correct_b(world, end_date=(TODAY - timedelta(days=1)).isoformat(),
                     leaving_reason="MOVED_LT").status_code == 200
    plan = plan_record(record, record.person_id, writer, head=None, current=None, now=datetime.now(UTC),
                       moves=moves)
    with pytest.raises(Refused):
        apply([plan])
    assert items() == [] and current_record(record_head(NEW_A)) is None


def test_an_item_opened_meanwhile_refuses_the_stale_ending(world: World) -> None:
    """The other order: the old school's ending write read no item, then the new school opened
    one before it committed. The ending is refused (its marker moved) and, planned again, closes it."""
    detail = world.call("rep_b", "GET", f"/institutions/inst-b/records/{OLD_B}").json_body
    ending = validate_record({"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_b"], "source_id": "pupil_b-1",
                              "start_date": detail["start_date"], "programme": detail["programme"],
                              "end_date": (TODAY - timedelta(days=1)).isoformat(), "leaving_reason": "MOVED_LT"})
    writer = Writer("inst-b", Actor(PEOPLE["rep_b"], "representative", "inst-b", "Mokykla B"))
    head = record_head(OLD_B)
    current = current_record(head)
    moves = read_moves(ending, writer, head, person_known=True, today=TODAY)
    assert moves.closing == () and moves.guard == (OLD_B, None)
    enrol_at_a(world)  # the new school, in between
    plan = plan_record(ending, ending.person_id, writer, head=head, current=current, now=datetime.now(UTC),
                       moves=moves)
    with pytest.raises(Refused):
        apply([plan])
    assert len(open_items()) == 1
    assert correct_b(world, end_date=(TODAY - timedelta(days=1)).isoformat(),
                     leaving_reason="MOVED_LT").status_code == 200  # read again: closes it
    assert open_items() == []


# --- uploads -------------------------------------------------------------------------------------


def test_an_upload_opens_it_once(world: World, bucket: Any) -> None:  # noqa: F811 - the fixture
    header = "kind;asmens_kodas;vardas;pavarde;source_id;start_date;programme"
    row = f"ENROLLMENT;{PEOPLE['pupil_b']};PupilB;Testas;moved-1;{ARRIVED};201001001"
    upload(world, bucket, csv_file(row, header=header))
    upload(world, bucket, csv_file(row, header=header), name="again.csv")  # the same file again
    [item] = items()
    assert (item.old_record_id, item.new_record_id, item.open_state) == (OLD_B, NEW_A, "OPEN")
    assert [m["side"] for m in school_list(world, "rep_b", "inst-b")] == ["left"]


# --- the state's view ----------------------------------------------------------------------------


def test_the_state_sees_overdue_items_without_the_pupil(world: World) -> None:
    enrol_at_a(world)
    listed = world.call("ministry", "GET", "/movements")
    assert listed.status_code == 200 and listed.json_body["movements"] == []  # opened today: not overdue
    age(31)
    [item] = world.call("ministry", "GET", "/movements").json_body["movements"]
    assert item["from_institution"]["name"] == "Mokykla B" and item["municipality"] == "LT-57"
    assert PEOPLE["pupil_b"] not in str(item) and "PupilB" not in str(item) and "person_id" not in item
    assert len(world.call("ministry", "GET", "/movements?municipality=LT-57").json_body["movements"]) == 1
    assert world.call("ministry", "GET", "/movements?municipality=LT-15").json_body["movements"] == []
    assert world.call("ministry", "GET", "/movements?municipality=Vilnius").status_code == 400
    assert world.call("rep_a", "GET", "/movements").status_code == 403
    assert world.call("rep_a", "GET", "/movements?municipality=LT-57").status_code == 403


def test_an_official_sees_only_their_municipality(world: World) -> None:
    assert set_municipality("inst-b", "LT-57", "LT-15")
    enrol_at_a(world)
    age(31)
    official = CallerFacts(person_id=PEOPLE["resident"], municipalities=frozenset({"LT-15"}))
    [item] = movement_views.overdue_movements(official, None, None, 50)["movements"]  # their own, unasked
    assert item["municipality"] == "LT-15"
    assert movement_views.overdue_movements(official, "LT-15", None, 50)["movements"] == [item]
    with pytest.raises(Problem) as refused:
        movement_views.overdue_movements(official, "LT-57", None, 50)
    assert refused.value.code == P.access.municipality
    vilnius = CallerFacts(person_id=PEOPLE["resident"], municipalities=frozenset({"LT-57"}))
    assert movement_views.overdue_movements(vilnius, None, None, 50)["movements"] == []


def test_the_nightly_pass_counts_each_schools_open_items_for_the_reporting_list(world: World) -> None:
    from chalicelib.services.snapshot import run_snapshot

    enrol_at_a(world)
    run_snapshot(TODAY)
    counted = {i: world.call("ministry", "GET", f"/institutions/{i}/activity").json_body["open_movements"]
               for i in ("inst-a", "inst-b", "inst-c")}
    assert counted == {"inst-a": 1, "inst-b": 1, "inst-c": 0}  # arrived at A, left B
    correct_b(world, end_date=ARRIVED, leaving_reason="MOVED_LT")
    run_snapshot(TODAY)
    assert world.call("ministry", "GET", "/institutions/inst-a/activity").json_body["open_movements"] == 0


# --- the red team's findings (issue 15): each failed before its fix -----------------------------


def test_one_other_school_with_two_enrolments_does_not_block_the_old_schools_corrections(world: World) -> None:
    """inst-b enrols pupil_a twice (two programmes): each pairs with inst-a's older enrolment, and
    inst-a's correction that keeps its enrolment open must still write its marker once (DynamoDB
    refuses a transaction naming one item twice: the API answered 500)."""
    for source in ("pa-b1", "pa-b2"):
        body = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], **identity_of("pupil_a"), "source_id": source,
                "start_date": (TODAY - timedelta(days=5)).isoformat(), "programme": "201001001"}
        assert world.call("rep_b", "POST", "/institutions/inst-b/records", body).status_code == 201
    assert len(open_items()) == 2
    rid = record_id_for("inst-a", "pupil_a-1")
    detail = world.call("rep_a", "GET", f"/institutions/inst-a/records/{rid}").json_body
    body = {"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], "source_id": "pupil_a-1",
            "start_date": detail["start_date"], "programme": detail["programme"], "class": "7a",
            "version": detail["version"]}
    response = world.call("rep_a", "PUT", f"/institutions/inst-a/records/{rid}", body)
    assert response.status_code == 200, (response.status_code, response.body)
    assert len(open_items()) == 2


def test_the_old_school_can_still_correct_its_enrolment_when_two_schools_enrolled_the_pupil(world: World) -> None:
    """pupil_b attends inst-b; inst-a and then inst-c enrol them (items B→A, B→C, A→C): inst-b's
    enrolment is the old one of two pairs and its class change answers 200, not 500."""
    enrol_at_a(world)
    third = validate_record(enrolment(source_id="third-1", start_date=(TODAY - timedelta(days=10)).isoformat()))
    write_record(third, "inst-c", Actor(PEOPLE["rep_c"], "representative", "inst-c", "Mokykla C"))
    assert len(open_items()) == 3
    response = correct_b(world, **{"class": "7a"})
    assert response.status_code == 200, (response.status_code, response.body)
    assert len(open_items()) == 3


def test_no_plan_names_an_item_twice(world: World) -> None:
    """The plan itself, as an upload's row would make it: inst-b's enrolment is the old one of two
    pairs, and its class change names its marker (and every other item) once."""
    enrol_at_a(world)
    third = validate_record(enrolment(source_id="third-1", start_date=(TODAY - timedelta(days=10)).isoformat()))
    write_record(third, "inst-c", Actor(PEOPLE["rep_c"], "representative", "inst-c", "Mokykla C"))
    head = record_head(OLD_B)
    current = current_record(head)
    assert current is not None
    writer = Writer("inst-b", Actor(PEOPLE["rep_b"], "representative", "inst-b", "Mokykla B"))
    record = validate_record(enrolment(source_id="pupil_b-1", start_date="2020-09-01", **{"class": "7a"}))
    moves = read_moves(record, writer, head, person_known=True, today=TODAY)
    assert len(moves.opening) == 2
    plan = plan_record(record, PEOPLE["pupil_b"], writer, head=head, current=current, now=datetime.now(UTC),
                       moves=moves)
    keys = [(type(w.item).__name__, *w.item._get_hash_range_key_serialized_values()) for w in plan.writes]
    assert len(keys) == len(set(keys)), keys
    apply([plan])
    assert len(open_items()) == 3


def test_an_upload_changing_such_an_enrolment_is_not_failed_whole(world: World, bucket: Any) -> None:  # noqa: F811
    """The upload form of the same plan: inst-a's ordinary re-upload of pupil_a's row with a new
    class, after inst-b and inst-c enrolled pupil_a, is DONE (it failed whole, redelivered to the
    dead-letter queue)."""
    from chalicelib.config import settings
    from chalicelib.handlers.uploads import ingest_upload
    from chalicelib.models.uploads import Upload
    from tests.ingest.test_ingest import sqs_event

    header = "kind;asmens_kodas;vardas;pavarde;source_id;start_date;programme;class"
    row = f"ENROLLMENT;{PEOPLE['pupil_a']};PupilA;Testas;pa-a2;2019-09-01;201001001;"

    def send(content: bytes) -> str:
        started = world.call("rep_a", "POST", "/institutions/inst-a/uploads", {"file_name": "ruduo.csv",
                                                                               "dry_run": False})
        key, upload_id = started.json_body["fields"]["key"], started.json_body["upload_id"]
        bucket.put_object(Bucket=settings().uploads_bucket, Key=key, Body=content)
        ingest_upload(sqs_event(key), None)
        return str(Upload.get(upload_id).status)

    assert send(csv_file(row, header=header)) == "DONE"
    for institution, source, days in (("inst-b", "pa-b", 40), ("inst-c", "pa-c", 10)):
        record = validate_record({"kind": "ENROLLMENT", "person_id": PEOPLE["pupil_a"], **identity_of("pupil_a"),
                                  "source_id": source, "start_date": (TODAY - timedelta(days=days)).isoformat(),
                                  "programme": "201001001"})
        write_record(record, institution, Actor("seed", "representative", institution, institution))
    assert send(csv_file(row + "7a", header=header)) == "DONE"
    rid = record_id_for("inst-a", "pa-a2")
    assert world.call("rep_a", "GET", f"/institutions/inst-a/records/{rid}").json_body["class"] == "7a"


def test_the_new_school_ending_its_enrolment_closes_the_item(world: World) -> None:
    """inst-a enrols pupil_b (item B→A), then ends its own enrolment (the pupil never came / went
    abroad): no two open enrolments are left, so the item closes in that write — inst-b is no
    longer told to end the enrolment of a pupil who still attends it."""
    enrol_at_a(world)
    assert len(open_items()) == 1
    body = enrolment(end_date=(TODAY - timedelta(days=1)).isoformat(), leaving_reason="MOVED_ABROAD") | {"version": 1}
    for key in ("given_name", "family_name", "birth_date"):
        body.pop(key)
    response = world.call("rep_a", "PUT", f"/institutions/inst-a/records/{NEW_A}", body)
    assert response.status_code == 200, response.body
    assert school_list(world, "rep_b", "inst-b") == [] and school_list(world, "rep_a", "inst-a") == []
    [item] = items()
    assert item.open_state is None and item.closed_how == "ENDED" and item.closed_at == TODAY.isoformat()


def test_the_new_school_ending_ahead_keeps_the_item_open(world: World) -> None:
    """The same rule as 'open': an end ahead leaves the new enrolment open, and the item too."""
    enrol_at_a(world)
    body = enrolment(end_date=(TODAY + timedelta(days=30)).isoformat(), leaving_reason="MOVED_ABROAD") | {"version": 1}
    for key in ("given_name", "family_name", "birth_date"):
        body.pop(key)
    assert world.call("rep_a", "PUT", f"/institutions/inst-a/records/{NEW_A}", body).status_code == 200
    assert len(open_items()) == 1


def test_a_former_school_past_its_window_is_not_told_the_pupils_present_names(world: World) -> None:
    """inst-b ended its enrolment with a date only 400 days ago (the item stays open, as designed):
    past FORMER_SCHOOL_ACCESS_MONTHS its list shows its own record id and no names — the names the
    Population Register now gives are what a new enrolment would ask."""
    from chalicelib.services.persons import record_gateway_login

    enrol_at_a(world)
    assert correct_b(world, end_date=(TODAY - timedelta(days=400)).isoformat()).status_code == 200
    record_gateway_login(PEOPLE["pupil_b"], "Naujavardė", "Naujapavardė")
    history = world.call("rep_b", "GET", f"/persons/{PEOPLE['pupil_b']}/history?purpose=check")
    assert history.status_code == 200 and history.json_body["person"].get("given_name") is None
    [item] = school_list(world, "rep_b", "inst-b")
    assert item["record_id"] == OLD_B and item["side"] == "left"
    assert "Naujavard" not in str(item) and PEOPLE["pupil_b"] not in str(item), item
    [arrived] = school_list(world, "rep_a", "inst-a")  # the school the pupil attends is told
    assert arrived["given_name"] == "Naujavardė" and arrived["person_id"] == PEOPLE["pupil_b"]


def test_a_disputed_school_is_not_told_the_names_the_population_register_gives(world: World) -> None:
    """inst-a registered a child under names it typed; inst-b enrolled the child later (item A→B);
    the Population Register names the child otherwise, so inst-a's enrolment no longer grants reads
    (docs/ACCESS.md) — and its movement list does not name the child either."""
    from chalicelib.services.persons import record_gateway_login

    child = make_personal_code("M", TODAY.replace(year=TODAY.year - 11), 555)
    first = {"kind": "ENROLLMENT", "person_id": child, "given_name": "Spejimas", "family_name": "Testas",
             "source_id": "c-1", "start_date": "2021-09-01", "programme": "201001001"}
    assert world.call("rep_a", "POST", "/institutions/inst-a/records", first).status_code == 201
    second = first | {"source_id": "c-2", "start_date": (TODAY - timedelta(days=5)).isoformat()}
    assert world.call("rep_b", "POST", "/institutions/inst-b/records", second).status_code == 201
    record_gateway_login(child, "Tikrasis", "Vardenis")
    assert world.call("rep_a", "GET", f"/persons/{child}/history?purpose=check").status_code == 404
    [item] = school_list(world, "rep_a", "inst-a")
    assert item["record_id"] == record_id_for("inst-a", "c-1")
    assert "Tikrasis" not in str(item) and "Spejimas" not in str(item) and child not in str(item), item


def test_an_official_of_two_municipalities_names_one_of_theirs(world: World) -> None:
    """Unfiltered, an official of two municipalities is refused (which one is meant?); naming one of
    theirs answers 200 (the page offers them a select of theirs), naming another 403."""
    from chalicelib.models.officials import Official

    now = datetime.now(UTC)
    Official("LT-15", PEOPLE["official"], valid_from=(TODAY - timedelta(days=10)).isoformat(),
             valid_to=(TODAY + timedelta(days=10)).isoformat(), created_at=now, created_by="test").save()
    assert world.call("official", "GET", "/movements").status_code == 403
    for code in ("LT-57", "LT-15"):
        answered = world.call("official", "GET", f"/movements?municipality={code}")
        assert answered.status_code == 200 and answered.json_body["movements"] == [], answered.body
    assert world.call("official", "GET", "/movements?municipality=LT-13").status_code == 403
