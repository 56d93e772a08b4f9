"""Identifier patterns match the whole value: `$` also matches before a final newline, so a pattern
used with `re.match` let "inst-a\\n" pass as an institution id — a second institution that prints as
the first. Every pattern is used with `fullmatch` and none ends in `$`."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from pydantic_core import PydanticCustomError

import chalicelib
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.institutions import InstitutionInput
from chalicelib.domain.person_id import person_id_error
from chalicelib.domain.records import FORMS
from chalicelib.domain.validation import validate_model
from chalicelib.models.applications import application_of


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if ".web" in module.name or module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        found += [(f"{module.name}.{name}", value) for name, value in vars(loaded).items()
                  if isinstance(value, re.Pattern) and isinstance(value.pattern, str)]
    return found


def test_no_pattern_of_the_register_is_anchored_with_a_dollar() -> None:
    patterns = _patterns()
    assert len(patterns) >= 10  # the walk found them
    assert [name for name, pattern in patterns if pattern.pattern.endswith("$")] == []


@pytest.mark.parametrize("value", ["inst-a\n", "inst-a\r\n", " inst-a", "inst-a "])
def test_an_institution_id_with_a_trailing_newline_or_space_is_refused(value: str) -> None:
    body = {"institution_id": value, "name": "Z", "legal_entity_code": "211950810", "municipality": "LT-57"}
    with pytest.raises(DomainValidationError) as raised:
        validate_model(InstitutionInput, body)
    assert [(e.field, e.reason) for e in raised.value.errors] == [("institution_id", "format")]
    assert validate_model(InstitutionInput, body | {"institution_id": "inst-a"}).institution_id == "inst-a"


def test_other_identifiers_refuse_a_trailing_newline() -> None:
    assert person_id_error("MR-0123456789") is None
    assert person_id_error("MR-0123456789\n") is not None
    assert application_of(f"211950810-{'0' * 16}\n") is None  # refused before any read
    assert FORMS["programme"]("201001001") == "201001001"
    with pytest.raises(PydanticCustomError, match="format"):
        FORMS["programme"]("201001001\n")
