"""What a request leaves in the logs: JSON lines, one correlation id, no personal data."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import PEOPLE, World, record_body


def test_a_refused_request_logs_its_code_and_correlation_id_and_counts_a_denial(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    refused = world.call("rep_a", "POST", "/institutions/inst-b/records", record_body("pupil_b"))
    assert refused.status_code == 403
    read = world.call("rep_a", "GET", f"/persons/{PEOPLE['pupil_a']}/history?purpose=test")
    assert read.status_code == 200
    output = capsys.readouterr().out
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert records and all("time" in r or "_aws" in r for r in records)
    problem = next(r for r in records if r.get("event") == "problem")
    assert problem["correlation_id"] == refused.json_body["correlation_id"]
    assert problem["code"] == refused.json_body["code"]
    assert any(r.get("Denials") == 1 for r in records)
    for code in PEOPLE.values():
        assert code not in output  # neither the caller's nor the pupil's personal code


def test_an_upload_and_a_transfer_are_counted(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.transfer.test_transfer import QUALIFICATION

    created = world.call("rep_a", "POST", "/institutions/inst-a/records", QUALIFICATION)
    assert created.status_code == 201
    from chalicelib.services.transfer import run_transfers

    class Refusing:
        def register(self, delivery: dict[str, object], idempotency_key: str) -> str:
            from chalicelib.dakpr import DakprError

            raise DakprError("dakpr.http_422.document_number_invalid", retryable=False)

    capsys.readouterr()
    assert run_transfers(Refusing()) == {"dead": 1}
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(r.get("DakprDeadLetters") == 1 for r in records)
    failed = next(r for r in records if r.get("event") == "dakpr_delivery_failed")
    assert failed["code"] == "dakpr.http_422.document_number_invalid" and failed["dead"] is True
    assert PEOPLE["pupil_a"] not in json.dumps(records)
