"""Pages over DynamoDB queries with sealed cursors (`domain/cursor.py`)."""

from __future__ import annotations

from typing import Any

from chalicelib.config import settings
from chalicelib.domain import problems as P
from chalicelib.domain.cursor import CursorError, decode_cursor, encode_cursor
from chalicelib.errors import Problem

MAX_PAGE = 100
DEFAULT_PAGE = 50


def sealing_key() -> bytes:
    """The register's secret for what it hands out sealed or keyed (cursors, opaque ids)."""
    return _secret()


def _secret() -> bytes:
    config = settings()
    if config.cursor_secret_arn:
        from chalicelib.secrets import secret_value

        return secret_value(config.cursor_secret_arn).encode()
    if config.cursor_secret is None:
        raise RuntimeError("CURSOR_SECRET (or CURSOR_SECRET_ARN) is not configured")
    return config.cursor_secret


def start_key(cursor: str | None, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, scope, _secret())
    except CursorError:
        raise Problem(P.request.cursor) from None


def next_cursor(last_evaluated_key: dict[str, Any] | None, scope: str) -> str | None:
    return encode_cursor(last_evaluated_key, scope, _secret()) if last_evaluated_key else None


def page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Problem(P.request.limit, f"limit must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)
