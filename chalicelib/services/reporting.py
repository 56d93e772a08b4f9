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
from chalicelib.domain.municipalities import municipality_code, municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.reporting import overdue_reasons
from chalicelib.errors import Problem
from chalicelib.models.institutions import (
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
from chalicelib.services.paging import next_cursor, start_key


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


def activity_view(institution_id: str, activity: InstitutionActivity | None) -> dict[str, Any]:
    """The activity item as the API shows it, with `overdue` decided today (Vilnius)."""
    config = settings()
    api_at = activity.last_api_change_at if activity else None
    upload_at = activity.last_upload_at if activity else None
    reasons = overdue_reasons(api_at, upload_at, dates.vilnius_today(),
                              period_days=config.reporting_period_days, annual_date=config.annual_reporting_date)
    last_upload = None
    if activity is not None and activity.last_upload_id:
        last_upload = {"upload_id": activity.last_upload_id, "at": _iso(upload_at),
                       "status": activity.last_upload_status,
                       "rows_written": int(activity.last_upload_rows_written or 0),
                       "rows_rejected": int(activity.last_upload_rows_rejected or 0)}
    return {"institution_id": institution_id, "last_api_change_at": _iso(api_at), "last_upload": last_upload,
            "overdue": bool(reasons), "overdue_reasons": reasons,
            # Counted by the nightly snapshot (services/snapshot.py), not on write.
            "open_enrolments": int(activity.open_enrolments) if activity and activity.open_enrolments is not None
            else None, "open_enrolments_on": activity.snapshot_date if activity else None}


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
    """Every institution (a page of the `by_item_type` index's PROFILE items) with its activity
    (one BatchGet per page), filtered here: items read grow with institutions, never with pupils."""
    require(policy.administer(caller))
    if municipality is not None:
        municipality = municipality_code(municipality)
        if municipality is None:
            raise Problem(P.request.municipality)
    scope = "reporting"
    result = InstitutionItem.by_item_type.query("PROFILE", limit=limit, last_evaluated_key=start_key(cursor, scope))
    profiles = [item for item in result if isinstance(item, InstitutionProfile)]
    activities = activities_of([p.institution_id for p in profiles]) if profiles else {}
    rows = []
    for profile in profiles:
        if municipality is not None and profile.municipality != municipality:
            continue
        view = activity_view(profile.institution_id, activities.get(profile.institution_id))
        if overdue is not None and view["overdue"] != overdue:
            continue
        rows.append({"name": profile.name, "municipality": profile.municipality,
                     "municipality_name": municipality_name(profile.municipality)} | view)
    return {"institutions": rows, "next_cursor": next_cursor(result.last_evaluated_key, scope)}
