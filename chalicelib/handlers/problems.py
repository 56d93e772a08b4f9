"""Errors as `application/problem+json` (RFC 9457) with a stable dotted `code` and a correlation id.

The correlation id is API Gateway's request id when there is one: the same id is in the access
log, in the function's log line and in the body the user can quote to support.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from chalice import Response
from chalice.app import Request

logger = logging.getLogger("register")

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    409: "Conflict", 413: "Too large", 415: "Unsupported media type", 422: "Invalid data",
    502: "Gateway error", 503: "Service unavailable",
}


def correlation_id(request: Request | None) -> str:
    context = getattr(request, "context", None) or {}
    request_id = context.get("requestId") if isinstance(context, dict) else None
    return str(request_id) if request_id else str(uuid.uuid4())


def problem(
    status: int, code: str, detail: str, request: Request | None = None, *,
    errors: list[dict[str, str]] | None = None, headers: dict[str, str | list[str]] | None = None,
) -> Response:
    cid = correlation_id(request)
    body: dict[str, Any] = {
        "type": f"https://mokiniuregistras.example/problems/{code}",
        "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
        "code": code, "errors": errors or [], "correlation_id": cid,
    }
    # Only the code and the correlation id are logged: details may carry what a user typed.
    logger.info(json.dumps({"event": "problem", "status": status, "code": code, "correlation_id": cid}))
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": PROBLEM_TYPE, "Cache-Control": "no-store", **(headers or {})},
    )
