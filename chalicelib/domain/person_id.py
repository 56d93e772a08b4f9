"""A person's identifier in the register: the personal code, or a register-issued id for people
who have none (foreigners, people not yet in the Population Register)."""

from __future__ import annotations

import re
import secrets

from chalicelib.domain.personal_code import OUTER_SPACE, personal_code_error

REGISTER_ID_PREFIX = "MR-"
# Crockford base32: no I, L, O, U, so an id read aloud or copied by hand is not misread.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REGISTER_ID_RE = re.compile(r"MR-[0-9A-HJKMNP-TV-Z]{10}")


def normalise_person_id(raw: str) -> str:
    """The one form a person id is stored and looked up in: outer whitespace (copied from a
    spreadsheet or a form) stripped. Every path and body value goes through this before it becomes
    a key, so `" 39001010000"` can never be a second, shadow person."""
    return raw.strip(OUTER_SPACE)


def person_id_error(value: str) -> str | None:
    """The reason an identifier is bad, or None. Reasons are those of the personal code, or `format`."""
    if value != normalise_person_id(value):
        return "characters"  # callers normalise first; a padded id must never reach a key
    if value.startswith(REGISTER_ID_PREFIX):
        return None if _REGISTER_ID_RE.fullmatch(value) else "format"
    return personal_code_error(value)


def new_register_id() -> str:
    return REGISTER_ID_PREFIX + "".join(secrets.choice(_CROCKFORD) for _ in range(10))
