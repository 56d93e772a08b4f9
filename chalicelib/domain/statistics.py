"""Pupil statistics: what a count is counted by, and what may be published of it (docs/STATE.md,
section 3). Pure: the nightly snapshot derives with these, the pages and the open data publish
with them.

Open data suppresses every count below `SMALL_COUNT`, and so that a suppressed count cannot be
recovered by subtracting the published ones from a published total, no row or column of a
published table — its total included — has exactly one suppressed cell: where one has, the
smallest other count of that line is suppressed too, until none has (complementary suppression).
Subtraction is not all an attacker has: a withheld count is known to be at least 1 (and below
`SMALL_COUNT` if it was withheld for being small), and every school knows its own row exactly (it
reported those pupils). So more is withheld until every withheld count admits at least two values
within the published margins and those bounds, also to a school that adds its own row's counts
(a protection interval against one known row; `_exposure`). Several schools pooling their rows
are not guarded against: that would withhold most of a municipality's table.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import Hashable, Mapping
from collections.abc import Set as AbstractSet
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
    down by the published ones, the bounds an attacker knows and one school's own row
    (`_protect_intervals`)."""
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
    _protect_intervals(full, suppressed, frozenset(rows))
    counts: dict[tuple[Hashable, Hashable], int | None] = {
        cell: None if cell in suppressed else count for cell, count in full.items()}
    return Published(counts, frozenset(suppressed))


Cell = tuple[Hashable, Hashable]
Node = tuple[str, Hashable]  # ("r", row) or ("c", column) of the bipartite graph of withheld cells


def _sign(key: Hashable) -> int:
    return -1 if key == TOTAL else 1


class _Moves:
    """The directed graph of the ways the withheld counts may move by one (see `_exposure`): an
    edge row→column where a cell's signed count `w = s(row)·s(col)·x` may grow by 1, column→row
    where it may shrink by 1, within the bounds an attacker knows — every withheld count is ≥ 1,
    and a count below `SMALL_COUNT` (withheld for being small) is at most `SMALL_COUNT − 1`.
    Nothing more is assumed: a complementary cell may be any count ≥ 1 as far as one knows."""

    def __init__(self, full: dict[Cell, int]) -> None:
        self.full = full
        self.out: dict[Node, dict[Node, Cell]] = {}

    def fits(self, cell: Cell, value: int) -> bool:
        small = 0 < self.full[cell] < SMALL_COUNT
        return value >= 1 and (not small or value < SMALL_COUNT)

    def add(self, cell: Cell) -> None:
        r, c = cell
        moved = _sign(r) * _sign(c)  # the change of x when w grows by 1
        if self.fits(cell, self.full[cell] + moved):
            self.out.setdefault(("r", r), {})[("c", c)] = cell
        if self.fits(cell, self.full[cell] - moved):
            self.out.setdefault(("c", c), {})[("r", r)] = cell

    def path(self, start: Node, goal: Node, avoid: Node | None) -> list[Node] | None:
        """A path from `start` to `goal` through neither `avoid` nor the edge start→goal (the
        cell's own), depth first, or None."""
        seen = {start}
        stack = [(start, iter(self.out.get(start, {})))]
        while stack:
            node, successors = stack[-1]
            if node != start and goal in self.out.get(node, {}):
                return [n for n, _ in stack] + [goal]
            for after in successors:
                if after in seen or after in (avoid, goal):
                    continue
                seen.add(after)
                stack.append((after, iter(self.out.get(after, {}))))
                break
            else:
                stack.pop()
        return None


def _exposure(cell: Cell, moves: _Moves, rows: AbstractSet[Hashable],
              excused: set[Hashable]) -> tuple[bool, Hashable]:
    """Whether `cell` is left one value, and by whom: (True, None) by the published counts and
    the bounds alone, (True, row) by them and the exact counts of `row` — every school knows its
    own row (it reported those pupils) — else (False, None). Attackers in `excused` are not asked.
    Collusion of several schools (more than one row known) is not guarded against.

    The lines' equations say each row sums to its total and each column to its total; signing
    the margins negative makes every line of `w` sum to zero, so the other solutions differ from
    the true one by integer tables of zero line sums on the withheld cells — sums of alternating
    cycles in the bipartite graph of rows and columns whose edges are the withheld cells
    (conformal decomposition). `cell` can take another value iff some simple cycle through it
    moves only counts that may move that way (a path in `_Moves` between its row and column);
    with a row known, the cycle must not pass through that row (its cells are fixed). A row is a
    threat only if it is on every such path, so only the rows on the first path found in each
    direction are tried again without them."""
    r, _ = cell
    ends = _ends(cell, moves)
    found = [moves.path(start, goal, None) for start, goal in ends]
    if not any(found):
        return (None not in excused, None)
    threats: set[Hashable] | None = None
    for path in found:
        if path is not None:
            on = {key for kind, key in path if kind == "r" and key not in (r, TOTAL)}
            threats = on if threats is None else threats & on
    for row in sorted(threats or (), key=repr):
        if row in excused or row not in rows:
            continue
        if not any(moves.path(start, goal, ("r", row)) for start, goal in ends):
            return (True, row)
    return (False, None)


def _protect_intervals(full: dict[Cell, int], suppressed: set[Cell], rows: AbstractSet[Hashable]) -> None:
    """Withhold more until every withheld count admits at least two values to an attacker who
    has the published counts, the bounds, and at most one school's row (`_exposure`). Subtraction
    is not all an attacker has: a withheld count is at least 1 (a zero is published), so a line
    whose withheld cells sum to exactly their number gives each of them away (all ones), and so
    can a combination of lines; and a school that subtracts its own count from a column's total
    may be left with another school's. A cell pinned for an attacker gets the cheapest cycle
    that protects it from that attacker (`_cheapest_cycle`): its published cells are withheld
    too, and checked in turn. Each withheld cell is checked until safe: withholding more only
    adds ways for the others to vary, so a cell found safe stays safe. Where even withholding
    every count would not protect a cell from an attacker (a column where only that school has
    pupils: its total is the school's own count), that attacker is excused for that cell."""
    moves = _Moves(full)
    for cell in sorted(suppressed, key=repr):
        moves.add(cell)
    everything: _Moves | None = None  # every count withheld: what protection is possible at all
    excused: dict[Cell, set[Hashable]] = {}
    queue = deque(sorted(suppressed, key=repr))
    while queue:
        cell = queue[0]
        pinned, attacker = _exposure(cell, moves, rows, excused.setdefault(cell, set()))
        if not pinned:
            queue.popleft()
            continue
        if everything is None:
            everything = _Moves(full)
            for other in sorted(full, key=repr):
                if full[other] > 0:
                    everything.add(other)
        extra = _cheapest_cycle(cell, everything, suppressed, None if attacker is None else ("r", attacker))
        if extra is None:
            excused[cell].add(attacker)
        for other in extra or ():
            suppressed.add(other)
            moves.add(other)
            queue.append(other)


def _ends(cell: Cell, moves: _Moves) -> list[tuple[Node, Node]]:
    """The paths that close a cycle through `cell`'s own edge: row→column where its count may
    move by the edge's sign (then back from the column to the row), column→row the other way."""
    r, c = cell
    moved = _sign(r) * _sign(c)
    ends: list[tuple[Node, Node]] = []
    if moves.fits(cell, moves.full[cell] + moved):
        ends.append((("c", c), ("r", r)))
    if moves.fits(cell, moves.full[cell] - moved):
        ends.append((("r", r), ("c", c)))
    return ends


def _cheapest_cycle(cell: Cell, everything: _Moves, suppressed: set[Cell], avoid: Node | None) -> list[Cell] | None:
    """The published cells to withhold so that `cell` gets a cycle not through `avoid`: the
    path whose published counts sum least (a withheld cell costs nothing), Dijkstra over every
    count that is not zero; None if there is no such cycle even with every count withheld."""
    best: tuple[int, list[Cell]] | None = None
    for start, goal in _ends(cell, everything):
        distance: dict[Node, int] = {start: 0}
        through: dict[Node, tuple[Node, Cell]] = {}
        heap: list[tuple[int, int, Node]] = [(0, 0, start)]
        pushed = 1
        while heap:
            cost, _, node = heapq.heappop(heap)
            if cost > distance[node] or node == goal:
                continue
            for after, edge in everything.out.get(node, {}).items():
                if after == avoid or (node == start and after == goal):
                    continue
                step = cost + (0 if edge in suppressed else everything.full[edge])
                if step < distance.get(after, step + 1):
                    distance[after] = step
                    through[after] = (node, edge)
                    heapq.heappush(heap, (step, pushed, after))
                    pushed += 1
        if goal in distance and (best is None or distance[goal] < best[0]):
            edges = []
            node = goal
            while node != start:
                node, edge = through[node]
                edges.append(edge)
            best = (distance[goal], [edge for edge in reversed(edges) if edge not in suppressed])
    return None if best is None else best[1]
