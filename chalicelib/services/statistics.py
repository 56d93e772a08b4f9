"""Pupil statistics on a date (docs/STATE.md section 3): the state's view (ministry national,
an official their municipality) and the public open data, both read from the nightly snapshot —
one GetItem of the day's `#DONE` mark and one Query of its partition (items ∝ institutions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from datetime import date
from typing import Any

from chalicelib.config import settings
from chalicelib.domain import dates, policy
from chalicelib.domain import problems as P
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.snapshot import CountKey, is_reference_date, latest_reference_date
from chalicelib.domain.statistics import TOTAL, publish
from chalicelib.errors import Problem
from chalicelib.models.statistics import StatisticsItem, day_counts, day_done, publish_once, published_tables
from chalicelib.services.access import require
from chalicelib.services.filters import municipality_filter

COLUMNS = ("Data", "Savivaldybė", "Įstaigos kodas", "Įstaiga", "Klasė", "Programa", "Mokymosi forma", "Lytis",
           "Mokinių")
OPEN_COLUMNS = ("Data", "Savivaldybė", "Savivaldybės pavadinimas", "Įstaigos kodas", "Įstaiga", "Klasė", "Mokinių",
                "Nuslėpta")
NO_GRADE = "-"  # the open table's column for pupils whose class names no grade


def parse_day(value: str | None) -> date:
    """The `date` parameter, default today (Vilnius)."""
    if value is None:
        return dates.vilnius_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Problem(P.request.date) from None


def _items(day: date, municipality: str | None) -> tuple[StatisticsItem, list[StatisticsItem]]:
    done = day_done(day)
    if done is None:
        raise Problem(P.statistics.not_computed, f"No statistics for {day.isoformat()}.")
    return done, sorted(day_counts(day, municipality), key=lambda item: item.place)


def statistics_view(caller: CallerFacts, day_value: str | None, municipality_value: str | None) -> dict[str, Any]:
    """Counts by institution, grade level, programme, learning form and sex on the day: national
    (the ministry) or one municipality (the ministry, or that municipality's official; an official
    of one municipality who names none gets theirs)."""
    municipality = municipality_filter(municipality_value)
    if municipality is None and not caller.is_ministry and len(caller.municipalities) == 1:
        municipality = next(iter(caller.municipalities))
    if municipality is None:
        require(policy.administer(caller) if not caller.municipalities else
                policy.see_municipality(caller, ""))  # an official of several must choose one
    else:
        require(policy.see_municipality(caller, municipality))
    day = parse_day(day_value)
    done, items = _items(day, municipality)
    institutions = []
    by_grade: Counter[int | None] = Counter()
    by_sex: Counter[str | None] = Counter()
    by_programme: Counter[str | None] = Counter()
    by_form: Counter[str | None] = Counter()
    for item in items:
        counts = []
        for stored, count in (item.counts or {}).items():
            key = CountKey.parse(stored)
            counts.append({"grade": key.grade, "programme": key.programme, "learning_form": key.learning_form,
                           "sex": key.sex, "count": count})
            by_grade[key.grade] += count
            by_sex[key.sex] += count
            by_programme[key.programme] += count
            by_form[key.learning_form] += count
        institutions.append({"institution_id": item.institution_id, "name": item.institution_name,
                             "municipality": item.municipality,
                             "municipality_name": municipality_name(item.municipality or ""),
                             "total": int(item.total or 0), "counts": counts})
    return {
        "date": day.isoformat(), "municipality": municipality,
        "municipality_name": municipality_name(municipality) if municipality else None,
        "computed_at": done.computed_at.isoformat(), "total": sum(by_grade.values()),
        "by_grade": _sorted_counts(by_grade, "grade"), "by_sex": _sorted_counts(by_sex, "sex"),
        "by_programme": _sorted_counts(by_programme, "programme"),
        "by_learning_form": _sorted_counts(by_form, "learning_form"), "institutions": institutions,
    }


def _sorted_counts(counts: Counter[Any], name: str) -> list[dict[str, Any]]:
    """Known values in order, the unknown (None) last."""
    return [{name: key, "count": counts[key]} for key in sorted(counts, key=lambda k: (k is None, k or 0)
                                                                 if name == "grade" else (k is None, k or ""))]


def statistics_rows(view: dict[str, Any]) -> list[list[str | int]]:
    """The view as rows of `COLUMNS`: one per institution and combination counted."""
    rows: list[list[str | int]] = []
    for institution in view["institutions"]:
        for count in sorted(institution["counts"], key=lambda c: tuple("" if v is None else str(v)
                                                                      for v in c.values())):
            rows.append([view["date"], institution["municipality"], institution["institution_id"],
                         institution["name"] or "", "" if count["grade"] is None else str(count["grade"]),
                         count["programme"] or "", count["learning_form"] or "", count["sex"] or "",
                         count["count"]])
    return rows


def open_tables(day: date) -> list[dict[str, Any]]:
    """Pupils by institution and grade level, a table per municipality, each published with
    `publish` (counts below 5 withheld, with complementary cells and protection intervals;
    docs/STATE.md section 3). No names, no sex, no programme: nothing about a person. The
    municipality's tables are disjoint (an institution is in one), and no national total is
    published beside them, so no table's withheld cells follow from another's. Computed once, by
    the nightly job on a reference date (`publish_open_data`), never per request."""
    by_municipality: dict[str, list[StatisticsItem]] = {}
    for item in day_counts(day, None):
        by_municipality.setdefault(item.municipality or "", []).append(item)
    tables = []
    for code, members in sorted(by_municipality.items()):
        names = {item.institution_id or "": item.institution_name or "" for item in members}
        table: Counter[tuple[Hashable, Hashable]] = Counter()
        for item in members:
            for stored, count in (item.counts or {}).items():
                grade = CountKey.parse(stored).grade
                table[(item.institution_id or "", NO_GRADE if grade is None else grade)] += count
        published = publish(table)
        grades = sorted({c for _, c in published.counts if c != TOTAL}, key=lambda g: (g == NO_GRADE, str(g).zfill(3)))
        rows = []
        for institution in [*sorted(names, key=lambda iid: (names[iid], iid)), TOTAL]:
            cells = [{"grade": grade, "count": published.counts.get((institution, grade), 0)}  # no pupils: no row
                     for grade in [*grades, TOTAL]]
            rows.append({"institution_id": None if institution == TOTAL else institution,
                         "name": None if institution == TOTAL else names[str(institution)], "cells": cells})
        tables.append({"municipality": code, "grades": [*grades, TOTAL], "rows": rows})
    return tables


def publish_open_data(day: date) -> int:
    """Publish `day`'s open data (a reference date), each municipality's table once: a table
    already published for that day stays as it was. Returns how many were published now."""
    now = dates.utc_now()
    return sum(publish_once(day, table["municipality"], table, now) for table in open_tables(day))


def open_data(day_value: str | None, municipality_value: str | None) -> dict[str, Any]:
    """Public: the tables published for a reference date (default: the latest), as published."""
    municipality = municipality_filter(municipality_value)
    reference = settings().open_data_reference_date
    day = latest_reference_date(dates.vilnius_today(), reference) if day_value is None else parse_day(day_value)
    if not is_reference_date(day, reference):
        raise Problem(P.statistics.not_published)
    stored = published_tables(day, municipality)
    if not stored:
        raise Problem(P.statistics.not_computed)
    tables = [dict(item.published or {}) | {"municipality_name": municipality_name(item.place)} for item in stored]
    computed = min(item.computed_at for item in stored)
    return {"date": day.isoformat(), "computed_at": computed.isoformat(), "tables": tables}


def open_data_rows(view: dict[str, Any]) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for table in view["tables"]:
        for row in table["rows"]:
            for cell in row["cells"]:
                withheld = cell["count"] is None
                rows.append([view["date"], table["municipality"], (table["municipality_name"] or {}).get("lt", ""),
                             row["institution_id"] or TOTAL, row["name"] or "", str(cell["grade"]),
                             "" if withheld else cell["count"], "taip" if withheld else ""])
    return rows
