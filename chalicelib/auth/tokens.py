"""Access tokens: issued after a gateway login, verified on every API call.

Verification is deliberately narrow (python-jose's history: docs/KNOWN_TRAPS.md): the header must say
RS256 and name a `kid` we hold; the key object passed to jose is that one RSA key, built for RS256
only, and `algorithms` is that one algorithm, so neither an HMAC-with-public-key token
(CVE-2024-33663, and the DER variant, python-jose #414) nor `alg: none` can pass; a JWE (five
parts) never reaches a decoder (CVE-2024-33664); `iss`, `aud`, `exp`, `iat`, `sub` are required,
since jose lets a token without `aud` through by default.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError

from chalicelib.auth.keys import ALGORITHM, b64url, key_ring
from chalicelib.config import MAX_ACCESS_TOKEN_SECONDS, token_settings

# Our tokens are ~1 KB; anything far larger is refused before any parsing or base64 work.
MAX_TOKEN_LENGTH = 8192
LEEWAY_SECONDS = 30

_REQUIRED = {
    "require_iss": True, "require_aud": True, "require_exp": True, "require_iat": True,
    "require_sub": True, "leeway": LEEWAY_SECONDS,
}


class TokenError(Exception):
    """Why a token was refused (for logs and metrics; never shown with the token)."""


@dataclass(frozen=True)
class AccessClaims:
    person_id: str
    session_id: str
    roles: tuple[str, ...]
    institutions: tuple[str, ...]
    expires_at: int


def issue_access_token(
    person_id: str, session_id: str, roles: list[str], institutions: list[str], now: float | None = None
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    config = token_settings()
    issued = int(now if now is not None else time.time())
    lifetime = config.access_token_seconds
    claims = {
        "iss": config.issuer, "aud": config.audience, "sub": person_id,
        "iat": issued, "nbf": issued, "exp": issued + lifetime, "jti": secrets.token_urlsafe(12),
        "sid": session_id, "roles": sorted(roles), "inst": sorted(institutions),
    }
    return sign_jws(claims), lifetime


def sign_jws(payload: dict[str, Any], extra_header: dict[str, str] | None = None) -> str:
    signer = key_ring().signer
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": signer.kid} | (extra_header or {})
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()) for part in (header, payload)
    )
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode('ascii')))}"


def verify_access_token(token: str) -> AccessClaims:
    """Verify a compact JWS access token; raise `TokenError` for anything less than perfect."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("size")
    if token.count(".") != 2:
        raise TokenError("shape")  # a JWE has five parts: never handed to a decoder
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError:
        raise TokenError("header") from None
    if header.get("alg") != ALGORITHM:
        raise TokenError("alg")
    config = token_settings()
    key = key_ring(config).key_for(header.get("kid"))
    if key is None:
        raise TokenError("kid")
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=config.audience,
            issuer=config.issuer, options=_REQUIRED,
        )
    except JOSEError as exc:
        raise TokenError(type(exc).__name__) from None
    return _claims(claims)


def _claims(claims: dict[str, Any]) -> AccessClaims:
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise TokenError("times")
    if iat > now + LEEWAY_SECONDS:
        raise TokenError("issued_in_future")
    if exp - iat > MAX_ACCESS_TOKEN_SECONDS:
        raise TokenError("lifetime")  # we never issue such a token: someone else made it
    sub, sid = claims.get("sub"), claims.get("sid")
    roles, inst = claims.get("roles", []), claims.get("inst", [])
    if not isinstance(sid, str) or not isinstance(sub, str):
        raise TokenError("claims")
    if not (isinstance(roles, list) and isinstance(inst, list) and all(isinstance(v, str) for v in roles + inst)):
        raise TokenError("claims")
    return AccessClaims(person_id=sub, session_id=sid, roles=tuple(roles), institutions=tuple(inst), expires_at=exp)
