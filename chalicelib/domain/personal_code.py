"""Lithuanian personal code (asmens kodas): `GYYMMDDNNNC`.

G gives century and sex (1/2: 1800s, 3/4: 1900s, 5/6: 2000s; odd male, even female); YYMMDD the
birth date, with month and/or day `00` where the date is unknown; NNN a serial; C the check digit.
Codes starting with 9 were issued to people whose data did not fit the scheme: no date rule
applies to them, but the check digit does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.checksum import mod11_check_digit

_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
_EXCEPTION_PREFIX = "9"
# Outer whitespace is forgiven (copied from a spreadsheet); anything inside is not.
OUTER_SPACE = " \t\r\n\u00a0\u2007\u202f\ufeff"


@dataclass(frozen=True)
class PersonalCode:
    value: str
    sex: str | None  # "M" / "F"; None for 9-prefix codes
    birth_date: date | None  # None when unknown (00) or for 9-prefix codes
    birth_year: int | None

    @property
    def is_exception(self) -> bool:
        return self.value.startswith(_EXCEPTION_PREFIX)


class PersonalCodeError(ValueError):
    """`reason` is the stable last part of `validation.person_id.<reason>`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_personal_code(raw: str) -> PersonalCode:
    """Parse and check a personal code; raise `PersonalCodeError` saying why it is bad.

    Checks run in the order a person would fix them: characters, length, century, date, checksum.
    """
    code = raw.strip(OUTER_SPACE)
    if not code.isascii() or not code.isdigit():
        # str.isdigit alone accepts other scripts' digits and superscripts; isascii rules them out.
        raise PersonalCodeError("characters")
    if len(code) != 11:
        raise PersonalCodeError("length")
    first = code[0]
    if first == _EXCEPTION_PREFIX:
        sex, birth, year = None, None, None
    elif first in _CENTURY:
        sex = "M" if int(first) % 2 else "F"
        year = _CENTURY[first] + int(code[1:3])
        birth = _birth_date(year, int(code[3:5]), int(code[5:7]))
    else:
        raise PersonalCodeError("century")
    if mod11_check_digit(code[:10]) != int(code[10]):
        raise PersonalCodeError("checksum")
    return PersonalCode(value=code, sex=sex, birth_date=birth, birth_year=year)


def _birth_date(year: int, month: int, day: int) -> date | None:
    if month == 0:
        # Unknown month: the day cannot be known either.
        if day != 0:
            raise PersonalCodeError("date")
        return None
    if month > 12:
        raise PersonalCodeError("date")
    if day == 0:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise PersonalCodeError("date") from None


def personal_code_error(raw: str) -> str | None:
    """The reason a code is bad, or None if it is good."""
    try:
        parse_personal_code(raw)
    except PersonalCodeError as exc:
        return exc.reason
    return None


def make_personal_code(sex: str, birth: date, serial: int) -> str:
    """Build a valid code (demo data, tests). `serial` is 0–999."""
    if not 1800 <= birth.year <= 2099 or not 0 <= serial <= 999 or sex not in ("M", "F"):
        raise ValueError("cannot build a personal code from these values")
    century_base = (birth.year // 100 - 18) * 2 + 1
    first = century_base + (0 if sex == "M" else 1)
    body = f"{first}{birth:%y%m%d}{serial:03d}"
    return body + str(mod11_check_digit(body))
