"""Pupil statistics: what a count is counted by, and what may be published of it (docs/STATE.md,
section 3). Pure: the nightly snapshot derives with these, the pages and the open data publish
with them.

Open data suppresses every count below `SMALL_COUNT`, and so that a suppressed count cannot be
recovered by subtracting the published ones from a published total, no row or column of a
published table — its total included — has exactly one suppressed cell: where one has, the
smallest other count of that line is suppressed too, until none has (complementary suppression).
Subtraction is not all an attacker has: a withheld count is known to be at least 1, so more is
withheld until every withheld count admits at least two values within the published margins and
those bounds (a protection interval; `_pinned`).
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
    """`table` with its row, column and grand totals, small counts suppressed, each line's lone
    suppression accompanied by a second one, and more withheld until no withheld count is pinned
    down by the published ones and the bounds an attacker knows (`_pinned`)."""
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
    _protect_intervals(full, suppressed, lines)
    counts: dict[tuple[Hashable, Hashable], int | None] = {
        cell: None if cell in suppressed else count for cell, count in full.items()}
    return Published(counts, frozenset(suppressed))


Cell = tuple[Hashable, Hashable]


def _protect_intervals(full: dict[Cell, int], suppressed: set[Cell], lines: list[list[Cell]]) -> None:
    """Withhold more until every withheld count admits at least two values. Subtraction is not
    all an attacker has: a withheld count is at least 1 (a zero is published), so a line whose
    withheld cells sum to exactly their number gives each of them away (all ones), and so can a
    combination of lines. Each withheld cell is checked once: withholding more only adds ways
    for the others to vary, so a cell found safe stays safe."""
    queue = sorted(suppressed, key=repr)
    while queue:
        cell = queue[0]
        if not _pinned(cell, full, suppressed):
            queue.pop(0)
            continue
        extra = _next_to_withhold(cell, full, suppressed, lines)
        suppressed.add(extra)
        queue.append(extra)


def _next_to_withhold(cell: Cell, full: dict[Cell, int], suppressed: set[Cell], lines: list[list[Cell]]) -> Cell:
    """The smallest published count (not zero) of the pinned cell's own lines, else of any line
    holding a withheld cell. There is always one: once everything but the zeros is withheld, every
    cell can grow by one with its row's, its column's and the grand total (`_pinned` is False)."""
    own = [other for line in lines if cell in line for other in line]
    near = [other for line in lines if any(c in suppressed for c in line) for other in line]
    for pool in (own, near, list(full)):
        candidates = sorted((full[c], repr(c), c) for c in set(pool) if c not in suppressed and full[c] > 0)
        if candidates:
            return candidates[0][2]
    raise AssertionError("a pinned cell with nothing left to withhold")  # unreachable, see above


def _pinned(cell: Cell, full: dict[Cell, int], suppressed: set[Cell]) -> bool:
    """Whether the published counts and the bounds (every withheld count ≥ 1) leave `cell` one
    value only. The lines' equations say each row sums to its total and each column to its
    total; signing the margins negative (`w = s(row)·s(col)·x`, `s(TOTAL) = -1`) makes every line
    of `w` sum to zero, so the other solutions differ from the true one by integer tables of zero
    line sums on the withheld cells — sums of alternating cycles in the bipartite graph of rows
    and columns whose edges are the withheld cells (conformal decomposition). `cell` can take
    another value iff some simple cycle through it, +1 and −1 alternately in `w`, lowers only
    counts of at least 2. Found as a path search in the graph that orients each edge the way its
    count may move, without the edge of `cell` itself."""
    def sign(key: Hashable) -> int:
        return -1 if key == TOTAL else 1

    # Directed edges: a row-to-column step adds 1 to w, a column-to-row step subtracts 1.
    steps: dict[tuple[str, Hashable], list[tuple[str, Hashable]]] = {}
    for other in suppressed:
        if other == cell:
            continue
        r, c = other
        moved = sign(r) * sign(c)  # the change of x when w grows by 1
        if moved > 0 or full[other] >= 2:
            steps.setdefault(("r", r), []).append(("c", c))
        if -moved > 0 or full[other] >= 2:
            steps.setdefault(("c", c), []).append(("r", r))
    r, c = cell
    moved = sign(r) * sign(c)
    # Through the cell's own edge either way: r→c (x moves by `moved`), then back from c to r.
    ends = []
    if moved > 0 or full[cell] >= 2:
        ends.append((("c", c), ("r", r)))
    if -moved > 0 or full[cell] >= 2:
        ends.append((("r", r), ("c", c)))
    for start, goal in ends:
        seen = {start}
        frontier = [start]
        while frontier:
            node = frontier.pop()
            if node == goal:
                return False
            for after in steps.get(node, ()):
                if after not in seen:
                    seen.add(after)
                    frontier.append(after)
    return True
