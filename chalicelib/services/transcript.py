"""A learning history anyone can verify: the person's records as a JWS signed with the register's
key (`kid` from the JWKS), shaped as a W3C Verifiable Credential (JWT encoding, VC Data Model 1.1).

Verification needs only the published JWKS and a JOSE library (README); `verify_transcript` is the
register's own check behind the public verify route. Transcripts are meant to be kept: a signing
key's public half must stay in the JWKS (`PREVIOUS_PUBLIC_JWKS`) as long as its transcripts should
verify (docs/AUTH.md).
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from jose import jws
from jose.exceptions import JOSEError

from chalicelib.auth.keys import ALGORITHM, key_ring
from chalicelib.auth.tokens import sign_jws
from chalicelib.config import token_settings
from chalicelib.errors import Problem
from chalicelib.models.records import full_history
from chalicelib.services.history import record_view

MAX_TRANSCRIPT_LENGTH = 2 * 1024 * 1024
CREDENTIAL_TYPE = "LearningHistoryCredential"


def issue_transcript(person_id: str) -> str:
    summary, found = full_history(person_id)  # a transcript is the whole history: every page
    if summary is None:
        raise Problem(404, "person.not_found", "The register holds no learning history for you yet.")
    person = {"given_name": summary.given_name, "family_name": summary.family_name, "birth_date": summary.birth_date}
    records = [{k: v for k, v in record_view(item).items() if k != "version" and v is not None} for item in found]
    now = int(time.time())
    issuer = token_settings().issuer
    claims = {
        "iss": issuer, "sub": person_id, "iat": now, "nbf": now, "jti": f"urn:uuid:{secrets.token_hex(16)}",
        "vc": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential", CREDENTIAL_TYPE],
            "issuer": {"id": issuer, "name": "Mokinių registras (Student Register of Lithuania)"},
            "issuanceDate": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
            "credentialSubject": {"id": f"urn:lt:person:{person_id}", **person, "records": records},
        },
    }
    return sign_jws(claims, {"typ": "vc+jwt"})


def verify_transcript(transcript: str) -> dict[str, Any]:
    """The transcript's claims if the register signed it and nothing changed; else a 422 saying so."""
    import json

    if not transcript or len(transcript) > MAX_TRANSCRIPT_LENGTH or transcript.count(".") != 2:
        raise _not_valid("shape")
    try:
        header = jws.get_unverified_header(transcript)
    except JOSEError:
        raise _not_valid("header") from None
    key = key_ring().key_for(header.get("kid")) if header.get("alg") == ALGORITHM else None
    if key is None:
        raise _not_valid("key")
    try:
        claims: dict[str, Any] = json.loads(jws.verify(transcript, key, algorithms=[ALGORITHM]))
    except (JOSEError, ValueError):
        raise _not_valid("signature") from None
    if claims.get("iss") != token_settings().issuer or CREDENTIAL_TYPE not in claims.get("vc", {}).get("type", []):
        raise _not_valid("issuer")
    return claims


def _not_valid(reason: str) -> Problem:
    return Problem(422, f"transcript.{reason}", "This is not an intact transcript signed by the register.")
