"""The register's calendar is Lithuania's: a permit valid to 31 August ends at midnight in Vilnius,
a child comes of age on their birthday in Vilnius, a representative's day of mismatches ends there
— not in UTC, where Lambda's clock runs, which is two or three hours behind."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VILNIUS = ZoneInfo("Europe/Vilnius")


def vilnius_today(now: datetime | None = None) -> date:
    """Today's date in Vilnius at the moment `now` (an aware datetime; default: the clock)."""
    return (now or datetime.now(UTC)).astimezone(VILNIUS).date()
