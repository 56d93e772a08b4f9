"""Reading what a request carries, strictly: JSON objects only, bounded size, clear errors."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Request

from chalicelib.errors import Problem

MAX_BODY_BYTES = 256 * 1024


def json_object(request: Request) -> dict[str, Any]:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise Problem(413, "request.too_large", f"The body is over {MAX_BODY_BYTES // 1024} KB.")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "request.malformed_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Problem(400, "request.not_an_object", "The body must be a JSON object.")
    return body


def purpose(request: Request) -> str | None:
    """Why the caller reads someone's data: `purpose` query parameter or `X-Purpose` header."""
    value = query(request, "purpose") or request.headers.get("x-purpose")
    if value is None:
        return None
    text = value.strip()
    if len(text) > 200 or any(ord(ch) < 32 for ch in text):
        raise Problem(400, "request.purpose", "The purpose must be a short line of text.")
    return text or None


def query(request: Request, name: str) -> str | None:
    params = request.query_params
    return params.get(name) if params else None
