"""Reporting discipline (docs/STATE.md section 1): each institution's activity item, moved forward
after its writes commit, and the views of it — the school's own, and the ministry's list.

The activity is noted after the write's transaction, never inside it: one item in every
transaction of a school would be a hot item that makes the parallel writers of one upload
conflict. A failed note is logged and swallowed: the user's write has committed and stays; the
next write (or the nightly snapshot) moves the time forward.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.domain import dates, policy
from chalicelib.domain import problems as P
from chalicelib.domain.i18n import text
from chalicelib.domain.municipalities import municipality_code, municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.reporting import overdue_reasons, reason_text
from chalicelib.domain.spreadsheet import Cell, csv_text, xlsx_bytes
from chalicelib.errors import Problem
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionActivity,
    InstitutionItem,
    InstitutionProfile,
    activities_of,
    activity_of,
    institution_profile,
    note_api_change,
    note_upload,
)
from chalicelib.services.access import require
from chalicelib.services.filters import municipality_filter
from chalicelib.services.paging import MAX_PAGE, next_cursor, start_key


def api_change_committed(institution_id: str) -> None:
    """Note an API write that has committed. Never raises: the write stands whatever happens here."""
    try:
        note_api_change(institution_id, dates.utc_now())
    except Exception as exc:  # the write has committed; a missed note corrects itself later
        observability.log_exception("activity_not_noted", exc, institution_id=institution_id, via="api")


def upload_finished(institution_id: str, upload_id: str, status: str, rows_written: int, rows_rejected: int) -> None:
    """Note a finished (DONE or REJECTED) real upload. Never raises, like `api_change_committed`."""
    try:
        note_upload(institution_id, upload_id, status, rows_written, rows_rejected, now=dates.utc_now())
    except Exception as exc:
        observability.log_exception("activity_not_noted", exc, institution_id=institution_id, via="upload")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _count(activity: InstitutionActivity | None, name: str) -> int | None:
    """A count the nightly pass writes on the activity item (docs/STATE.md section 3); None until
    it has run for this institution."""
    value = getattr(activity, name, None)
    return None if value is None else int(value)


def activity_view(institution_id: str, activity: InstitutionActivity | None) -> dict[str, Any]:
    """The activity item as the API shows it, with `overdue` decided today (Vilnius) and why in words."""
    config = settings()
    today = dates.vilnius_today()
    api_at = activity.last_api_change_at if activity else None
    upload_at = activity.last_upload_at if activity else None
    period, annual = config.reporting_period_days, config.annual_reporting_date
    reasons = overdue_reasons(api_at, upload_at, today, period_days=period, annual_date=annual)
    last_upload = None
    if activity is not None and activity.last_upload_id:
        last_upload = {"upload_id": activity.last_upload_id, "at": _iso(upload_at),
                       "status": activity.last_upload_status,
                       "rows_written": int(activity.last_upload_rows_written or 0),
                       "rows_rejected": int(activity.last_upload_rows_rejected or 0)}
    return {"institution_id": institution_id, "last_api_change_at": _iso(api_at), "last_upload": last_upload,
            "open_enrolments": _count(activity, "open_enrolments"),
            "open_movements": _count(activity, "open_movements"),
            # Counted by the nightly snapshot (services/snapshot.py) on this day, not on write.
            "open_enrolments_on": activity.snapshot_date if activity else None,
            "overdue": bool(reasons), "overdue_reasons": reasons,
            "overdue_texts": [reason_text(reason, today, period_days=period, annual_date=annual) for reason in reasons]}


def institution_activity(caller: CallerFacts, institution_id: str) -> dict[str, Any]:
    require(policy.see_activity(caller, institution_id))
    if institution_profile(institution_id) is None:
        raise Problem(P.institution.not_found)
    return activity_view(institution_id, activity_of(institution_id))


def uploads_page(caller: CallerFacts, institution_id: str, cursor: str | None, limit: int) -> dict[str, Any]:
    """The institution's uploads, newest first (one Query of the `by_institution` index per page)."""
    from chalicelib.models.uploads import Upload
    from chalicelib.services.uploads import upload_view

    require(policy.act_for_institution(caller, institution_id, policy.READ))
    scope = f"uploads:{institution_id}"
    result = Upload.by_institution.query(institution_id, scan_index_forward=False, limit=limit,
                                         last_evaluated_key=start_key(cursor, scope))
    uploads = [upload_view(upload, with_errors=False) | {"created_at": upload.created_at.isoformat()}
               for upload in result]
    return {"uploads": uploads, "next_cursor": next_cursor(result.last_evaluated_key, scope)}


def reporting_page(caller: CallerFacts, municipality: str | None, overdue: bool | None, cursor: str | None,
                   limit: int) -> dict[str, Any]:
    """Institutions with their activity, a page at a time. Every institution is one Query of the
    `by_item_type` index's PROFILE items (the ministry's alone); one municipality's is one Query of
    the `by_municipality` index, so it reads that municipality's institutions only (the ministry,
    or an official of it). Then one BatchGet of the page's activity items; `overdue` filters here.
    Items read grow with institutions, never with pupils."""
    code = municipality_filter(municipality)
    require(policy.see_municipality(caller, code))
    rows, last_key = _rows_of(code, overdue, start_key(cursor, _scope(code)), limit)
    return {"institutions": rows, "next_cursor": next_cursor(last_key, _scope(code))}


def reporting_rows(caller: CallerFacts, municipality: str | None, overdue: bool | None) -> list[dict[str, Any]]:
    """Every page of `reporting_page` with the same filters (the CSV and XLSX files)."""
    code = municipality_filter(municipality)
    require(policy.see_municipality(caller, code))
    rows, last_key = _rows_of(code, overdue, None, MAX_PAGE)
    while last_key:
        more, last_key = _rows_of(code, overdue, last_key, MAX_PAGE)
        rows.extend(more)
    return rows


def _scope(code: str | None) -> str:
    # A cursor of one list is refused by another: the index keys of one municipality's list mean
    # nothing in another's, or in the list of every institution.
    return "reporting" if code is None else f"reporting:{code}"


def _rows_of(code: str | None, overdue: bool | None, start: dict[str, Any] | None,
             limit: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    if code is None:
        result = InstitutionItem.by_item_type.query(PROFILE_ITEM, limit=limit, last_evaluated_key=start)
    else:
        result = InstitutionItem.by_municipality.query(code, limit=limit, last_evaluated_key=start)
    profiles = [item for item in result if isinstance(item, InstitutionProfile)]
    activities = activities_of([p.institution_id for p in profiles]) if profiles else {}
    rows = []
    for profile in profiles:
        view = activity_view(profile.institution_id, activities.get(profile.institution_id))
        if overdue is not None and view["overdue"] != overdue:
            continue
        rows.append({"name": profile.name, "municipality": profile.municipality,
                     "municipality_name": municipality_name(profile.municipality)} | view)
    return rows, result.last_evaluated_key


# The files' columns, by language: what the list shows, and nothing about any person.
COLUMNS = (
    text("Įstaigos kodas", "Institution id"), text("Pavadinimas", "Name"),
    text("Savivaldybės kodas", "Municipality code"), text("Savivaldybė", "Municipality"),
    text("Paskutinis įkėlimas", "Last upload at"), text("Įkėlimo būsena", "Last upload status"),
    text("Įrašyta eilučių", "Rows written"), text("Atmesta eilučių", "Rows rejected"),
    text("Paskutinis pakeitimas per API", "Last API change"), text("Atviri mokymosi įrašai", "Open enrolments"),
    text("Atviri judėjimo įrašai", "Open movement items"), text("Vėluoja", "Overdue"),
    text("Priežastys", "Reasons"),
)
YES_NO = {True: text("taip", "yes"), False: text("ne", "no")}


def _file_rows(rows: list[dict[str, Any]], language: str) -> list[list[Cell]]:
    lines: list[list[Cell]] = []
    for row in rows:
        upload = row["last_upload"] or {}
        lines.append([
            row["institution_id"], row["name"], row["municipality"], row["municipality_name"][language],
            upload.get("at"), upload.get("status"), upload.get("rows_written"), upload.get("rows_rejected"),
            row["last_api_change_at"], row["open_enrolments"], row["open_movements"],
            YES_NO[row["overdue"]][language], "; ".join(reason[language] for reason in row["overdue_texts"]),
        ])
    return lines


def as_csv(rows: list[dict[str, Any]], language: str) -> str:
    return csv_text([column[language] for column in COLUMNS], _file_rows(rows, language))


def as_xlsx(rows: list[dict[str, Any]], language: str) -> bytes:
    sheet = text("Atsiskaitymas", "Reporting")[language]
    return xlsx_bytes(sheet, [column[language] for column in COLUMNS], _file_rows(rows, language))


def file_name(municipality: str | None, extension: str) -> str:
    """`atsiskaitymas-LT-57.csv`, or `atsiskaitymas.csv` for every institution: a code, never a name typed in."""
    code = municipality_code(municipality) if municipality is not None else None
    return f"atsiskaitymas-{code}.{extension}" if code else f"atsiskaitymas.{extension}"
