"""Query filters the state's views share."""

from __future__ import annotations

from chalicelib.domain import problems as P
from chalicelib.domain.municipalities import municipality_code
from chalicelib.errors import Problem


def municipality_filter(value: str | None) -> str | None:
    """A `municipality` filter as its code (a name that maps to exactly one is read as its code);
    None when not given; anything else is 400 `request.municipality`."""
    if value is None:
        return None
    code = municipality_code(value)
    if code is None:
        raise Problem(P.request.municipality)
    return code
