"""Reading what a request carries, strictly: JSON objects only, bounded size, clear errors."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Request

from chalicelib.errors import Problem

MAX_BODY_BYTES = 256 * 1024


def json_object(request: Request) -> dict[str, Any]:
    # The registry of codes is imported on the way to a refusal only (off the cold start).
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        from chalicelib.domain import problems as P

        raise Problem(P.request.too_large, f"The body is over {MAX_BODY_BYTES // 1024} KB.")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        from chalicelib.domain import problems as P

        raise Problem(P.request.malformed_json) from None
    if not isinstance(body, dict):
        from chalicelib.domain import problems as P

        raise Problem(P.request.not_an_object)
    return body


def purpose(request: Request) -> str | None:
    """Why the caller reads someone's data: `purpose` query parameter or `X-Purpose` header."""
    value = query(request, "purpose") or request.headers.get("x-purpose")
    if value is None:
        return None
    text = value.strip()
    if len(text) > 200 or any(ord(ch) < 32 for ch in text):
        from chalicelib.domain import problems as P

        raise Problem(P.request.purpose)
    return text or None


def query(request: Request, name: str) -> str | None:
    params = request.query_params
    return params.get(name) if params else None
