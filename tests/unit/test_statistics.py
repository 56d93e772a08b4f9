"""Statistics' derivations and open data's suppression (chalicelib/domain/statistics.py)."""

from __future__ import annotations

import random
from collections.abc import Hashable
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
