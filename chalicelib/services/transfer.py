"""`transfer_qualifications`: drains the DAKPR outbox (the `dakpr_outbox` index over record versions,
see models/records.py), one version at a time, each delivered once in effect:

1. claim: a conditional update moves the version's due time a lease ahead and counts the attempt,
   so two runs never send the same version at once, and a run that dies mid-way leaves a version
   that becomes due again when the lease ends (as SQS's visibility timeout does);
2. decide (domain/transfer.py): versions of one record go in order; a later delivered version
   supersedes an earlier one; a version whose write is incomplete is not sent;
3. send with the idempotency key `<record_id>.<version>`: a lost answer is retried with the same
   key, and DAKPR answers it with the registration it already made;
4. settle: delivered → the registration number on the version and the record and a TRANSFER entry
   in the person's journal, in one transaction; failed → due again after exponential back-off, or
   after the last attempt (or a refusal DAKPR would repeat) dead: the `DEAD` side of the index,
   which operators list and replay (`GET/POST /admin/dakpr/...` or `python -m chalicelib.services.transfer`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.dakpr import DakprClient, DakprError
from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.transfer import (
    DeliveryState,
    Holder,
    Issuer,
    RetryPolicy,
    Step,
    delivery_id,
    delivery_payload,
    next_step,
    parse_delivery_id,
)
from chalicelib.errors import Problem
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.institutions import institution_profile
from chalicelib.models.persons import Person
from chalicelib.models.records import (
    Record,
    RecordHead,
    RecordsItem,
    RecordVersion,
    due_key,
    version_key,
    version_partition,
)
from chalicelib.services.access import require
from chalicelib.services.journal import TRANSFER, Actor, new_event
from chalicelib.services.paging import next_cursor, start_key

PENDING, DEAD = DeliveryState.PENDING.value, DeliveryState.DEAD.value
SYSTEM = Actor("dakpr-transfer", "system")
# Longer than one DAKPR call may take (its timeout) with room to settle the result.
LEASE = timedelta(minutes=2)
# A version waiting for an earlier one looks again this much later (without spending an attempt).
WAIT_AGAIN = timedelta(seconds=30)
# Stop taking new versions when the function has less time left than one could take: a DAKPR
# call (its timeout) and the writes around it.
WRITES_SECONDS = 5.0


def retry_policy() -> RetryPolicy:
    config = settings()
    return RetryPolicy(config.dakpr_retry_base_seconds, config.dakpr_retry_cap_seconds, config.dakpr_max_attempts)


def run_transfers(
    client: DakprClient, *, now: Callable[[], datetime] | None = None, limit: int = 200,
    seconds_left: Callable[[], float] | None = None,
) -> dict[str, int]:
    """Deliver the versions due now (at most `limit`); counts of what happened to them."""
    clock = now or (lambda: datetime.now(UTC))
    retries = retry_policy()
    margin = settings().dakpr_timeout_seconds + WRITES_SECONDS
    counts: Counter[str] = Counter()
    issuers: dict[str, Issuer] = {}  # one profile read per institution per run, not per version
    due = RecordsItem.dakpr_outbox.query(PENDING, RecordsItem.dakpr_due <= due_key(clock()), limit=limit)
    for item in due:
        if seconds_left is not None and seconds_left() < margin:
            break  # the next scheduled run continues; nothing claimed is left behind
        if isinstance(item, RecordVersion):
            counts[_guarded(item, client, clock(), retries, issuers)] += 1
    if counts:
        observability.log("dakpr_transfer_run", **counts)
        observability.metric("DakprDelivered", counts.get("delivered", 0))
        observability.metric("DakprDeadLetters", counts.get("dead", 0))
    return dict(counts)


def _guarded(
    version: RecordVersion, client: DakprClient, now: datetime, retries: RetryPolicy, issuers: dict[str, Issuer]
) -> str:
    """One version; an unexpected error (a throttled read, a malformed item) counts as a failed
    attempt of that version alone: it is retried and in the end dead-lettered, and the versions
    behind it in the run go on."""
    try:
        return _transfer(version, client, now, retries, issuers)
    except Exception as exc:
        observability.log_exception("dakpr_transfer_error", exc, delivery_id=delivery_id(
            version.record_id, int(version.version_number)))
        try:
            unexpected = DakprError(P.transfer.exception.of(type(exc).__name__), retryable=True)
            return _failed(version, unexpected, now, retries)
        except Exception:  # DynamoDB itself is failing: the lease expires and the next run retries
            return "error"


def _transfer(
    version: RecordVersion, client: DakprClient, now: datetime, retries: RetryPolicy, issuers: dict[str, Issuer]
) -> str:
    if not _claim(version, now):
        return "skipped"  # another run has it, or it changed since the index was read
    record_id, number = version.record_id, int(version.version_number)
    items = list(RecordsItem.query(version_partition(record_id), consistent_read=True))
    head = next((i for i in items if isinstance(i, RecordHead)), None)
    states = {int(i.version_number): i.dakpr_state for i in items if isinstance(i, RecordVersion)}
    step = next_step(number, int(head.version_number) if head else None, states)
    if step is Step.SUPERSEDED:
        _settle(version, [RecordVersion.dakpr_state.set(DeliveryState.SUPERSEDED.value),
                          RecordVersion.dakpr_queue.remove(), RecordVersion.dakpr_due.remove()])
        return "superseded"
    if step is Step.WAIT:
        # Not an attempt: the earlier version's own retries decide how long this takes.
        _settle(version, [RecordVersion.dakpr_due.set(due_key(now + WAIT_AGAIN)), RecordVersion.dakpr_attempts.add(-1)])
        return "waiting"
    if step is Step.INCOMPLETE:
        return _failed(version, DakprError(P.record.incomplete, retryable=True), now, retries)
    assert head is not None
    return _send(version, head, client, now, retries=retries, issuers=issuers)


def _send(
    version: RecordVersion, head: RecordHead, client: DakprClient, now: datetime, *, retries: RetryPolicy,
    issuers: dict[str, Issuer],
) -> str:
    try:
        payload = _frozen_payload(version, issuers)
        if payload is None:
            return "skipped"  # the lease ran out meanwhile: the run that took over delivers it
        registration = client.register(payload, delivery_id(version.record_id, int(version.version_number)))
    except DakprError as error:
        return _failed(version, error, now, retries)
    return _delivered(version, head, registration, payload["status"], now)


def _as_read(version: RecordVersion) -> Any:
    """Pending with the due time last read (after a claim: the lease ours): the condition of every
    write to an outbox entry, so two runs never both act on it."""
    return (RecordVersion.dakpr_queue == PENDING) & (RecordVersion.dakpr_due == version.dakpr_due)


def _claim(version: RecordVersion, now: datetime) -> bool:
    try:
        version.update(actions=[RecordVersion.dakpr_due.set(due_key(now + LEASE)),
                                RecordVersion.dakpr_attempts.add(1)], condition=_as_read(version))
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _settle(version: RecordVersion, actions: list[Any]) -> bool:
    """Apply the outcome if the claim is still ours (a run that outlived its lease must not
    overwrite the outcome of the run that took over)."""
    try:
        version.update(actions=actions, condition=_as_read(version))
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _frozen_payload(version: RecordVersion, issuers: dict[str, Issuer]) -> dict[str, Any] | None:
    """The document under this version's key: built once, stored on the version (while the claim is
    ours) and sent again as it is on every retry, so one key never stands for two contents."""
    if version.dakpr_payload is not None:
        return dict(version.dakpr_payload)
    payload = _payload(version, issuers)
    return payload if _settle(version, [RecordVersion.dakpr_payload.set(payload)]) else None


def _payload(version: RecordVersion, issuers: dict[str, Issuer]) -> dict[str, Any]:
    try:
        person = Person.get(version.owner_person_id)
    except Person.DoesNotExist:
        raise DakprError(P.record.person_missing, retryable=True) from None
    holder = Holder(person.person_id, person.given_name, person.family_name, person.birth_date)
    return delivery_payload(version.record_id, int(version.version_number), dict(version.snapshot), holder,
                            _issuer(version.submitting_institution, issuers))


def _issuer(institution_id: str, issuers: dict[str, Issuer]) -> Issuer:
    if institution_id not in issuers:
        profile = institution_profile(institution_id)
        issuers[institution_id] = Issuer(institution_id, profile.name if profile else institution_id,
                                         profile.legal_entity_code if profile else None)
    return issuers[institution_id]


def _failed(version: RecordVersion, error: DakprError, now: datetime, retries: RetryPolicy) -> str:
    attempts = int(version.dakpr_attempts or 0)
    again = retries.next_attempt(attempts, now) if error.retryable else None
    if again is None:
        actions = [RecordVersion.dakpr_queue.set(DEAD), RecordVersion.dakpr_state.set(DEAD),
                   RecordVersion.dakpr_due.set(due_key(now)), RecordVersion.dakpr_last_error.set(error.code)]
    else:
        actions = [RecordVersion.dakpr_due.set(due_key(again)), RecordVersion.dakpr_last_error.set(error.code)]
    if not _settle(version, actions):
        return "skipped"
    # The delivery id is an opaque hash: nothing here names the person.
    observability.log("dakpr_delivery_failed", "WARNING", delivery_id=delivery_id(
        version.record_id, int(version.version_number)), code=error.code, attempts=attempts, dead=again is None)
    return "dead" if again is None else "retried"


def _delivered(version: RecordVersion, head: RecordHead, registration: str, status: str, now: datetime) -> str:
    """Store DAKPR's answer: on the version (leaving the outbox), on the record, and in the
    person's journal (passing data to another register is a disclosure they may see), at once."""
    record = Record(head.owner_person_id, head.owner_record_key)
    try:
        with transaction(Record) as tx:
            tx.update(version, actions=[
                RecordVersion.dakpr_state.set(DeliveryState.DELIVERED.value), RecordVersion.dakpr_queue.remove(),
                RecordVersion.dakpr_due.remove(), RecordVersion.dakpr_registration_number.set(registration),
                RecordVersion.dakpr_delivered_at.set(now), RecordVersion.dakpr_last_error.remove(),
            ], condition=_as_read(version))
            tx.update(record, actions=[Record.dakpr_registration_number.set(registration)],
                      condition=Record.record_id == version.record_id)
            tx.save(new_event(version.owner_person_id, TRANSFER, SYSTEM, purpose="DAKPR",
                              record_id=version.record_id,
                              after={"registration_number": registration, "status": status,
                                     "version": int(version.version_number)}))
    except TransactWriteError:
        # The claim was lost or the record moved meanwhile: the version stays claimed, becomes due
        # when the lease ends and is sent again with the same key; DAKPR answers with this number.
        observability.log("dakpr_delivery_unsettled", "WARNING", delivery_id=delivery_id(
            version.record_id, int(version.version_number)))
        return "unsettled"
    return "delivered"


# --- the dead-letter place -------------------------------------------------------------------


def dead_letters(cursor: str | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], str | None]:
    """Versions given up on, oldest first: what an operator needs to decide, nothing personal."""
    scope = "dakpr:dead"
    result = RecordsItem.dakpr_outbox.query(DEAD, limit=limit, last_evaluated_key=start_key(cursor, scope))
    entries = [_dead_entry(item) for item in result if isinstance(item, RecordVersion)]
    return entries, next_cursor(result.last_evaluated_key, scope)


def _dead_entry(version: RecordVersion) -> dict[str, Any]:
    return {"delivery_id": delivery_id(version.record_id, int(version.version_number)),
            "record_id": version.record_id, "version": int(version.version_number),
            "institution_id": version.submitting_institution, "attempts": int(version.dakpr_attempts or 0),
            "last_error": version.dakpr_last_error, "dead_since": version.dakpr_due}


def replay(value: str, now: datetime | None = None) -> dict[str, Any]:
    """Put a dead delivery back in the outbox, due at once, with a fresh count of attempts."""
    parsed = parse_delivery_id(value)
    not_found = Problem(P.transfer.not_found)
    if parsed is None:
        raise not_found
    record_id, number = parsed
    version = RecordVersion(version_partition(record_id), version_key(number))
    try:
        version.update(actions=[
            RecordVersion.dakpr_queue.set(PENDING), RecordVersion.dakpr_state.set(PENDING),
            RecordVersion.dakpr_due.set(due_key(now or datetime.now(UTC))), RecordVersion.dakpr_attempts.set(0),
        ], condition=RecordVersion.dakpr_queue == DEAD)
    except UpdateError as exc:
        if condition_failed(exc):
            raise not_found from None
        raise
    observability.log("dakpr_delivery_replayed", delivery_id=value)
    return {"delivery_id": value, "state": PENDING}


def dead_letters_for(caller: CallerFacts, cursor: str | None, limit: int) -> dict[str, Any]:
    require(policy.administer(caller))
    entries, more = dead_letters(cursor, limit)
    return {"dead_letters": entries, "next_cursor": more}


def replay_for(caller: CallerFacts, value: str) -> dict[str, Any]:
    require(policy.administer(caller))
    return replay(value)


def main(argv: list[str] | None = None) -> int:
    """Operators' command line, with the stage's AWS credentials and environment:
    `list` the dead letters, `replay ID...`, `replay-all`, or `run` one transfer now."""
    import argparse

    from chalicelib.dakpr import client_from_settings

    parser = argparse.ArgumentParser(prog="python -m chalicelib.services.transfer", description=main.__doc__)
    parser.add_argument("command", choices=("list", "replay", "replay-all", "run"))
    parser.add_argument("ids", nargs="*", help="delivery ids (replay)")
    args = parser.parse_args(argv)
    observability.log_to_stderr()
    _local_stack_environment()
    if args.command == "list":
        cursor: str | None = None
        while True:
            entries, cursor = dead_letters(cursor, 100)
            for entry in entries:
                print(json.dumps(entry))
            if not cursor:
                return 0
    if args.command in ("replay", "replay-all"):
        ids = args.ids if args.command == "replay" else [e["delivery_id"] for e in _all_dead()]
        failed = 0
        for value in ids:
            try:
                print(json.dumps(replay(value)))
            except Problem as problem:
                failed += 1
                print(json.dumps({"delivery_id": value, "error": problem.code}))
        return 1 if failed else 0
    client = client_from_settings()
    if client is None:
        print("DAKPR_URL is not set", flush=True)
        return 2
    print(json.dumps(run_transfers(client)))
    return 0


def _local_stack_environment() -> None:
    """On a developer's machine, find the running `make dev` stack as `devtoken` does (never when
    the shell names another stage or endpoint)."""
    import os

    from chalicelib.auth.devtoken import STATE_FILE
    from chalicelib.config import LOCAL_STAGES

    if (os.environ.get("REGISTER_STAGE", "local") in LOCAL_STAGES and "AWS_ENDPOINT_URL" not in os.environ
            and STATE_FILE.exists()):
        os.environ.update(json.loads(STATE_FILE.read_text()))


def _all_dead() -> list[dict[str, Any]]:
    entries, cursor = dead_letters(None, 100)
    while cursor:
        more, cursor = dead_letters(cursor, 100)
        entries += more
    return entries


if __name__ == "__main__":
    import sys

    sys.exit(main())
