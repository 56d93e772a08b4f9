"""The DAKPR transfer's rules, without AWS (chalicelib/domain/transfer.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.transfer import (
    Holder,
    Issuer,
    RetryPolicy,
    Step,
    delivery_id,
    delivery_payload,
    is_transferred,
    next_step,
    parse_delivery_id,
)

NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)


def test_which_versions_go_to_dakpr() -> None:
    assert is_transferred("QUALIFICATION", None)
    assert is_transferred("QUALIFICATION", "EXAM")
    assert is_transferred("ACHIEVEMENT", "QUALIFICATION")  # it stopped being one: DAKPR must hear
    assert not is_transferred("EXAM", None)
    assert not is_transferred("EXAM", "ACHIEVEMENT")


def test_back_off_doubles_with_jitter_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy(base_seconds=60, cap_seconds=3600, max_attempts=8)
    assert policy.delay(1, rand=0.5) == timedelta(seconds=60)
    assert policy.delay(2, rand=0.5) == timedelta(seconds=120)
    assert policy.delay(3, rand=0.0) == timedelta(seconds=240 * 0.8)
    assert policy.delay(3, rand=1.0) == timedelta(seconds=240 * 1.2)
    assert policy.delay(20, rand=0.5) == timedelta(seconds=3600)
    assert policy.next_attempt(7, NOW, rand=0.5) == NOW + timedelta(seconds=3600)
    assert policy.next_attempt(8, NOW) is None
    randomised = {policy.delay(4) for _ in range(20)}
    assert len(randomised) > 1 and all(timedelta(seconds=384) <= d <= timedelta(seconds=576) for d in randomised)


@pytest.mark.parametrize(("version", "head", "states", "step"), [
    (1, 1, {1: "PENDING"}, Step.SEND),
    (1, None, {1: "PENDING"}, Step.INCOMPLETE),  # no head: the write did not complete
    (2, 1, {1: "DELIVERED", 2: "PENDING"}, Step.INCOMPLETE),
    (2, 2, {1: "PENDING", 2: "PENDING"}, Step.WAIT),  # in order
    (2, 2, {1: "DEAD", 2: "PENDING"}, Step.SEND),  # a dead one does not block
    (2, 3, {1: None, 2: "PENDING", 3: "PENDING"}, Step.SEND),
    (1, 2, {1: "PENDING", 2: "DELIVERED"}, Step.SUPERSEDED),  # a replayed old version
    (2, 3, {2: "PENDING", 3: "SUPERSEDED"}, Step.SEND),
])
def test_the_next_step(version: int, head: int | None, states: dict[int, str | None], step: Step) -> None:
    assert next_step(version, head, states) is step


def test_delivery_ids_round_trip_and_refuse_junk() -> None:
    assert parse_delivery_id(delivery_id("RABC", 12)) == ("RABC", 12)
    for junk in ("", "RABC", "RABC.", ".1", "RABC.0", "RABC.-1", "RABC.1e3", "RABC.١", "R" * 90 + ".1",
                 "RABC." + "9" * 12):
        assert parse_delivery_id(junk) is None, junk


def test_the_payload_says_whether_the_document_stands() -> None:
    holder = Holder("39001010000", "Ona", "Onaitė", "1990-01-01")
    issuer = Issuer("inst-a", "Mokykla A", "211950810")
    snapshot = {"kind": "QUALIFICATION", "document_type": "MATURITY_CERTIFICATE", "document_number": "1",
                "issue_date": "2025-07-01", "notes": "not for DAKPR"}
    valid = delivery_payload("RABC", 1, snapshot, holder, issuer)
    assert (valid["status"], valid["idempotency_key"], "annul_reason" in valid) == ("VALID", "RABC.1", False)
    assert "notes" not in valid["document"] and valid["document"]["document_number"] == "1"
    annulled = delivery_payload("RABC", 2, snapshot | {"status": "ANNULLED", "annul_reason": "klaida"}, holder, issuer)
    assert (annulled["status"], annulled["annul_reason"]) == ("ANNULLED", "klaida")
    withdrawn = delivery_payload("RABC", 3, {"kind": "ACHIEVEMENT", "title": "Padėka"}, holder, issuer)
    assert withdrawn["status"] == "ANNULLED" and withdrawn["annul_reason"] == "no longer a qualification"
