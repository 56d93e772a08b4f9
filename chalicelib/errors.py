"""The one exception that crosses layers: a refusal with a registered problem code.

Services raise it with an entry of the registry (`chalicelib/domain/problems.py`); the HTTP
middleware (`handlers/problems.py`) turns it into problem+json with the code's status; the ingest
function turns it into a report line (a code without a status, such as `row.conflict`, is only
ever reported). Chalice re-raises `ChaliceUnhandledError` subclasses
to middleware instead of answering 500 itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalice.app import ChaliceUnhandledError

if TYPE_CHECKING:
    # Imported where a problem is raised, not here: the API's cold start does not load the registry.
    from chalicelib.domain import problems as P
    from chalicelib.domain.errors import FieldError


class Problem(ChaliceUnhandledError):
    """`detail`: the English explanation (by default the code's English message); `extra`: further
    members of the problem body (e.g. `current_version` on a conflict)."""

    def __init__(
        self, code: P.Code, detail: str | None = None, errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail or code.messages["en"]
        self.errors, self.extra = errors or [], extra or {}


def invalid(errors: Iterable[FieldError], detail: str | None = None) -> Problem:
    """422 with every field problem (`validation.<field>.<reason>`, with its messages by language)."""
    from chalicelib.domain import problems as P

    return Problem(P.validation.failed, detail, [error.as_dict() for error in errors])
