"""What may be said about a person: names and birth date, checked against the personal code."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.text import TextError, clean_name
from chalicelib.domain.validation import fail, parse_iso_date


def _name(value: object) -> str | None:
    try:
        return clean_name(value)
    except TextError as exc:
        raise fail(exc.reason) from None


def _birth_date(value: object, info: ValidationInfo) -> date | None:
    if value is None or value == "":
        return None
    parsed = parse_iso_date(value)
    today = (info.context or {}).get("today") or vilnius_today()
    if parsed > today:
        raise fail("future")
    if parsed < date(1900, 1, 1):
        raise fail("too_early")
    return parsed


class PersonInput(BaseModel):
    """`PUT /persons/{person_id}`. `version`: the version read, to correct without losing a
    concurrent change (omit it to create)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    given_name: Annotated[str, BeforeValidator(_name)]
    family_name: Annotated[str, BeforeValidator(_name)]
    birth_date: Annotated[date | None, BeforeValidator(_birth_date)] = None
    version: int | None = None


def birth_date_conflict(person_id: str, birth: date | None) -> bool:
    """A birth date that contradicts the personal code's."""
    if birth is None:
        return False
    try:
        coded = parse_personal_code(person_id).birth_date
    except PersonalCodeError:
        return False  # a register-issued id says nothing about the date
    return coded is not None and coded != birth

