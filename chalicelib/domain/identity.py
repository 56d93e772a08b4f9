"""Whether a record may name a person: the rule that keeps an enrolment from being a key to a
stranger's history.

A representative's institution may write records for its own pupils (persons with an active
enrolment there) naming them by personal code alone. For anybody else — a pupil arriving from
another school, a person the register does not know yet — the record must carry the person's
given name, family name and birth date, and for a person already in the register all three must
match it. Otherwise anyone with a write permit could enrol any personal code (there are about 1,000
per birth date) and read that person's history from then on.

The same fields are required whether or not the person exists, so a missing name does not tell
whether a personal code is in the register; a mismatch is one code for all three fields, so it
does not tell which part was right. Mismatches count against the representative
(`services/suspension.py`): guessing is not free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.errors import FieldError
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.text import fold

IDENTITY_FIELDS = ("given_name", "family_name", "birth_date")


@dataclass(frozen=True)
class Identity:
    """A person as named: the names and birth date (None where not given or not known)."""

    given_name: str | None
    family_name: str | None
    birth_date: date | None


def claimed_birth_date(person_id: str, given: date | None) -> date | None:
    """The birth date a record claims: as given, or as its personal code says (a code carries it,
    so whoever knows the code knows the date; a register-issued id does not)."""
    if given is not None:
        return given
    try:
        return parse_personal_code(person_id).birth_date
    except PersonalCodeError:
        return None


@dataclass(frozen=True)
class IdentityCheck:
    """The outcome: field problems (something required is missing), or a mismatch, or fine."""

    missing: tuple[FieldError, ...] = ()
    mismatch: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatch


def check_identity(claimed: Identity, stored: Identity | None, *, pupil_here: bool) -> IdentityCheck:
    """May a record naming `claimed` go to the person stored as `stored` (None: not in the
    register)? `pupil_here`: the person has an active enrolment at the writing institution."""
    if stored is not None and pupil_here:
        # Our own pupil: the code suffices; names given must still be theirs (a typo in a code
        # must not attach a record to somebody else).
        return IdentityCheck(mismatch=not _agrees(claimed, stored))
    missing = tuple(FieldError(name, "required") for name in IDENTITY_FIELDS if getattr(claimed, name) is None)
    if missing:
        return IdentityCheck(missing=missing)
    return IdentityCheck(mismatch=stored is not None and not _agrees(claimed, stored))


def _agrees(claimed: Identity, stored: Identity) -> bool:
    """Every part given agrees with the register (names case and accents aside); a part the
    register does not know (a birth date of a register-issued id) cannot disagree."""
    for name in ("given_name", "family_name"):
        mine, theirs = getattr(claimed, name), getattr(stored, name)
        if mine is not None and theirs is not None and fold(mine) != fold(theirs):
            return False
    return not (claimed.birth_date and stored.birth_date and claimed.birth_date != stored.birth_date)
