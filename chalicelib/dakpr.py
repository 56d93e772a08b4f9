"""The client side of DAKPR, the diploma register: the one call the transfer needs, behind an
interface, so the transfer is tested against a real HTTP receiver (devstack/fake_dakpr.py) and the
production client can change without touching it.

The wire contract (ours, until DAKPR publishes its own): `POST {DAKPR_URL}/qualifications` with the
delivery as JSON and an `Idempotency-Key` header; `201` or `200` `{"registration_number": "..."}`
(200: that key was registered before, the same number again). 408, 425, 429 and 5xx, timeouts and
network failures are worth retrying; any other answer is a refusal a retry would not change.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any, Protocol

from chalicelib.domain import problems as P

MAX_ANSWER_BYTES = 64 * 1024
RETRYABLE_STATUSES = frozenset({408, 425, 429})
CODE = re.compile(r"[a-z0-9_.-]{1,60}")


class DakprError(Exception):
    """A delivery that did not go through. `code` is safe to store and show an operator: it never
    carries data from the delivery."""

    def __init__(self, code: str, *, retryable: bool) -> None:
        super().__init__(code)
        self.code = code
        self.retryable = retryable


class DakprClient(Protocol):
    def register(self, delivery: dict[str, Any], idempotency_key: str) -> str:
        """Register one delivery; return DAKPR's registration number or raise `DakprError`."""


class HttpDakprClient:
    def __init__(self, base_url: str, timeout_seconds: float = 10.0) -> None:
        self._url = f"{base_url.rstrip('/')}/qualifications"
        self._timeout = timeout_seconds

    def register(self, delivery: dict[str, Any], idempotency_key: str) -> str:
        request = urllib.request.Request(  # noqa: S310 - the URL comes from configuration, http(s) only
            self._url, data=json.dumps(delivery, ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "Idempotency-Key": idempotency_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                answer = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            retryable = exc.code in RETRYABLE_STATUSES or exc.code >= 500
            raise DakprError(P.dakpr.http.of(f"{exc.code}{_their_code(exc)}"), retryable=retryable) from None
        except (OSError, ValueError):  # refused, reset, timed out, TLS
            raise DakprError(P.dakpr.unreachable, retryable=True) from None
        try:
            number = json.loads(answer)["registration_number"]
        except (ValueError, KeyError, TypeError):
            number = None
        if not isinstance(number, str) or not 0 < len(number) <= 64:
            # Registered or not, we cannot tell: retry (the idempotency key makes that safe).
            raise DakprError(P.dakpr.bad_answer, retryable=True)
        return number


def _their_code(exc: urllib.error.HTTPError) -> str:
    """DAKPR's own error code, when it gave a short, plain one (kept for the operator)."""
    try:
        code = json.loads(exc.read(MAX_ANSWER_BYTES)).get("code")
    except (ValueError, AttributeError, OSError):
        return ""
    return f".{code}" if isinstance(code, str) and CODE.fullmatch(code) else ""


def client_from_settings() -> DakprClient | None:
    from chalicelib.config import settings

    config = settings()
    if config.dakpr_url is None:
        return None
    # Personal data leaves the register here: plain HTTP only to a fake on the local stack.
    schemes = ("https://", "http://") if config.is_local else ("https://",)
    if not config.dakpr_url.startswith(schemes):
        raise RuntimeError("DAKPR_URL must be an https URL")
    return HttpDakprClient(config.dakpr_url, config.dakpr_timeout_seconds)
