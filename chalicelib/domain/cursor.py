"""Opaque, tamper-proof page cursors: DynamoDB's `LastEvaluatedKey` (which holds key values,
personal codes among them) is never handed out as is. It is serialised, authenticated with an
HMAC and bound to what it pages through (the caller and the list), so a cursor cannot be edited,
replayed against another person's list, or read for the keys inside without the secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class CursorError(ValueError):
    pass


def _key(secret: bytes) -> bytes:
    return hashlib.sha256(b"mr-cursor\x00" + secret).digest()


def encode_cursor(position: dict[str, Any], scope: str, secret: bytes) -> str:
    """Encrypt and authenticate `position` for use with the same `scope` (e.g. `journal:<person>`)."""
    plain = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    nonce = hmac.new(_key(secret), plain + scope.encode(), hashlib.sha256).digest()[:12]
    sealed = AESGCM(_key(secret)).encrypt(nonce, plain, scope.encode())
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()


def decode_cursor(cursor: str, scope: str, secret: bytes) -> dict[str, Any]:
    if not cursor or len(cursor) > 2048:
        raise CursorError("size")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = AESGCM(_key(secret)).decrypt(raw[:12], raw[12:], scope.encode())
        position = json.loads(plain)
    except Exception:
        raise CursorError("invalid") from None
    if not isinstance(position, dict):
        raise CursorError("invalid")
    return position
