"""Verifiable Credentials the register signs: transcripts and their status lists, both in the JWT
encoding of the VC Data Model 1.1 (`vc` claim, header `typ: vc+jwt`), signed with the token key
ring (RS256, `kid` from the JWKS), so one offline check verifies either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.auth.tokens import sign_jws
from chalicelib.config import settings, token_settings

CONTEXTS = ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/status/v1"]
ISSUER_NAME = "Mokinių registras (Student Register of Lithuania)"


def status_list_url(list_id: str) -> str:
    return f"{settings().public_url}/transcripts/status/{list_id}"


def sign_credential(
    credential_type: str, subject: dict[str, Any], now: int, *, jti: str, sub: str | None = None,
    expires: int | None = None, status: dict[str, str] | None = None,
) -> str:
    issuer = token_settings().issuer
    claims: dict[str, Any] = {"iss": issuer, "iat": now, "nbf": now, "jti": jti}
    credential: dict[str, Any] = {
        "@context": CONTEXTS, "type": ["VerifiableCredential", credential_type],
        "issuer": {"id": issuer, "name": ISSUER_NAME}, "issuanceDate": _iso(now), "credentialSubject": subject,
    }
    if sub is not None:
        claims["sub"] = sub
    if expires is not None:
        claims["exp"] = expires
        credential["expirationDate"] = _iso(expires)
    if status is not None:
        credential["credentialStatus"] = status
    return sign_jws(claims | {"vc": credential}, {"typ": "vc+jwt"})


def _iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")
