"""Shared pieces of pydantic validation: register error reasons, dates, text fields, and the
translation of pydantic's errors into `FieldError`s (`validation.<field>.<reason>`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.text import TextError, clean_text

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
M = TypeVar("M", bound=BaseModel)
# Model attribute names that differ from the field names people use.
FIELD_NAMES = {"class_name": "class"}


def fail(reason: str, field: str | None = None) -> PydanticCustomError:
    """A register error. The reason (and, from a model-level check, the field) travels in the
    context; `field_errors` turns it into validation.<field>.<reason>."""
    context = {"reason": reason} | ({"field": field} if field else {})
    return PydanticCustomError("register", "{reason}", context)


def text_field(max_length: int) -> BeforeValidator:
    def check(value: object) -> str | None:
        try:
            return clean_text(value, max_length)
        except TextError as exc:
            raise fail(exc.reason) from None

    return BeforeValidator(check)


def parse_iso_date(value: object) -> date:
    """Dates are ISO `YYYY-MM-DD`; spreadsheet cells may already be dates. Raises `fail`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise fail("type")
    text = value.strip()
    if not _DATE_RE.fullmatch(text):
        raise fail("format")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail("date") from None


PYDANTIC_REASONS = {
    "missing": "required",
    "extra_forbidden": "unknown",
    "string_too_long": "too_long",
    "enum": "choice",
}


def field_errors(exc: ValidationError) -> list[FieldError]:
    found = []
    for err in exc.errors():
        context = err.get("ctx") or {}
        field = str(err["loc"][0]) if err["loc"] else str(context.get("field", "record"))
        field = FIELD_NAMES.get(field, field)
        if err["type"] == "register":
            reason = context["reason"]
        elif err["type"].endswith("_type") and err.get("input") in (None, ""):
            reason = "required"  # an empty value where one is needed
        else:
            reason = PYDANTIC_REASONS.get(err["type"], "type" if err["type"].endswith("_type") else "format")
        found.append(FieldError(field, reason))
    return found


def validate_model(model: type[M], raw: object, today: date | None = None) -> M:
    """Validate `raw` with `model`; raise `DomainValidationError` with every field problem."""
    try:
        return model.model_validate(raw, context={"today": today or vilnius_today()})
    except ValidationError as exc:
        raise DomainValidationError(field_errors(exc)) from None
