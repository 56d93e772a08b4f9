"""Statistics' derivations and open data's suppression (chalicelib/domain/statistics.py)."""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Mapping
from fractions import Fraction

import pytest

from chalicelib.domain.statistics import SMALL_COUNT, TOTAL, Published, grade_of, publish, sex_of


@pytest.mark.parametrize(("class_name", "grade"), [
    ("1a", 1), ("8b", 8), ("10", 10), ("12c", 12), ("Ia", 9), ("IIb", 10), ("IIIa", 11), ("IVc", 12), ("iv", 12),
    (None, None), ("", None), ("x", None)])
def test_the_grade_of_a_class(class_name: str | None, grade: int | None) -> None:
    assert grade_of(class_name) == grade


def test_sex_from_the_personal_code() -> None:
    assert [sex_of(code) for code in ("38703181745", "48703180000", "50803041232", "60708210630")] == \
        ["M", "F", "M", "F"]
    assert sex_of("MR-00000001") is None and sex_of("90001010000") is None


def determined(published: Published) -> list[tuple[Hashable, Hashable]]:
    """The suppressed cells an attacker can compute exactly from the published counts: those whose
    unit vector lies in the row space of the lines' equations over the suppressed cells (exact
    Gaussian elimination over the rationals)."""
    hidden = sorted(published.suppressed, key=repr)
    index = {cell: i for i, cell in enumerate(hidden)}
    cells = list(published.counts)
    rows = sorted({r for r, _ in cells if r != TOTAL}, key=repr)
    columns = sorted({c for _, c in cells if c != TOTAL}, key=repr)
    lines = [[(r, c) for c in columns] + [(r, TOTAL)] for r in [*rows, TOTAL]]
    lines += [[(r, c) for r in rows] + [(TOTAL, c)] for c in [*columns, TOTAL]]
    equations = []
    for line in lines:  # sum of the line's cells − its total = 0, over the hidden ones
        coefficients = [Fraction(0)] * len(hidden)
        for cell in line[:-1]:
            if cell in index:
                coefficients[index[cell]] += 1
        if line[-1] in index:
            coefficients[index[line[-1]]] -= 1
        if any(coefficients):
            equations.append(coefficients)
    basis: list[tuple[int, list[Fraction]]] = []  # (pivot, row) in row echelon form
    for equation in equations:
        row = reduced(equation, basis)
        lead = next((i for i, value in enumerate(row) if value), None)
        if lead is not None:
            basis.append((lead, row))
    return [cell for cell, i in index.items()
            if not any(reduced([Fraction(int(j == i)) for j in range(len(hidden))], basis))]


def reduced(row: list[Fraction], basis: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    for pivot, base in basis:
        if row[pivot]:
            factor = row[pivot] / base[pivot]
            row = [a - factor * b for a, b in zip(row, base, strict=True)]
    return row


def test_small_counts_are_withheld_with_a_second_cell_in_each_line() -> None:
    table = {("A", "F"): 3, ("A", "M"): 40, ("B", "F"): 25, ("B", "M"): 31}
    published = publish(table)
    assert published.counts[("A", "F")] is None
    assert all(count is None or count >= SMALL_COUNT or count == 0 for count in published.counts.values())
    assert published.counts[(TOTAL, TOTAL)] == 99  # the grand total stands
    assert determined(published) == []


@pytest.mark.parametrize("seed", range(40))
def test_no_withheld_count_follows_from_the_published_ones(seed: int) -> None:
    """Random small tables (institutions × grades), the way a municipality's look: whatever is
    withheld cannot be computed from what is published, by any sum or difference of lines."""
    chance = random.Random(seed)
    rows, columns = chance.randint(1, 4), chance.randint(1, 4)
    table = {(f"school-{r}", c + 1): chance.choice([0, 1, 2, 3, 4, 5, 8, 12, 30])
             for r in range(rows) for c in range(columns)}
    published = publish(table)
    assert all(count is None or not 0 < count < SMALL_COUNT for count in published.counts.values())
    assert determined(published) == [], (table, sorted(published.suppressed, key=repr))


def values_within_bounds(published: Published, cell: tuple[Hashable, Hashable], cap: int,
                         known: Mapping[tuple[Hashable, Hashable], int] | None = None,
                         small: Collection[tuple[Hashable, Hashable]] = ()) -> set[int]:
    """The values an attacker can give withheld `cell` (stops at two): every assignment of
    1…`cap` to the withheld cells that the published lines allow (each row sums to its total,
    each column to its total), searched exhaustively — a line with one unknown left fixes it.
    The attacker may also know some counts exactly (`known`: a school's own row) and that the
    `small` ones (withheld for being below `SMALL_COUNT`) are at most `SMALL_COUNT − 1`."""
    def cap_of(unknown: tuple[Hashable, Hashable]) -> int:
        return min(cap, SMALL_COUNT - 1) if unknown in small else cap

    rows = sorted({r for r, _ in published.counts if r != TOTAL}, key=repr)
    columns = sorted({c for _, c in published.counts if c != TOTAL}, key=repr)
    Cell = tuple[Hashable, Hashable]
    lines: list[tuple[list[Cell], Cell]] = [([(r, c) for c in columns], (r, TOTAL)) for r in [*rows, TOTAL]]
    lines += [([(r, c) for r in rows], (TOTAL, c)) for c in [*columns, TOTAL]]
    found: set[int] = set()
    Values = dict[tuple[Hashable, Hashable], int | None]

    def settle(values: Values) -> Values | None:
        """Fill what the lines force; None if they contradict."""
        values = dict(values)
        changed = True
        while changed:
            changed = False
            for parts, total in lines:
                unknown = [p for p in [*parts, total] if values[p] is None]
                known = sum(values[p] or 0 for p in parts) - (values[total] or 0)  # parts − total
                if not unknown:
                    if known != 0:
                        return None
                elif len(unknown) == 1:
                    value = -known if unknown[0] != total else known
                    if not 1 <= value <= cap_of(unknown[0]):
                        return None
                    values[unknown[0]] = value
                    changed = True
                elif values[total] is not None and known + len(unknown) > 0:
                    return None  # the unknown parts, each at least 1, would exceed the total
        return values

    def domain(values: Values, unknown: tuple[Hashable, Hashable]) -> range:
        """The values `unknown` may still take: each line with a known total bounds its parts."""
        low, high = 1, cap_of(unknown)
        for parts, total in lines:
            if unknown in parts and values[total] is not None:
                others = [values[p] for p in parts if p != unknown]
                high = min(high, int(values[total] or 0) - sum(v or 0 for v in others)
                           - sum(1 for v in others if v is None))
            elif unknown == total:
                low = max(low, sum(1 if values[p] is None else int(values[p] or 0) for p in parts))
        return range(low, high + 1)

    def search(values: Values) -> None:
        settled = settle(values)
        if settled is None or len(found) >= 2:
            return
        unknown = [c for c in sorted(published.suppressed, key=repr) if settled[c] is None]
        if not unknown:
            found.add(int(settled[cell] or 0))
            return
        head = cell if settled[cell] is None else min(unknown, key=lambda c: len(domain(settled, c)))
        for value in domain(settled, head):
            search(settled | {head: value})

    search(dict(published.counts) | dict(known or {}))
    return found


def test_a_line_whose_withheld_cells_are_all_ones_is_not_left_so() -> None:
    """Rows of 1, 1, 5: the two ones are withheld and each line has two withheld cells, yet
    their row's total minus 5 leaves 2 for two cells of at least 1 — both are 1. Withholding
    more (a 5, a total) is what makes each admit another value."""
    table = {("A", 1): 1, ("A", 2): 1, ("A", 3): 5, ("B", 1): 1, ("B", 2): 1, ("B", 3): 6}
    published = publish(table)
    assert {("A", 1), ("A", 2), ("B", 1), ("B", 2)} <= published.suppressed
    assert published.suppressed > {("A", 1), ("A", 2), ("B", 1), ("B", 2), (TOTAL, 1), (TOTAL, 2)}
    for cell in published.suppressed:
        assert len(values_within_bounds(published, cell, cap=20)) >= 2, cell


@pytest.mark.parametrize("seed", range(30))
def test_no_withheld_count_is_pinned_by_the_bounds(seed: int) -> None:
    """Random small tables with many ones and twos: an exhaustive attacker who knows every
    withheld count is at least 1 finds two values for each."""
    chance = random.Random(1000 + seed)
    rows, columns = chance.randint(1, 3), chance.randint(1, 3)
    table = {(f"school-{r}", c + 1): chance.choice([0, 1, 1, 2, 3, 6]) for r in range(rows) for c in range(columns)}
    published = publish(table)
    cap = sum(table.values()) + 2
    for cell in published.suppressed:
        assert len(values_within_bounds(published, cell, cap)) >= 2, (table, cell)
    assert determined(published) == []


def own_row(table: Mapping[tuple[str, int], int], row: str) -> dict[tuple[Hashable, Hashable], int]:
    """What a school knows without asking anyone: its own counts and their total."""
    mine: dict[tuple[Hashable, Hashable], int] = {cell: count for cell, count in table.items() if cell[0] == row}
    return mine | {(row, TOTAL): sum(mine.values())}


def test_a_school_cannot_subtract_its_own_row_to_learn_another_schools_count() -> None:
    """The red team's example: all four inner cells are small or withheld with them; were the
    totals published, X would subtract its own 3 from grade 8's total 5 and find Y's 2."""
    table = {("X", 5): 10, ("X", 8): 3, ("Y", 5): 10, ("Y", 8): 2}
    published = publish(table)
    assert ("Y", 8) in published.suppressed and ("X", 8) in published.suppressed
    for school in ("X", "Y"):
        known = own_row(table, school)
        for cell in published.suppressed - set(known):
            assert len(values_within_bounds(published, cell, cap=60, known=known)) >= 2, (school, cell)
    assert len(values_within_bounds(published, ("Y", 8), cap=60, known=own_row(table, "X"))) >= 2


def with_margins(table: Mapping[tuple[str, int], int]) -> dict[tuple[Hashable, Hashable], int]:
    """The table's counts with its row, column and grand totals."""
    rows, columns = {r for r, _ in table}, {c for _, c in table}
    return {(r, c): sum(n for (row, column), n in table.items() if r in (TOTAL, row) and c in (TOTAL, column))
            for r in [*rows, TOTAL] for c in [*columns, TOTAL]}


@pytest.mark.parametrize("seed", range(40))
def test_no_withheld_count_is_pinned_for_a_school_that_knows_its_own_row(seed: int) -> None:
    """Random small tables with many small counts: an exhaustive attacker who knows one school's
    row exactly, that every withheld count is at least 1 and that a small one is at most 4, finds
    two values for each other withheld count — unless even withholding every count would not hide
    it from that school (a column where only that school has pupils: its total is the school's own
    count), which the same attacker, run on the table with everything withheld, shows."""
    chance = random.Random(2000 + seed)
    rows, columns = chance.randint(2, 3), chance.randint(1, 3)
    table = {(f"school-{r}", c + 1): chance.choice([0, 1, 1, 2, 3, 6, 9]) for r in range(rows) for c in range(columns)}
    published = publish(table)
    full = with_margins(table)
    small = {cell for cell, count in full.items() if 0 < count < SMALL_COUNT}
    everything = Published({cell: 0 if count == 0 else None for cell, count in full.items()},
                           frozenset(cell for cell, count in full.items() if count))
    cap = sum(table.values()) + 2
    for school in sorted({r for r, _ in table}):
        known = own_row(table, school)
        for cell in sorted(published.suppressed - set(known), key=repr):
            if len(values_within_bounds(published, cell, cap, known=known, small=small)) >= 2:
                continue
            assert len(values_within_bounds(everything, cell, cap, known=known, small=small)) < 2, \
                (table, school, cell, sorted(published.suppressed, key=repr))
    assert determined(published) == []
