"""Reporting discipline: when an institution is overdue (pure; no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.reporting import (
    ANNUAL_REPORT_MISSING,
    NO_RECENT_CHANGE,
    annual_date_in,
    is_overdue,
    overdue_reasons,
    parse_annual_date,
)

TODAY = date(2026, 10, 1)


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_never_reported_is_overdue() -> None:
    assert overdue_reasons(None, None, TODAY) == [NO_RECENT_CHANGE]


def test_a_change_within_the_period_is_on_time_and_one_day_more_is_overdue() -> None:
    assert not is_overdue(at("2026-09-01"), None, TODAY)  # 30 days ago
    assert is_overdue(at("2026-08-31"), None, TODAY)  # 31 days ago
    assert not is_overdue(None, at("2026-09-01"), TODAY)  # an upload counts as well
    assert not is_overdue(at("2026-01-01"), at("2026-09-20"), TODAY)  # the newer of the two counts
    assert is_overdue(at("2026-09-20"), None, TODAY, period_days=7)


def test_the_period_counts_vilnius_days() -> None:
    # 22:30 UTC on 31 August is 01:30 on 1 September in Vilnius: 30 days before 1 October.
    assert not is_overdue(at("2026-08-31", 22), None, TODAY)
    assert is_overdue(at("2026-08-31", 20), None, TODAY)


def test_annual_date_passed_without_an_upload_is_overdue_even_with_api_changes() -> None:
    annual = parse_annual_date("09-15")
    assert overdue_reasons(at("2026-09-30"), at("2026-09-14"), TODAY, annual_date=annual) == [ANNUAL_REPORT_MISSING]
    assert overdue_reasons(at("2026-09-30"), None, TODAY, annual_date=annual) == [ANNUAL_REPORT_MISSING]
    assert overdue_reasons(None, None, TODAY, annual_date=annual) == [NO_RECENT_CHANGE, ANNUAL_REPORT_MISSING]


def test_an_upload_on_or_after_the_annual_date_satisfies_it() -> None:
    annual = parse_annual_date("09-15")
    assert not is_overdue(None, at("2026-09-15"), TODAY, annual_date=annual)
    assert not is_overdue(None, at("2026-09-14", 22), TODAY, annual_date=annual)  # 01:00 on the 15th in Vilnius


def test_the_annual_date_itself_and_before_are_not_yet_overdue() -> None:
    annual = parse_annual_date("10-01")
    assert not is_overdue(at("2026-09-30"), None, TODAY, annual_date=annual)  # today is the date
    assert not is_overdue(at("2026-09-30"), None, TODAY, annual_date=parse_annual_date("12-01"))


def test_last_year_upload_does_not_count_for_this_year() -> None:
    annual = parse_annual_date("09-15")
    assert is_overdue(at("2026-09-30"), at("2025-12-01"), TODAY, annual_date=annual)


@pytest.mark.parametrize("text", ["9-15", "09/15", "13-01", "02-30", "", "0a-10", "09-15-01"])
def test_bad_annual_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_annual_date(text)


def test_29_february_falls_on_28_february_in_a_common_year() -> None:
    assert annual_date_in(2026, parse_annual_date("02-29")) == date(2026, 2, 28)
    assert annual_date_in(2028, parse_annual_date("02-29")) == date(2028, 2, 29)


def test_the_reasons_in_words_name_the_period_and_this_years_date() -> None:
    from chalicelib.domain.reporting import reason_text

    today = date(2026, 4, 1)
    assert reason_text(NO_RECENT_CHANGE, today, period_days=45)["lt"].startswith("Per paskutines 45 d.")
    annual = reason_text(ANNUAL_REPORT_MISSING, today, annual_date=(2, 29))  # 28 February in 2026
    assert "2026-02-28" in annual["lt"] and annual["en"].startswith("The annual reporting date (2026-02-28)")


def test_the_files_writer_neutralises_text_and_keeps_numbers() -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from chalicelib.domain.spreadsheet import csv_text, xlsx_bytes

    rows: list[list[str | int | None]] = [["=1+1", 3, None, "-2"]]
    written = list(csv.reader(io.StringIO(csv_text(["a", "b", "c", "d"], rows)[1:]), delimiter=";"))
    assert written == [["a", "b", "c", "d"], ["'=1+1", "3", "", "'-2"]]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("S", ["a", "b", "c", "d"], rows)), read_only=True)["S"]
    assert list(sheet.iter_rows(values_only=True))[1] == ("'=1+1", 3, None, "'-2")
