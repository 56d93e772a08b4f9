"""Cells that spreadsheets open safely, and classes in school order."""

from __future__ import annotations

import re

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CLASS = re.compile(r"^(?P<grade>1[0-2]|[1-9]|IV|I{1,3})(?P<group>.*)$")
_GYMNASIUM = {"I": 9, "II": 10, "III": 11, "IV": 12}


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, which spreadsheets show as text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def class_order(class_name: str | None) -> tuple[int, str]:
    """`1a` < `8b` < `10a` < `IIa` (gymnasium class II is the 10th year) < unknown."""
    match = _CLASS.match(class_name or "")
    if not match:
        return (99, class_name or "")
    grade = match.group("grade")
    return (_GYMNASIUM.get(grade) or int(grade), match.group("group"))
