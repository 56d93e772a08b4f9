"""The register's calendar: a date in the register is a date in Lithuania.

A permit valid until 31 August ends at midnight in Vilnius, a child comes of age at midnight in
Vilnius, a record dated today is not "in the future" at 00:30 in Vilnius. Lambda runs in UTC
(and a developer's machine in any zone), which is two or three hours behind: `date.today()` there
would keep an expired permit working until 02:00/03:00 and refuse a permit on its first night.
So every "today" that decides something comes from here.

The zone comes from the system's time zone database, or from the `tzdata` package where there is
none (pinned in requirements.txt; docs/OPERATIONS.md says why).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

REGISTER_ZONE = "Europe/Vilnius"


def _zone() -> ZoneInfo:
    # ZoneInfo keeps its own cache of instances: no file is read after the first call.
    return ZoneInfo(REGISTER_ZONE)


def vilnius_date(moment: datetime) -> date:
    """The date in Vilnius at `moment` (which must carry its zone: a naive time means nothing here)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no place in the register's calendar")
    return moment.astimezone(_zone()).date()


def vilnius_hour(moment: datetime) -> int:
    """The hour on Vilnius clocks at `moment` (summer or winter time)."""
    return moment.astimezone(_zone()).hour


def utc_now() -> datetime:
    """The clock (one place, so a test can stand at any instant)."""
    return datetime.now(UTC)


def vilnius_today() -> date:
    """Today in Vilnius, by the clock of this machine (whatever its own zone)."""
    return vilnius_date(utc_now())


def end_of_vilnius_day(day: date) -> datetime:
    """The last instant of `day` in Vilnius, in UTC (what a "valid until `day`" deadline is stored as)."""
    return datetime.combine(day, time.max, _zone()).astimezone(UTC)
