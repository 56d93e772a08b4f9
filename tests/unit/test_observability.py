"""Structured log lines and EMF metrics (chalicelib/observability.py)."""

from __future__ import annotations

import json

import pytest

from chalicelib import observability


def lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def test_a_line_is_json_with_the_correlation_id_and_no_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    with observability.correlated("req-1"):
        observability.log("something", upload_id="u1", person_id="39001010000", given_name="Ona",
                          note="code 39001010000 in a message", nested={"family_name": "X", "count": 3},
                          codes=["49001010000", 7])
    observability.log("outside")
    first, second = lines(capsys.readouterr().out)
    assert first["event"] == "something" and first["correlation_id"] == "req-1" and first["level"] == "INFO"
    assert first["upload_id"] == "u1" and first["nested"] == {"count": 3}
    assert "person_id" not in first and "given_name" not in first
    assert first["note"] == "code [masked] in a message" and first["codes"] == ["[masked]", 7]
    assert second["correlation_id"] is None


def test_an_exception_is_logged_by_type_and_place_never_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("pupil Ona Onaitė 39001010000")
    except ValueError as exc:
        observability.log_exception("failed", exc)
    (line,) = lines(capsys.readouterr().out)
    assert line["level"] == "ERROR" and line["error"] == "ValueError"
    assert str(line["at"]).startswith("test_observability.py:")
    assert "Onaitė" not in json.dumps(line) and "39001010000" not in json.dumps(line)


def test_metrics_are_embedded_metric_format(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTER_STAGE", "prod")
    observability.metric("UploadsProcessed", status="DONE")
    observability.metric("RowsRejected", 12)
    done, rejected = lines(capsys.readouterr().out)
    aws = done["_aws"]
    assert isinstance(aws, dict)
    (directive,) = aws["CloudWatchMetrics"]
    assert directive == {"Namespace": "MokiniuRegistras", "Dimensions": [["stage", "status"]],
                         "Metrics": [{"Name": "UploadsProcessed", "Unit": "Count"}]}
    assert (done["stage"], done["status"], done["UploadsProcessed"]) == ("prod", "DONE", 1)
    assert rejected["RowsRejected"] == 12


def test_the_level_is_configurable(capsys: pytest.CaptureFixture[str]) -> None:
    logger = observability._logger()
    previous = logger.level
    logger.setLevel("WARNING")
    try:
        observability.log("quiet")
        observability.log("loud", "WARNING")
    finally:
        logger.setLevel(previous)
    assert [line["event"] for line in lines(capsys.readouterr().out)] == ["loud"]
