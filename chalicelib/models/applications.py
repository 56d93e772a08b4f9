"""Table `applications`: permit applications (docs/APPLICATIONS.md), partitioned by the legal entity
code they are made for.

`item` = `APPLICATION#<application_id>` / `PENDING`; and, in a partition of its own per applicant
(`APPLICANT#<person_id>`), `PENDING_COUNT`: how many of their applications are pending — added to
on condition that it is below the bound in the application's transaction, taken from in the
decision's, so "at most 3 pending per applicant" holds under any race. The `PENDING` item is the marker that makes "one
pending application per legal entity" race-free: it is put, on condition that it does not exist, in
the same transaction as the application, and deleted in the decision's transaction. The application
id begins with the legal entity code, so an id alone finds its item (one GetItem).

Two sparse GSIs: `by_applicant` (every application carries `applicant_id`; the marker does not) lists
a person's own applications, newest first; `pending` (only a PENDING application carries `pending`,
removed by the decision) is the ministry's queue, oldest first — a Query, never a Scan.
"""

from __future__ import annotations

import re

from pynamodb.attributes import (
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

PENDING_ITEM = "PENDING"
PENDING_QUEUE = "PENDING"  # the one value of `pending`: the queue is one index partition
PENDING_COUNT_ITEM = "PENDING_COUNT"
APPLICATION_ID_RE = re.compile(r"(?P<code>[0-9]{9})-[0-9a-f]{16}")


def application_item(application_id: str) -> str:
    return f"APPLICATION#{application_id}"


class ByApplicantIndex(GlobalSecondaryIndex["ApplicationsItem"]):
    class Meta:
        index_name = "by_applicant"
        projection = AllProjection()

    applicant_id = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class PendingIndex(GlobalSecondaryIndex["ApplicationsItem"]):
    class Meta:
        index_name = "pending"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class ApplicationsItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "applications"

    legal_entity_code = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()

    by_applicant = ByApplicantIndex()
    pending_queue = PendingIndex()


class Application(ApplicationsItem, discriminator="APPLICATION"):
    application_id = UnicodeAttribute()
    applicant_id = UnicodeAttribute()
    submitted_at = UnicodeAttribute()  # ISO timestamp, UTC (an index's sort key)
    name = UnicodeAttribute()
    municipality = UnicodeAttribute()  # its code (LT-57)
    scope = UnicodeSetAttribute()  # asked for: {"read"} or {"read", "write"}
    purpose = UnicodeAttribute()
    programmes = ListAttribute(of=UnicodeAttribute)
    responsible_person_id = UnicodeAttribute()
    status = UnicodeAttribute()  # PENDING / APPROVED / REJECTED
    pending = UnicodeAttribute(null=True)  # PENDING_QUEUE while pending, then removed
    reason = UnicodeAttribute(null=True)  # the ministry's, shown to the applicant
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    institution_id = UnicodeAttribute(null=True)  # approved: the institution it acted on
    permit_id = UnicodeAttribute(null=True)
    granted_scope = UnicodeSetAttribute(null=True)
    valid_from = UnicodeAttribute(null=True)  # the permit granted, ISO dates, inclusive
    valid_to = UnicodeAttribute(null=True)


class PendingMarker(ApplicationsItem, discriminator="PENDING"):
    application_id = UnicodeAttribute()


class PendingCount(ApplicationsItem, discriminator="PENDING_COUNT"):
    """How many applications one applicant has pending (no `applicant_id`: not in `by_applicant`)."""

    pending_count = NumberAttribute(null=True)


def pending_count_key(applicant_id: str) -> str:
    """The applicant's counter's partition: never a legal entity code (nine digits)."""
    return f"APPLICANT#{applicant_id}"


def application_of(application_id: str) -> Application | None:
    """One application by its id, read consistently (a decision is taken on it)."""
    match = APPLICATION_ID_RE.fullmatch(application_id)
    if not match:
        return None
    try:
        found = ApplicationsItem.get(match.group("code"), application_item(application_id), consistent_read=True)
    except ApplicationsItem.DoesNotExist:
        return None
    return found if isinstance(found, Application) else None
