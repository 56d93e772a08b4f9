"""The one exception that crosses layers: a refusal with an HTTP status and a stable code.

Services raise it; the HTTP middleware (`handlers/problems.py`) turns it into problem+json; the
ingest function turns it into a report line. Chalice re-raises `ChaliceUnhandledError` subclasses
to middleware instead of answering 500 itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalice.app import ChaliceUnhandledError

if TYPE_CHECKING:
    from chalicelib.domain.errors import FieldError



class Problem(ChaliceUnhandledError):
    """`extra`: further members of the problem body (e.g. `current_version` on a conflict)."""

    def __init__(
        self, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.errors = status, code, detail, errors or []
        self.extra = extra or {}


def invalid(errors: Iterable[FieldError], detail: str = "Some fields are not valid; see errors.") -> Problem:
    """422 with every field problem (`validation.<field>.<reason>`, in Lithuanian and English)."""
    return Problem(422, "validation.failed", detail, [error.as_dict() for error in errors])
