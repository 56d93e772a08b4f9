"""Reporting discipline: is an institution overdue with its data? Decided when read, never stored.

An institution is overdue when nothing reached the register from it (an API change or an upload)
within `REPORTING_PERIOD_DAYS` of today, or when this year's annual reporting date (`MM-DD`,
optional) has passed with no upload on or after it. Days are Vilnius dates (`domain/dates.py`):
an upload at 00:30 in Vilnius on the reporting date is on time, whatever the UTC date says.
"""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain.dates import vilnius_date
from chalicelib.domain.i18n import Text, text

DEFAULT_PERIOD_DAYS = 30
# Why an institution is overdue (stable codes; the API returns them as they are).
NO_RECENT_CHANGE = "no_recent_change"
ANNUAL_REPORT_MISSING = "annual_report_missing"


def parse_annual_date(text: str) -> tuple[int, int]:
    """`MM-DD` → (month, day); ValueError otherwise. 02-29 is allowed (it falls on 28 February
    in a common year)."""
    month_text, sep, day_text = text.partition("-")
    if sep != "-" or len(month_text) != 2 or len(day_text) != 2 or not (month_text + day_text).isdigit():
        raise ValueError("the annual reporting date must be MM-DD")
    month, day = int(month_text), int(day_text)
    date(2000, month, day)  # a leap year: any real calendar day passes, 02-30 does not
    return month, day


def annual_date_in(year: int, annual: tuple[int, int]) -> date:
    month, day = annual
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year
        return date(year, month, day - 1)


def overdue_reasons(
    last_api_change_at: datetime | None, last_upload_at: datetime | None, today: date, *,
    period_days: int = DEFAULT_PERIOD_DAYS, annual_date: tuple[int, int] | None = None,
) -> list[str]:
    """The reasons the institution is overdue today (empty: it is not)."""
    reasons = []
    latest = max((moment for moment in (last_api_change_at, last_upload_at) if moment is not None), default=None)
    if latest is None or (today - vilnius_date(latest)).days > period_days:
        reasons.append(NO_RECENT_CHANGE)
    if annual_date is not None:
        due = annual_date_in(today.year, annual_date)
        if today > due and (last_upload_at is None or vilnius_date(last_upload_at) < due):
            reasons.append(ANNUAL_REPORT_MISSING)
    return reasons


def is_overdue(
    last_api_change_at: datetime | None, last_upload_at: datetime | None, today: date, *,
    period_days: int = DEFAULT_PERIOD_DAYS, annual_date: tuple[int, int] | None = None,
) -> bool:
    return bool(overdue_reasons(last_api_change_at, last_upload_at, today, period_days=period_days,
                                annual_date=annual_date))


def reason_text(reason: str, today: date, *, period_days: int = DEFAULT_PERIOD_DAYS,
                annual_date: tuple[int, int] | None = None) -> Text:
    """Why the institution is overdue, in words, with the period or the date that applies today."""
    if reason == ANNUAL_REPORT_MISSING and annual_date is not None:
        due = annual_date_in(today.year, annual_date).isoformat()
        return text(f"Metinė ataskaitų data ({due}) praėjo, o duomenų failas po jos neįkeltas",
                    f"The annual reporting date ({due}) has passed with no upload since")
    if reason == NO_RECENT_CHANGE:
        return text(f"Per paskutines {period_days} d. nieko nepateikta nei per API, nei įkeliant failą",
                    f"Nothing reported in the last {period_days} days, neither through the API nor by upload")
    return text(reason, reason)
