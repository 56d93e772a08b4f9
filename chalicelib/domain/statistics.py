"""Pupil statistics: what a count is counted by, and what may be published of it (docs/STATE.md,
section 3). Pure: the nightly snapshot derives with these, the pages and the open data publish
with them.

Open data suppresses every count below `SMALL_COUNT`, and so that a suppressed count cannot be
recovered by subtracting the published ones from a published total, no row or column of a
published table — its total included — has exactly one suppressed cell: where one has, the
smallest other count of that line is suppressed too, until none has (complementary suppression).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import NamedTuple, TypeVar

SMALL_COUNT = 5
TOTAL = "TOTAL"  # the margin's key in a published table

# Gymnasium classes are numbered I–IV: the 9th to 12th grades.
_ROMAN_GRADES = {"I": 9, "II": 10, "III": 11, "IV": 12}
_CLASS = re.compile(r"^(?P<grade>1[0-2]|[1-9]|IV|I{1,3})", re.IGNORECASE)


def grade_of(class_name: str | None) -> int | None:
    """The grade a class is in (`8b` → 8, `IVa` → 12), or None without a class."""
    if not class_name:
        return None
    found = _CLASS.match(class_name)
    if found is None:
        return None
    grade = found.group("grade").upper()
    return _ROMAN_GRADES.get(grade) or int(grade)


def sex_of(person_id: str) -> str | None:
    """`F` or `M` from a personal code's first digit (odd: male, even: female), None for a
    register-issued number or a code whose first digit says nothing (9)."""
    first = person_id[:1]
    if len(person_id) != 11 or not person_id.isdigit() or first not in "123456":
        return None
    return "M" if int(first) % 2 else "F"


Row = TypeVar("Row", bound=Hashable)
Column = TypeVar("Column", bound=Hashable)


class Published(NamedTuple):
    """A table as published: every count by (row, column), the margins under `TOTAL`, and the
    cells withheld (their counts are None in `counts`)."""

    counts: dict[tuple[Hashable, Hashable], int | None]
    suppressed: frozenset[tuple[Hashable, Hashable]]


def publish(table: Mapping[tuple[Row, Column], int]) -> Published:
    """`table` with its row, column and grand totals, small counts suppressed and each line's
    lone suppression accompanied by a second one."""
    rows = sorted({row for row, _ in table}, key=repr)
    columns = sorted({column for _, column in table}, key=repr)
    full: dict[tuple[Hashable, Hashable], int] = {(r, c): table.get((r, c), 0) for r in rows for c in columns}
    for r in rows:
        full[(r, TOTAL)] = sum(full[(r, c)] for c in columns)
    for c in columns:
        full[(TOTAL, c)] = sum(full[(r, c)] for r in rows)
    full[(TOTAL, TOTAL)] = sum(full[(r, TOTAL)] for r in rows)
    suppressed = {cell for cell, count in full.items() if 0 < count < SMALL_COUNT}
    lines = [[(r, c) for c in [*columns, TOTAL]] for r in [*rows, TOTAL]]
    lines += [[(r, c) for r in [*rows, TOTAL]] for c in [*columns, TOTAL]]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if cell in suppressed]
            if len(hidden) != 1:
                continue
            # The smallest other count of the line that is not zero: a zero cell withheld would
            # still be known (nobody), so it protects nothing.
            candidates = sorted((full[cell], repr(cell), cell) for cell in line
                                if cell not in suppressed and full[cell] > 0)
            if candidates:
                suppressed.add(candidates[0][2])
                changed = True
    counts: dict[tuple[Hashable, Hashable], int | None] = {
        cell: None if cell in suppressed else count for cell, count in full.items()}
    return Published(counts, frozenset(suppressed))
