"""The register's calendar: dates that decide access are dates in Vilnius (no AWS)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.domain import dates
from chalicelib.domain.access import PermitFacts, is_minor, permit_is_valid
from chalicelib.domain.dates import end_of_vilnius_day, vilnius_date, vilnius_today

# Winter (UTC+2) and summer (UTC+3) periods of a permit.
WINTER = PermitFacts("ACTIVE", "2026-01-15", "2026-02-20", frozenset({"read"}))
SUMMER = PermitFacts("ACTIVE", "2026-06-15", "2026-08-31", frozenset({"read"}))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("permit", [WINTER, SUMMER], ids=["winter", "summer"])
def test_a_permit_starts_and_ends_at_midnight_in_vilnius(permit: PermitFacts) -> None:
    day_before_start = date.fromisoformat(permit.valid_from) - timedelta(days=1)
    # 23:30 UTC on the day before valid_from is already valid_from in Vilnius (01:30 or 02:30).
    assert permit_is_valid(permit, vilnius_date(utc(f"{day_before_start}T23:30")))
    # 21:00 UTC the day before is still the day before in Vilnius (23:00 or 24:00): not yet.
    assert not permit_is_valid(permit, vilnius_date(utc(f"{day_before_start}T20:59")))
    # 22:30 UTC on valid_to is the next day in Vilnius (00:30 or 01:30): over.
    assert not permit_is_valid(permit, vilnius_date(utc(f"{permit.valid_to}T22:30")))
    assert permit_is_valid(permit, vilnius_date(utc(f"{permit.valid_to}T20:59")))


@pytest.mark.parametrize("birth", [date(2008, 1, 15), date(2008, 7, 15)], ids=["winter", "summer"])
def test_a_child_comes_of_age_at_midnight_in_vilnius(birth: date) -> None:
    birthday = birth.replace(year=birth.year + 18)
    eve = birthday - timedelta(days=1)
    assert not is_minor(birth, vilnius_date(utc(f"{eve}T22:30")))  # 00:30 or 01:30 on the birthday
    assert is_minor(birth, vilnius_date(utc(f"{eve}T20:59")))  # 22:59 or 23:59 on the eve


def test_the_clock_is_read_once_and_told_in_vilnius(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "utc_now", lambda: utc("2026-01-14T23:30"))
    assert vilnius_today() == date(2026, 1, 15)
    # Whatever zone the moment is given in, the Vilnius date is the same.
    assert vilnius_date(utc("2026-01-14T23:30").astimezone(timezone(timedelta(hours=-8)))) == date(2026, 1, 15)
    with pytest.raises(ValueError):
        vilnius_date(datetime(2026, 1, 14, 23, 30))


def test_a_day_ends_at_midnight_in_vilnius() -> None:
    assert end_of_vilnius_day(date(2026, 1, 15)) == datetime(2026, 1, 15, 21, 59, 59, 999999, UTC)
    assert end_of_vilnius_day(date(2026, 7, 15)) == datetime(2026, 7, 15, 20, 59, 59, 999999, UTC)


def test_the_zone_is_found_without_the_systems_time_zone_database() -> None:
    """As in a Lambda image with no /usr/share/zoneinfo: zoneinfo falls back to the pinned tzdata."""
    probe = ("import zoneinfo, datetime; from chalicelib.domain.dates import vilnius_date; "
             "assert zoneinfo.TZPATH == (), zoneinfo.TZPATH; "
             "print(vilnius_date(datetime.datetime(2026, 1, 14, 23, 30, tzinfo=datetime.UTC)))")
    env = {k: v for k, v in os.environ.items() if k != "TZ"} | {"PYTHONTZPATH": ""}
    found = subprocess.run([sys.executable, "-c", probe], env=env, cwd=Path(__file__).resolve().parents[2],
                           capture_output=True, text=True, timeout=60, check=False)
    assert (found.returncode, found.stdout.strip()) == (0, "2026-01-15"), found.stderr
