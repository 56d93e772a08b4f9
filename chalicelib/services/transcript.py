"""A learning history anyone can verify: the person's records as a JWS signed with the register's
key (`kid` from the JWKS), shaped as a W3C Verifiable Credential (JWT encoding, VC Data Model 1.1),
with a `credentialStatus` entry in a status list (`services/status_list.py`).

Verification needs only the published JWKS, the status list and a JOSE library (README);
`verify_transcript` is the register's own check behind the public verify route: signed by us,
unchanged, and none of its records annulled or changed since issue. Transcripts are meant to be
kept: a signing key's public half must stay in the JWKS (`PREVIOUS_PUBLIC_JWKS`) as long as its
transcripts should verify (docs/AUTH.md).

The person is named by name and birth date; the personal code is in it only if the holder asks.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from jose import jws
from jose.exceptions import JOSEError

from chalicelib.auth.keys import ALGORITHM, key_ring
from chalicelib.config import token_settings
from chalicelib.domain import problems as P
from chalicelib.domain.status_list import Head, Withdrawn, withdrawn_records
from chalicelib.errors import Problem
from chalicelib.models.records import (
    HEAD_KEY,
    RecordHead,
    RecordsItem,
    RecordVersion,
    full_history,
    version_key,
    version_partition,
)
from chalicelib.services.credentials import sign_credential
from chalicelib.services.history import record_view
from chalicelib.services.status_list import allocate, current_heads

MAX_TRANSCRIPT_LENGTH = 2 * 1024 * 1024
CREDENTIAL_TYPE = "LearningHistoryCredential"


def issue_transcript(person_id: str, *, include_personal_code: bool = False) -> str:
    summary, found = full_history(person_id)  # a transcript is the whole history: every page
    if summary is None:
        raise Problem(P.person.not_found, "The register holds no learning history for you yet.")
    subject: dict[str, Any] = {"id": f"urn:lt:person:{person_id}"} if include_personal_code else {}
    subject |= {"given_name": summary.given_name, "family_name": summary.family_name,
                "birth_date": summary.birth_date}
    # Each record states its version: the transcript is withdrawn once a record is at another one.
    records = [{k: v for k, v in record_view(item).items() if v is not None} for item in found]
    entry = allocate({record["record_id"]: record["version"] for record in records})
    return sign_credential(CREDENTIAL_TYPE, subject | {"records": records}, int(time.time()),
                           jti=f"urn:uuid:{secrets.token_hex(16)}", sub=person_id if include_personal_code else None,
                           status=entry.as_credential_status())


def verify_transcript(transcript: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The transcript's claims if the register signed it and nothing changed (else a 422 saying so),
    and the records it states that have since been annulled or changed (empty: still valid)."""
    claims = _authentic(transcript)
    stated = [r for r in claims["vc"].get("credentialSubject", {}).get("records", []) if isinstance(r, dict)]
    by_id = {str(r.get("record_id")): r for r in stated}
    return claims, [{"record_id": w.record_id, "change": w.change, "record": by_id[w.record_id]}
                    for w in _withdrawn(stated, int(claims["iat"]))]


def _authentic(transcript: str) -> dict[str, Any]:
    if not transcript or len(transcript) > MAX_TRANSCRIPT_LENGTH or transcript.count(".") != 2:
        raise Problem(P.transcript.shape)
    try:
        header = jws.get_unverified_header(transcript)
    except JOSEError:
        raise Problem(P.transcript.header) from None
    key = key_ring().key_for(header.get("kid")) if header.get("alg") == ALGORITHM else None
    if key is None:
        raise Problem(P.transcript.key)
    try:
        claims: dict[str, Any] = json.loads(jws.verify(transcript, key, algorithms=[ALGORITHM]))
    except (JOSEError, ValueError):
        raise Problem(P.transcript.signature) from None
    if claims.get("iss") != token_settings().issuer or CREDENTIAL_TYPE not in claims.get("vc", {}).get("type", []):
        raise Problem(P.transcript.issuer)
    return claims


def _withdrawn(stated: list[dict[str, Any]], issued_at: int) -> list[Withdrawn]:
    ids = [str(r.get("record_id")) for r in stated]
    heads = current_heads(ids)
    versions = {str(r.get("record_id")): r["version"] for r in stated if isinstance(r.get("version"), int)}
    # Transcripts issued before records stated their version: the version at issue is the current
    # one if that version was written no later than the transcript (else: changed since).
    unstated = [rid for rid in ids if rid not in versions and rid in heads]
    if unstated:
        versions |= _versions_at(unstated, heads, issued_at)
    # No record has a version 0: a record whose version at issue is unknown counts as changed.
    return withdrawn_records({rid: versions.get(rid, 0) for rid in ids}, heads)


def _versions_at(record_ids: list[str], heads: dict[str, Head], moment: int) -> dict[str, int]:
    keys = [(version_partition(rid), version_key(heads[rid].version)) for rid in record_ids]
    # A record still at version 1 may have no version item (the record carries it): its head,
    # written with that version, says when (one BatchGetItem for both kinds of key).
    keys += [(version_partition(rid), HEAD_KEY) for rid in record_ids if heads[rid].version == 1]
    found = list(RecordsItem.batch_get(keys))
    written = {item.record_id: item.changed_at.timestamp() for item in found
               if isinstance(item, RecordHead) and item.version_number == 1 and item.changed_at}
    written |= {item.record_id: item.changed_at.timestamp() for item in found if isinstance(item, RecordVersion)}
    return {rid: heads[rid].version if written.get(rid, moment + 1) <= moment else 0 for rid in record_ids}

