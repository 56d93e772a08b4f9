"""Qualifications to DAKPR: the outbox, `transfer_qualifications`, a fake DAKPR over real HTTP on
loopback, moto for DynamoDB (the world: tests/api/conftest.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from chalicelib.dakpr import client_from_settings
from chalicelib.domain.ids import record_id_for
from chalicelib.models.journal import JournalEvent
from chalicelib.models.records import RecordsItem, RecordVersion, version_key, version_partition
from chalicelib.services import transfer
from chalicelib.services.transfer import run_transfers
from devstack.fake_dakpr import FakeDakpr
from tests.api.conftest import PEOPLE, World
from tests.transfer.conftest import Clock

PUPIL = PEOPLE["pupil_a"]
QUALIFICATION = {"kind": "QUALIFICATION", "person_id": PUPIL, "source_id": "ba-1", "document_type": "Brandos atestatas",
                 "document_series": "BA", "document_number": "1234567", "issue_date": "2025-07-01"}


def submit(world: World, body: dict[str, Any] | None = None) -> str:
    response = world.call("rep_a", "POST", "/institutions/inst-a/records", body or QUALIFICATION)
    assert response.status_code == 201, response.body
    return str(response.json_body["record_id"])


def run(clock: Clock) -> dict[str, int]:
    client = client_from_settings()
    assert client is not None
    return run_transfers(client, now=clock)


def drain(clock: Clock, rounds: int) -> list[dict[str, int]]:
    """`rounds` scheduled runs, each far enough apart for any back-off (capped at 6 h ± 20 %)."""
    results = []
    for _ in range(rounds):
        results.append(run(clock))
        clock.advance(hours=8)
    return results


def version_of(record_id: str, number: int) -> RecordVersion:
    item = RecordsItem.get(version_partition(record_id), version_key(number), consistent_read=True)
    assert isinstance(item, RecordVersion)
    return item


def got(dakpr: FakeDakpr) -> dict[str, Any]:
    return dakpr.state.snapshot()


def invoke_schedule(world: World) -> Any:
    """The function as EventBridge's schedule invokes it, with a Lambda context of its configured
    timeout (chalice.test's `lambda_.invoke` would give every function 3 s)."""
    from chalice.local import LambdaContext

    from chalicelib.handlers.transfer import transfer_qualifications

    event = world.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                  resources=[])
    timeout = json.loads(Path(".chalice/config.json").read_text())["lambda_functions"]["transfer_qualifications"]
    context = LambdaContext("transfer_qualifications", 256, max_runtime_ms=timeout["lambda_timeout"] * 1000)
    return transfer_qualifications(event, context)


def test_a_new_qualification_is_delivered_once_even_when_the_schedule_fires_twice(
    world: World, dakpr: FakeDakpr
) -> None:
    record_id = submit(world)
    assert invoke_schedule(world) == {"delivered": 1}
    assert invoke_schedule(world) == {}  # the same event again: nothing is due any more
    state = got(dakpr)
    assert state["requests"] == 1 and len(state["registrations"]) == 1
    sent = state["documents"][record_id]
    assert sent["status"] == "VALID" and sent["version"] == 1 and sent["idempotency_key"] == f"{record_id}.1"
    assert sent["holder"]["person_id"] == PUPIL and sent["issuer"]["legal_entity_code"] == "211950810"
    assert sent["document"] == {"document_type": "MATURITY_CERTIFICATE", "document_series": "BA",
                                "document_number": "1234567", "issue_date": "2025-07-01",
                                "programme": None, "title": None}
    number = state["registrations"][0]["registration_number"]

    # The registration number is stored back: on the record the school reads, the pupil's history,
    # the version; and the pupil's journal says the data went to DAKPR (by the system, no person).
    detail = world.call("rep_a", "GET", f"/institutions/inst-a/records/{record_id}").json_body
    assert detail["dakpr_registration_number"] == number
    assert detail["versions"][0]["dakpr_state"] == "DELIVERED"
    history = world.call("pupil_a", "GET", "/me/history").json_body
    assert [r["dakpr_registration_number"] for r in history["records"] if r["record_id"] == record_id] == [number]
    events = [e for e in world.call("pupil_a", "GET", "/me/journal").json_body["events"] if e["action"] == "TRANSFER"]
    assert len(events) == 1 and events[0]["purpose"] == "DAKPR"
    assert events[0]["actor"] == {"role": "system", "institution_id": None, "institution_name": None}
    assert events[0]["after"]["registration_number"] == number


def test_two_runs_at_once_send_each_version_once(world: World, dakpr: FakeDakpr, clock: Clock) -> None:
    for n in range(5):
        submit(world, QUALIFICATION | {"source_id": f"ba-{n}", "document_number": f"100000{n}"})
    results: list[dict[str, int]] = []
    runners = [threading.Thread(target=lambda: results.append(run(clock))) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    state = got(dakpr)
    assert state["requests"] == 5 and len(state["registrations"]) == 5
    assert sum(r.get("delivered", 0) for r in results) == 5


def test_a_lost_answer_is_sent_again_with_the_same_key_and_registered_once(
    world: World, dakpr: FakeDakpr, clock: Clock
) -> None:
    record_id = submit(world)
    dakpr.state.configure({"lose_answers": 1})  # DAKPR registers it, the answer never arrives
    assert run(clock) == {"retried": 1}
    assert run(clock) == {}  # backing off
    clock.advance(minutes=5)
    assert run(clock) == {"delivered": 1}
    state = got(dakpr)
    assert state["requests"] == 2 and len(state["registrations"]) == 1
    assert version_of(record_id, 1).dakpr_registration_number == state["registrations"][0]["registration_number"]


def test_failing_three_times_then_succeeding_delivers_once_with_growing_back_off(
    world: World, dakpr: FakeDakpr, clock: Clock
) -> None:
    record_id = submit(world)
    dakpr.state.configure({"times": 3})
    waits = []
    for _ in range(3):
        assert run(clock) == {"retried": 1}
        waits.append(_due(record_id) - clock().timestamp())
        clock.advance(hours=8)
    assert waits[0] < waits[1] < waits[2]  # 60 s, 120 s, 240 s, each ± 20 %
    assert run(clock) == {"delivered": 1}
    assert len(got(dakpr)["registrations"]) == 1 and got(dakpr)["requests"] == 4
    version = version_of(record_id, 1)
    assert (version.dakpr_state, version.dakpr_attempts) == ("DELIVERED", 4)
    assert not version.dakpr_last_error


def _due(record_id: str) -> float:
    from datetime import datetime

    due = version_of(record_id, 1).dakpr_due
    assert due is not None
    return datetime.strptime(due, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def test_always_failing_ends_in_the_dead_letters_and_a_replay_delivers_it(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAKPR_MAX_ATTEMPTS", "3")
    record_id = submit(world)
    dakpr.state.configure({"always": True})
    assert drain(clock, 4) == [{"retried": 1}, {"retried": 1}, {"dead": 1}, {}]

    listed = world.call("ministry", "GET", "/admin/dakpr/dead-letters")
    assert listed.status_code == 200
    assert listed.json_body["dead_letters"] == [{
        "delivery_id": f"{record_id}.1", "record_id": record_id, "version": 1, "institution_id": "inst-a",
        "attempts": 3, "last_error": "dakpr.http_503.unavailable", "dead_since": version_of(record_id, 1).dakpr_due,
    }]
    assert PUPIL not in listed.body.decode()  # an operator's view names no one
    assert world.call("rep_a", "GET", "/admin/dakpr/dead-letters").status_code == 403
    assert world.call("rep_a", "POST", f"/admin/dakpr/dead-letters/{record_id}.1/replay").status_code == 403

    dakpr.state.configure({})  # DAKPR is back
    assert run(clock) == {}  # dead letters are not retried on their own
    replayed = world.call("ministry", "POST", f"/admin/dakpr/dead-letters/{record_id}.1/replay")
    assert (replayed.status_code, replayed.json_body) == (202, {"delivery_id": f"{record_id}.1", "state": "PENDING"})
    assert run(clock) == {"delivered": 1}
    assert len(got(dakpr)["registrations"]) == 1
    assert world.call("ministry", "GET", "/admin/dakpr/dead-letters").json_body["dead_letters"] == []
    again = world.call("ministry", "POST", f"/admin/dakpr/dead-letters/{record_id}.1/replay")
    assert (again.status_code, again.json_body["code"]) == (404, "transfer.not_found")
    for bogus in ("nothing", f"{record_id}.0", f"{record_id}.x", "a" * 100 + ".1"):
        assert world.call("ministry", "POST", f"/admin/dakpr/dead-letters/{bogus}/replay").status_code == 404


def test_a_refusal_is_not_retried(world: World, dakpr: FakeDakpr, clock: Clock) -> None:
    record_id = submit(world)
    dakpr.state.configure({"reject": 1})
    assert run(clock) == {"dead": 1}
    assert version_of(record_id, 1).dakpr_last_error == "dakpr.http_422.document_number_invalid"


def test_an_annulled_qualification_is_transferred_as_annulled(world: World, dakpr: FakeDakpr, clock: Clock) -> None:
    record_id = submit(world)
    assert run(clock) == {"delivered": 1}
    annulled = world.call("rep_a", "DELETE", f"/institutions/inst-a/records/{record_id}",
                          {"reason": "Išduotas per klaidą"})
    assert annulled.status_code == 200, annulled.body
    assert run(clock) == {"delivered": 1}
    state = got(dakpr)
    sent = state["documents"][record_id]
    assert (sent["version"], sent["status"], sent["annul_reason"]) == (2, "ANNULLED", "Išduotas per klaidą")
    numbers = {r["registration_number"] for r in state["registrations"]}
    assert len(state["registrations"]) == 2 and len(numbers) == 1  # the same document, told it no longer stands


def test_versions_go_in_order_and_a_replayed_old_version_is_superseded(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = submit(world)
    dakpr.state.configure({"times": 1})
    assert run(clock) == {"retried": 1}  # version 1 backs off
    corrected = world.call("rep_a", "PUT", f"/institutions/inst-a/records/{record_id}",
                           QUALIFICATION | {"document_number": "7654321", "version": 1})
    assert corrected.status_code == 200, corrected.body
    assert run(clock) == {"waiting": 1}  # version 2 waits for version 1
    results = drain(clock, 3)
    assert sum(r.get("delivered", 0) for r in results) == 2
    assert [(r["version"], r["status"]) for r in got(dakpr)["registrations"]] == [(1, "VALID"), (2, "VALID")]
    assert got(dakpr)["documents"][record_id]["document"]["document_number"] == "7654321"

    # A version given up on does not hold back later ones; replayed later, it is superseded.
    monkeypatch.setenv("DAKPR_MAX_ATTEMPTS", "1")
    dakpr.state.configure({"always": True})
    world.call("rep_a", "PUT", f"/institutions/inst-a/records/{record_id}",
               QUALIFICATION | {"document_number": "1111111", "version": 2})
    assert run(clock) == {"dead": 1}
    dakpr.state.configure({})
    world.call("rep_a", "PUT", f"/institutions/inst-a/records/{record_id}",
               QUALIFICATION | {"document_number": "2222222", "version": 3})
    assert run(clock) == {"delivered": 1}
    transfer.replay(f"{record_id}.3", now=clock())
    assert run(clock) == {"superseded": 1}
    assert got(dakpr)["documents"][record_id]["document"]["document_number"] == "2222222"
    assert version_of(record_id, 3).dakpr_state == "SUPERSEDED"


def test_only_qualifications_go_and_a_kind_change_withdraws_the_document(
    world: World, dakpr: FakeDakpr, clock: Clock
) -> None:
    submit(world, {"kind": "EXAM", "person_id": PUPIL, "source_id": "egz-1", "subject": "Matematika",
                   "start_date": "2025-06-01", "score": 80})
    assert run(clock) == {} and got(dakpr)["requests"] == 0
    record_id = submit(world)
    assert run(clock) == {"delivered": 1}
    changed = world.call("rep_a", "PUT", f"/institutions/inst-a/records/{record_id}",
                         {"kind": "ACHIEVEMENT", "person_id": PUPIL, "source_id": "ba-1",
                          "title": "Padėka", "start_date": "2025-07-01", "version": 1})
    assert changed.status_code == 200, changed.body
    assert run(clock) == {"delivered": 1}
    assert got(dakpr)["documents"][record_id]["status"] == "ANNULLED"
    world.call("rep_a", "PUT", f"/institutions/inst-a/records/{record_id}",
               {"kind": "ACHIEVEMENT", "person_id": PUPIL, "source_id": "ba-1", "title": "Padėka už darbą",
                "start_date": "2025-07-01", "version": 2})
    assert run(clock) == {}  # no longer a qualification, and was not one before this change


def test_a_version_whose_write_did_not_complete_is_not_sent(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain.records import validate_record
    from chalicelib.services.journal import Actor
    from chalicelib.services.records import Writer, record_items

    monkeypatch.setenv("DAKPR_MAX_ATTEMPTS", "2")
    items = record_items(validate_record(QUALIFICATION | {"source_id": "half"}), PUPIL,
                         Writer("inst-a", Actor("test", "representative", "inst-a", "Mokykla A")), number=1,
                         now=clock())
    items.version.save()  # a bulk write stopped before the head: the record is not complete
    assert drain(clock, 2) == [{"retried": 1}, {"dead": 1}]
    assert got(dakpr)["requests"] == 0
    assert version_of(record_id_for("inst-a", "half"), 1).dakpr_last_error == "record.incomplete"


def test_a_bulk_uploaded_qualification_is_delivered(world: World, dakpr: FakeDakpr, clock: Clock) -> None:
    import boto3

    from chalicelib.config import settings
    from chalicelib.handlers.uploads import ingest_upload
    from tests.ingest.test_ingest import csv_file, sqs_event

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=settings().uploads_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    started = world.call("rep_a", "POST", "/institutions/inst-a/uploads", {"file_name": "atestatai.csv"}).json_body
    header = "kind;asmens_kodas;source_id;document_type;document_series;document_number;issue_date"
    rows = [f"QUALIFICATION;{PUPIL};up-{n};Brandos atestatas;BA;200000{n};2025-07-01" for n in range(3)]
    s3.put_object(Bucket=settings().uploads_bucket, Key=started["fields"]["key"], Body=csv_file(*rows, header=header))
    ingest_upload(sqs_event(started["fields"]["key"]), None)
    assert run(clock) == {"delivered": 3}
    assert {d["record_id"] for d in got(dakpr)["documents"].values()} == {
        record_id_for("inst-a", f"up-{n}") for n in range(3)}


def test_without_dakpr_configured_the_outbox_waits(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAKPR_URL", raising=False)
    record_id = submit(world)
    assert invoke_schedule(world) == {}
    assert version_of(record_id, 1).dakpr_queue == "PENDING"


def test_the_operators_command_line(
    world: World, dakpr: FakeDakpr, clock: Clock, *, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Any,
) -> None:
    from chalicelib import observability
    from chalicelib.auth import devtoken

    monkeypatch.setitem(observability._streams, "name", "stdout")

    monkeypatch.setattr(devtoken, "STATE_FILE", tmp_path / "no-dev-stack.json")
    monkeypatch.setenv("DAKPR_MAX_ATTEMPTS", "1")
    record_id = submit(world)
    dakpr.state.configure({"always": True})
    assert run(clock) == {"dead": 1}
    capsys.readouterr()
    assert transfer.main(["list"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["delivery_id"] for e in listed] == [f"{record_id}.1"]
    assert transfer.main(["replay", "nothing.1"]) == 1
    dakpr.state.configure({})
    assert transfer.main(["replay-all"]) == 0
    capsys.readouterr()
    assert transfer.main(["run"]) == 0
    assert json.loads(capsys.readouterr().out) == {"delivered": 1}
    assert [e.action for e in JournalEvent.query(PUPIL)].count("TRANSFER") == 1


def test_the_http_client_sorts_failures(dakpr: FakeDakpr, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.dakpr import DakprError, HttpDakprClient
    from devstack.__main__ import free_port

    with pytest.raises(DakprError) as unreachable:
        HttpDakprClient(f"http://127.0.0.1:{free_port()}", 2).register({}, "k.1")
    assert (unreachable.value.code, unreachable.value.retryable) == ("dakpr.unreachable", True)
    with pytest.raises(DakprError) as missing:  # the fake's 404 for an unknown path: not worth retrying
        HttpDakprClient(f"{dakpr.url}/elsewhere", 2).register({}, "k.1")
    assert (missing.value.code, missing.value.retryable) == ("dakpr.http_404.not_found", False)
    assert HttpDakprClient(dakpr.url, 2).register({"record_id": "R1"}, "k.1").startswith("DAKPR-")
    # Personal data leaves over TLS only, outside the local stack.
    monkeypatch.setenv("REGISTER_STAGE", "prod")
    with pytest.raises(RuntimeError, match="https"):
        client_from_settings()


def test_an_unexpected_error_is_one_versions_failed_attempt_not_the_runs(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = submit(world, QUALIFICATION | {"source_id": "broken"})
    fine = submit(world, QUALIFICATION | {"source_id": "fine", "document_number": "7777777"})
    real_payload = transfer._payload

    def payload(version: RecordVersion, issuers: dict[str, Any]) -> dict[str, Any]:
        if version.record_id == broken:
            raise KeyError("a malformed item")
        return real_payload(version, issuers)

    monkeypatch.setattr(transfer, "_payload", payload)
    monkeypatch.setenv("DAKPR_MAX_ATTEMPTS", "2")
    assert sorted(drain(clock, 2)[0].items()) == [("delivered", 1), ("retried", 1)]
    assert version_of(broken, 1).dakpr_state == "DEAD"
    assert version_of(broken, 1).dakpr_last_error == "transfer.KeyError"
    assert version_of(fine, 1).dakpr_state == "DELIVERED"


def test_a_run_reads_each_institution_once(
    world: World, dakpr: FakeDakpr, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        submit(world, QUALIFICATION | {"source_id": f"ba-{n}", "document_number": f"300000{n}"})
    from chalicelib.models.institutions import institution_profile as real_profile

    reads: list[str] = []

    def counted(institution_id: str) -> Any:
        reads.append(institution_id)
        return real_profile(institution_id)

    monkeypatch.setattr("chalicelib.services.transfer.institution_profile", counted)
    assert run(clock) == {"delivered": 4}
    assert reads == ["inst-a"]
    assert {d["issuer"]["name"] for d in got(dakpr)["documents"].values()} == {"Mokykla A"}
