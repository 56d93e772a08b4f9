"""Field problems: one field, one reason, reported all at once.

The code of a field problem is `validation.<field>.<reason>`; the reasons and their messages are
registered with every other code in `chalicelib/domain/problems.py` (`REASONS`), so the same
reason reads the same way on every field. Codes are a public contract (API, upload reports): add,
never rename.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain import problems as P


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: what the API returns in `errors` and an upload report lists."""

    field: str
    reason: str

    @property
    def code(self) -> str:
        return P.field_code(self.field, self.reason)

    @property
    def messages(self) -> dict[str, str]:
        return P.reason_messages(self.reason)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "messages": self.messages}


class DomainValidationError(ValueError):
    """Raised with every field problem found, never just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.code for e in errors))
        self.errors = errors
