"""The one exception that crosses layers: a refusal with an HTTP status and a stable code.

Services raise it; the HTTP middleware (`handlers/problems.py`) turns it into problem+json; the
ingest function turns it into a report line. Chalice re-raises `ChaliceUnhandledError` subclasses
to middleware instead of answering 500 itself.
"""

from __future__ import annotations

from chalice.app import ChaliceUnhandledError


class Problem(ChaliceUnhandledError):
    def __init__(self, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.errors = status, code, detail, errors or []
