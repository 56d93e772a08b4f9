"""The rules of passing qualifications to DAKPR (the diploma register), without AWS.

Every version of a record that is, or was until this change, a `QUALIFICATION` is one delivery.
Its idempotency key is `<record_id>.<version>`: DAKPR answers a repeated key with the
registration it already made, so a delivery retried after a lost answer registers nothing twice.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

QUALIFICATION = "QUALIFICATION"


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # waiting for its (next) attempt
    DELIVERED = "DELIVERED"  # DAKPR answered with a registration number
    DEAD = "DEAD"  # gave up: the dead-letter place, until an operator replays it
    SUPERSEDED = "SUPERSEDED"  # a later version of the record reached DAKPR first: this one never will


class Step(StrEnum):
    SEND = "SEND"
    WAIT = "WAIT"  # an earlier version of the same record goes first
    INCOMPLETE = "INCOMPLETE"  # the version's write has not completed (yet): retried, then dead
    SUPERSEDED = "SUPERSEDED"


def is_transferred(kind: str, previous_kind: str | None) -> bool:
    """A version goes to DAKPR when the record is a qualification, or stopped being one with this
    change (DAKPR must then hear that the document no longer stands)."""
    return QUALIFICATION in (kind, previous_kind)


def delivery_id(record_id: str, version: int) -> str:
    return f"{record_id}.{version}"


def parse_delivery_id(value: str) -> tuple[str, int] | None:
    record_id, dot, version = value.rpartition(".")
    if not dot or not record_id or len(value) > 80 or not version.isdigit() or not version.isascii():
        return None
    number = int(version)
    return (record_id, number) if 0 < number < 10**9 else None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter, capped; after `max_attempts` the delivery is dead."""

    base_seconds: float = 60.0
    cap_seconds: float = 6 * 3600.0
    max_attempts: int = 10

    def delay(self, attempts: int, rand: float | None = None) -> timedelta:
        """Wait after the `attempts`-th failed attempt: base·2^(n-1), ±20 % jitter, at most the cap."""
        jitter = 0.8 + 0.4 * (random.random() if rand is None else rand)  # noqa: S311 - not a secret
        seconds = min(self.base_seconds * 2 ** max(attempts - 1, 0), self.cap_seconds) * jitter
        return timedelta(seconds=seconds)

    def next_attempt(self, attempts: int, now: datetime, rand: float | None = None) -> datetime | None:
        """When to try again after `attempts` failed attempts; None: give up (dead letter)."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts, rand)


def next_step(version: int, head_version: int | None, states: Mapping[int, str | None]) -> Step:
    """What to do with version `version` of a record, given the record's head version (None: no
    head yet) and the DAKPR state of each of its versions.

    Versions reach DAKPR in order: a version waits while an earlier one is still pending (a dead
    earlier one does not block it). A version is superseded when a later one was delivered, so a
    replayed old version never overwrites newer data. A version the head does not reach yet was
    not completely written (a bulk write interrupted between its items): incomplete, retried.
    """
    if head_version is None or head_version < version:
        return Step.INCOMPLETE
    if any(v > version and state == DeliveryState.DELIVERED for v, state in states.items()):
        return Step.SUPERSEDED
    if any(v < version and state == DeliveryState.PENDING for v, state in states.items()):
        return Step.WAIT
    return Step.SEND


DOCUMENT_FIELDS = ("document_type", "document_series", "document_number", "issue_date", "programme", "title")


@dataclass(frozen=True)
class Holder:
    person_id: str
    given_name: str
    family_name: str
    birth_date: str | None


@dataclass(frozen=True)
class Issuer:
    institution_id: str
    name: str
    legal_entity_code: str | None


def delivery_payload(
    record_id: str, version: int, snapshot: dict[str, Any], holder: Holder, issuer: Issuer
) -> dict[str, Any]:
    """What DAKPR receives for one version: the document, its holder and issuer, and whether the
    document stands (`VALID`) or not (`ANNULLED`: annulled, or no longer a qualification)."""
    standing = snapshot.get("kind") == QUALIFICATION and snapshot.get("status", "ACTIVE") != "ANNULLED"
    payload: dict[str, Any] = {
        "idempotency_key": delivery_id(record_id, version),
        "record_id": record_id,
        "version": version,
        "status": "VALID" if standing else "ANNULLED",
        "holder": {"person_id": holder.person_id, "given_name": holder.given_name,
                   "family_name": holder.family_name, "birth_date": holder.birth_date},
        "issuer": {"institution_id": issuer.institution_id, "name": issuer.name,
                   "legal_entity_code": issuer.legal_entity_code},
        "document": {field: snapshot.get(field) for field in DOCUMENT_FIELDS},
    }
    if not standing:
        payload["annul_reason"] = snapshot.get("annul_reason") or "no longer a qualification"
    return payload
