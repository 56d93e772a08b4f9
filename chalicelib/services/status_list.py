"""Status lists of transcripts (W3C Bitstring Status List v1.0): a transcript whose records were
annulled or changed since it was issued is withdrawn, and its bit in a public, signed list is set,
so a verifier without the register's API can see it too.

Allocation. Lists are numbered; one list at a time (the `OpenList` pointer) takes new transcripts.
A transcript gets a random free index among the list's 131,072 (`secrets.randbelow`): the index
says nothing about who or when within the list. Taking the index, counting the transcript and its
record references on the list, and storing which record versions it states is one transaction,
conditional on the list having room (at most `MAX_TRANSCRIPTS_PER_LIST` transcripts and
`MAX_RECORD_REFS_PER_LIST` record references) and on the index being free. A full list moves the
pointer on (conditionally: two issuers racing open one list, not two).

Keeping it current. Validity is derived from what is stored, never from the write path: a
transcript is withdrawn when one of its records' heads is annulled, gone, or at another version.
A list is recomputed when asked for and its last computation is older than `MAX_AGE_SECONDS`:
one Query of the list's transcripts, the heads of their records not yet found withdrawn
(BatchGetItem, 100 a call: at most `MAX_RECORD_REFS_PER_LIST / 100` calls), one signature, one
write. One request at a time recomputes (a lease of `LEASE_SECONDS`); others meanwhile get the
previous list. So a served list is at most `MAX_AGE_SECONDS + LEASE_SECONDS` old, and
`POST /transcripts/verify` reads the heads at once (no delay at all).
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import NamedTuple

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain import problems as P
from chalicelib.domain.status_list import LIST_BITS, Head, encode, withdrawn_records
from chalicelib.errors import Problem
from chalicelib.models.base import condition_failed, transaction
from chalicelib.models.records import ACTIVE, RecordHead, record_heads
from chalicelib.models.transcripts import (
    LIST_ITEM,
    POINTER_ITEM,
    POINTER_PARTITION,
    IssuedTranscript,
    OpenList,
    StatusList,
    TranscriptsItem,
    entry_item,
    issued_transcripts,
    open_list_number,
    status_list,
)
from chalicelib.services.credentials import sign_credential, status_list_url

MAX_TRANSCRIPTS_PER_LIST = 1024
MAX_RECORD_REFS_PER_LIST = 10_000
MAX_RECORDS_PER_TRANSCRIPT = 1_000  # so that any transcript fits in an empty list
MAX_AGE_SECONDS = 300
LEASE_SECONDS = 60
# How long a verifier may rely on a list it fetched (its `exp`); it should fetch again after `ttl`.
VALIDITY_SECONDS = 24 * 3600
ALLOCATION_ATTEMPTS = 8
LIST_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
NOT_FOUND = Problem(P.transcript.status_list_not_found)


class StatusEntry(NamedTuple):
    list_id: str
    status_index: int

    def as_credential_status(self) -> dict[str, str]:
        """The transcript's `credentialStatus` (a `BitstringStatusListEntry`)."""
        url = status_list_url(self.list_id)
        return {"id": f"{url}#{self.status_index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                "statusListIndex": str(self.status_index), "statusListCredential": url}


def allocate(record_versions: dict[str, int]) -> StatusEntry:
    """A free random index in the open list, with the transcript's record versions stored."""
    refs = len(record_versions)
    if refs > MAX_RECORDS_PER_TRANSCRIPT:
        raise Problem(P.transcript.too_large, f"A transcript holds at most {MAX_RECORDS_PER_TRANSCRIPT} "
                      "records; ask the register's support for yours.")
    number = open_list_number() or _open_first_list()
    issued_at = datetime.now(UTC)
    for _ in range(ALLOCATION_ATTEMPTS):
        entry = StatusEntry(str(number), secrets.randbelow(LIST_BITS))
        try:
            with transaction(TranscriptsItem) as tx:
                tx.update(StatusList(entry.list_id, LIST_ITEM),
                          actions=[StatusList.transcripts.add(1), StatusList.record_refs.add(refs)],
                          condition=StatusList.list_id.exists()
                          & (StatusList.transcripts < MAX_TRANSCRIPTS_PER_LIST)
                          & (StatusList.record_refs <= MAX_RECORD_REFS_PER_LIST - refs))
                tx.save(IssuedTranscript(entry.list_id, entry_item(entry.status_index), index=entry.status_index,
                                         record_versions=record_versions, issued_at=issued_at),
                        condition=IssuedTranscript.list_id.does_not_exist())
            return entry
        except TransactWriteError as exc:
            # PynamoDB sends puts before updates: the entry's reason first, then the list's.
            codes = [reason.code if reason else None for reason in exc.cancellation_reasons]
            if len(codes) != 2:
                raise
            if codes[1] == "ConditionalCheckFailed":  # the list is full (or not there yet): the next one
                number = _next_list(number)
            # Otherwise the index was taken, or a racing write conflicted: draw again.
    raise Problem(P.transcript.status_unavailable)


def _open_first_list() -> int:
    _create_list(1)
    try:
        OpenList(POINTER_PARTITION, POINTER_ITEM, number=1).save(condition=OpenList.list_id.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
    return open_list_number() or 1


def _next_list(full: int) -> int:
    """The list after `full`, once the pointer has moved there (by us or by a racing issuer)."""
    current = status_list(str(full))
    if current is None:  # the pointer moved here before the list was written
        _create_list(full)
        return full
    try:
        OpenList(POINTER_PARTITION, POINTER_ITEM).update(actions=[OpenList.number.set(full + 1)],
                                                         condition=OpenList.number == full)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    number = open_list_number() or full + 1
    _create_list(number)
    return number


def _create_list(number: int) -> None:
    try:
        StatusList(str(number), LIST_ITEM, created_at=datetime.now(UTC)).save(
            condition=StatusList.list_id.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise


def current_heads(record_ids: list[str]) -> dict[str, Head]:
    """Version and status of each record now (BatchGetItem, 100 a call)."""
    return {rid: as_head(head) for rid, head in record_heads(record_ids).items()}


def as_head(head: RecordHead) -> Head:
    return Head(int(head.version_number), head.status == ACTIVE)


def signed_list(list_id: str) -> tuple[str, int]:
    """The list's signed credential and for how many more seconds it may be cached."""
    if not LIST_NUMBER.fullmatch(list_id):
        raise NOT_FOUND
    stored = status_list(list_id)
    if stored is None:
        raise NOT_FOUND
    now = int(time.time())
    age = now - int(stored.computed_at or 0)
    if stored.credential and age < MAX_AGE_SECONDS:
        return stored.credential, MAX_AGE_SECONDS - age
    if not _lease(stored, now) and stored.credential:
        return stored.credential, 0  # someone is recomputing it: the previous list, not to be cached
    return _recompute(stored, now), MAX_AGE_SECONDS


def _lease(stored: StatusList, now: int) -> bool:
    try:
        stored.update(actions=[StatusList.refreshing_until.set(now + LEASE_SECONDS)],
                      condition=StatusList.refreshing_until.does_not_exist() | (StatusList.refreshing_until < now))
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def _recompute(stored: StatusList, now: int) -> str:
    known = {int(i) for i in stored.withdrawn or ()}
    pending = [t for t in issued_transcripts(stored.list_id) if int(t.index) not in known]
    heads = current_heads(sorted({rid for t in pending for rid in t.record_versions}))
    found = {int(t.index) for t in pending if withdrawn_records(t.record_versions, heads)}
    url = status_list_url(stored.list_id)
    credential = sign_credential(
        "BitstringStatusListCredential",
        {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
         "encodedList": encode(known | found), "ttl": MAX_AGE_SECONDS * 1000},
        now, jti=url, expires=now + VALIDITY_SECONDS)
    actions: list[Action] = [StatusList.credential.set(credential), StatusList.computed_at.set(now),
               StatusList.refreshing_until.remove()]
    if found:
        actions.append(StatusList.withdrawn.add(found))
    try:
        # A slower, older recomputation must not overwrite a newer one.
        stored.update(actions=actions, condition=StatusList.computed_at.does_not_exist()
                      | (StatusList.computed_at < now))
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
    return credential
