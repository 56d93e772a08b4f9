"""Share links: a person shows chosen records to a university or an employer, for a while.

Unguessable (32 random bytes), at most a year, at most 20 live links a person, revocable; the
public view shows only the chosen records that are still valid, and each view is written to the
person's journal before anything is shown. A missing, guessed, tampered, expired or revoked link
all get the same 404: the answer tells nothing about which.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic_core import PydanticCustomError
from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.domain import problems as P
from chalicelib.domain.dates import end_of_vilnius_day, vilnius_date, vilnius_today
from chalicelib.domain.errors import FieldError
from chalicelib.domain.validation import parse_iso_date
from chalicelib.errors import Problem, invalid
from chalicelib.models.records import full_history
from chalicelib.models.shares import ShareLink
from chalicelib.services.history import record_view
from chalicelib.services.journal import Actor, journal_read

MAX_LIVE_LINKS = 20
MAX_DAYS = 365
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")
NOT_FOUND = Problem(P.share.not_found)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_link(person_id: str, body: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    today = today or vilnius_today()
    errors = []
    unknown = sorted(set(body) - {"record_ids", "expires_on"})
    errors += [FieldError(name[:40], "unknown") for name in unknown]
    record_ids = body.get("record_ids")
    if not isinstance(record_ids, list) or not record_ids or not all(isinstance(r, str) for r in record_ids):
        errors.append(FieldError("record_ids", "required" if not record_ids else "type"))
    expires: date | None = None
    try:
        expires = parse_iso_date(body.get("expires_on"))
        if not today < expires <= today + timedelta(days=MAX_DAYS):
            errors.append(FieldError("expires_on", "range"))
    except PydanticCustomError:
        errors.append(FieldError("expires_on", "format" if body.get("expires_on") else "required"))
    if errors:
        raise invalid(errors)
    assert isinstance(record_ids, list) and expires is not None
    _, records = full_history(person_id)
    own = {r.record_id for r in records}
    if not set(record_ids) <= own:
        raise invalid([FieldError("record_ids", "choice")], "Only your own valid records can be shared.")
    now = datetime.now(UTC)
    live = [s for s in ShareLink.by_owner.query(person_id) if not s.revoked and s.expires_at > now]
    if len(live) >= MAX_LIVE_LINKS:
        raise Problem(P.share.limit, f"At most {MAX_LIVE_LINKS} links at a time: revoke one first.")
    secret = secrets.token_urlsafe(32)
    link = ShareLink(_hash(secret), share_id=secrets.token_hex(8), owner_person_id=person_id,
                     record_ids=set(record_ids), created_at=now,
                     expires_at=end_of_vilnius_day(expires))
    link.save(condition=ShareLink.secret_hash.does_not_exist())
    # The page that shows it; the secret after `#` never reaches a server log or a Referer header
    # with the page (the page then asks `GET /shared/{secret}`, the same view as JSON).
    return {"share_id": link.share_id, "url": f"{settings().public_url}/#/shared/{secret}",
            "expires_on": expires.isoformat(), "record_ids": sorted(record_ids)}


def list_links(person_id: str) -> list[dict[str, Any]]:
    return [{"share_id": s.share_id, "record_ids": sorted(s.record_ids or ()),
             "expires_on": vilnius_date(s.expires_at).isoformat(), "revoked": bool(s.revoked), "views": int(s.views)}
            for s in ShareLink.by_owner.query(person_id, scan_index_forward=False)]


def revoke_link(person_id: str, share_id: str) -> None:
    for link in ShareLink.by_owner.query(person_id):
        if link.share_id == share_id:
            link.update(actions=[ShareLink.revoked.set(True)])
            return
    raise Problem(P.share.not_found, "No such link.")


def view_link(secret: str, correlation_id: str | None) -> dict[str, Any]:
    if not _SECRET.fullmatch(secret or ""):
        raise NOT_FOUND
    try:
        link = ShareLink.get(_hash(secret), consistent_read=True)
    except ShareLink.DoesNotExist:
        raise NOT_FOUND from None
    if link.revoked or link.expires_at <= datetime.now(UTC):
        raise NOT_FOUND
    summary, records = full_history(link.owner_person_id)
    person = {"given_name": summary.given_name, "family_name": summary.family_name} if summary else {}
    chosen = [record_view(r) for r in records if r.record_id in (link.record_ids or ())]
    try:
        journal_read(link.owner_person_id, Actor("share-link", "share_link"), f"share link {link.share_id}",
                     correlation_id)
        link.update(actions=[ShareLink.views.add(1)])
    except PynamoDBException:
        raise Problem(P.journal.unavailable, "This view cannot be recorded now; try later.") from None
    return {"person": person, "records": chosen, "expires_on": vilnius_date(link.expires_at).isoformat()}
