"""Errors as `application/problem+json` (RFC 9457) with a stable dotted `code` and a correlation id.

The correlation id is API Gateway's request id when there is one: the same id is in the access
log, in the function's log line and in the body the user can quote to support.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib import observability
from chalicelib.errors import Problem

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    409: "Conflict", 413: "Too large", 415: "Unsupported media type", 422: "Invalid data",
    405: "Method not allowed", 429: "Too many requests", 500: "Server error", 502: "Gateway error",
    503: "Service unavailable",
}


def correlation_id(request: Request | None) -> str:
    current = observability.correlation_id()
    if current:
        return current  # the id every line of this request already carries
    context = getattr(request, "context", None) or {}
    request_id = context.get("requestId") if isinstance(context, dict) else None
    if request_id:
        return str(request_id)
    import uuid  # only without API Gateway (tests, chalice local): not on the cold-start path

    return str(uuid.uuid4())


def problem(
    status: int, code: str, detail: str, request: Request | None = None, *,
    errors: list[dict[str, str]] | None = None, headers: dict[str, str | list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    cid = correlation_id(request)
    body: dict[str, Any] = {
        "type": f"https://mokiniuregistras.example/problems/{code}",
        "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
        "code": code, "errors": errors or [], "correlation_id": cid, **(extra or {}),
    }
    # Only the code is logged (with the correlation id): details may carry what a user typed.
    observability.log("problem", "WARNING" if status >= 500 else "INFO", status=status, code=code)
    if status == 403:
        observability.metric("Denials")
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": PROBLEM_TYPE, "Cache-Control": "no-store", **(headers or {})},
    )


# Chalice's own error responses ({"Code": ..., "Message": ...}) and what they become.
_CHALICE_CODES = {
    "BadRequestError": (400, "request.malformed", "The request body could not be read."),
    "BadRequest": (400, "request.malformed", "The request could not be read."),
    "UnsupportedMediaType": (415, "request.media_type", "Send the body as application/json."),
    "MethodNotAllowedError": (405, "request.method", "This method is not allowed here."),
    "NotFoundError": (404, "route.not_found", "Not found."),
    "ForbiddenError": (403, "access.denied", "Forbidden."),
    "UnauthorizedError": (401, "auth.missing_token", "A valid access token is required."),
    "InternalServerError": (500, "server.error", "Something went wrong on our side; try again later."),
}


def problem_middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Every error leaves as problem+json: raised `Problem`s, and Chalice's own error bodies
    (bad JSON, wrong content type, unexpected exceptions) rewritten with a stable code."""
    with observability.correlated(correlation_id(event)):
        return _answer(event, get_response)


def _answer(event: Any, get_response: Callable[[Any], Response]) -> Response:
    try:
        response = get_response(event)
    except Problem as exc:
        return problem(exc.status, exc.code, exc.detail, event, errors=exc.errors, extra=exc.extra)
    if isinstance(response.body, dict | list) and not any(k.lower() == "content-type" for k in response.headers):
        response.headers["Content-Type"] = "application/json"  # say so, rather than leave it to a default
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        status, code, detail = _CHALICE_CODES.get(
            str(response.body["Code"]), (response.status_code, "request.invalid", "The request was refused.")
        )
        extra = {k: v for k, v in response.headers.items() if k.lower() == "allow"}
        return problem(status, code, detail, event, headers=extra)
    return response
