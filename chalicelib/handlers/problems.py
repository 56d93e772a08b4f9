"""Errors as `application/problem+json` (RFC 9457) with a stable dotted `code` and a correlation id.

The edge of the registry of codes (`chalicelib/domain/problems.py`): a code's HTTP status, title
and messages by language are taken from there, here and nowhere else.

The correlation id is API Gateway's request id when there is one: the same id is in the access
log, in the function's log line and in the body the user can quote to support.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Response
from chalice.app import Request

from chalicelib import observability
from chalicelib.errors import Problem

if TYPE_CHECKING:
    from chalicelib.domain import problems as P

PROBLEM_TYPE = "application/problem+json"


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
    code: P.Code, request: Request | None = None, *, detail: str | None = None,
    errors: list[dict[str, Any]] | None = None, headers: dict[str, str | list[str]] | None = None,
    extra: dict[str, Any] | None = None, status: int | None = None,
) -> Response:
    """The problem+json answer for `code`: its status, title and messages come from the registry
    (`domain/problems.py`); `detail` defaults to its English message. `status` only for a refusal
    of Chalice's the registry does not know (it keeps Chalice's own)."""
    status = status or code.status or 500  # a code only ever reported never reaches here: a bug
    cid = correlation_id(request)
    body: dict[str, Any] = {
        "type": f"https://mokiniuregistras.example/problems/{code}",
        "title": code.summary, "status": status, "detail": detail or code.messages["en"],
        "code": code, "messages": code.translated(), "errors": errors or [], "correlation_id": cid,
        **(extra or {}),
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


# Chalice's own error responses ({"Code": ..., "Message": ...}) and what they become (with a
# detail where the registry's message would say less).
def _chalice_codes() -> dict[str, tuple[P.Code, str | None]]:
    from chalicelib.domain import problems as P  # on the way to a refusal only (cold start)

    return {
        "BadRequestError": (P.request.malformed, "The request body could not be read."),
        "BadRequest": (P.request.malformed, None),
        "UnsupportedMediaType": (P.request.media_type, None),
        "MethodNotAllowedError": (P.request.method, None),
        "NotFoundError": (P.route.not_found, None),
        "ForbiddenError": (P.access.denied, None),
        "UnauthorizedError": (P.auth.missing_token, None),
        "InternalServerError": (P.server.error, None),
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
        return problem(exc.code, event, detail=exc.detail, errors=exc.errors, extra=exc.extra)
    if isinstance(response.body, dict | list) and not any(k.lower() == "content-type" for k in response.headers):
        response.headers["Content-Type"] = "application/json"  # say so, rather than leave it to a default
    if response.status_code >= 400 and isinstance(response.body, dict) and "Code" in response.body:
        from chalicelib.domain import problems as P

        known = _chalice_codes().get(str(response.body["Code"]))
        code, detail = known or (P.request.invalid, None)
        extra = {k: v for k, v in response.headers.items() if k.lower() == "allow"}
        return problem(code, event, detail=detail, headers=extra, status=None if known else response.status_code)
    return response
