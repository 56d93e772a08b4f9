"""Table `institutions`: per institution its profile, data-processing permits and representatives.

`item` = `PROFILE` / `PERMIT#<permit_id>` / `STAFF#<person_id>` / `ACTIVITY` / `LOG#<time>#<n>#<id>` (the
institution's own log, services/institution_log.py); the `item_type` discriminator makes a Query on an
institution return each item as its own class. The sparse GSI `by_staff_person`
(only STAFF items carry `staff_person_id`) answers "where is this person a representative"; the
sparse GSI `by_municipality` (only PROFILE items carry `municipality`) lists one municipality's
institutions, so a municipality's reporting reads only its own institutions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

PROFILE_ITEM = "PROFILE"
ACTIVITY_ITEM = "ACTIVITY"


def permit_item(permit_id: str) -> str:
    return f"PERMIT#{permit_id}"


def staff_item(person_id: str) -> str:
    return f"STAFF#{person_id}"


LOG_PREFIX = "LOG#"


def log_item(at_iso: str, step: int, entry_id: str) -> str:
    """`LOG#<ISO time>#<step>#<id>`: newest first is one Query backwards; `step` orders the steps
    one transaction writes at the same moment."""
    return f"{LOG_PREFIX}{at_iso}#{step:02d}#{entry_id}"


class ByStaffPersonIndex(GlobalSecondaryIndex["InstitutionItem"]):
    class Meta:
        index_name = "by_staff_person"
        projection = AllProjection()

    staff_person_id = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute(range_key=True)


class ByItemTypeIndex(GlobalSecondaryIndex["InstitutionItem"]):
    """Every item of one type, e.g. all institution profiles (the ministry's list): a Query, not a Scan."""

    class Meta:
        index_name = "by_item_type"
        projection = AllProjection()

    item_type = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute(range_key=True)


class ByMunicipalityIndex(GlobalSecondaryIndex["InstitutionItem"]):
    """One municipality's institution profiles (its code, `LT-57`): a Query that reads that
    municipality's institutions only, where filtering every profile would read them all."""

    class Meta:
        index_name = "by_municipality"
        projection = AllProjection()

    municipality = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute(range_key=True)


class InstitutionItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "institutions"

    institution_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()

    by_staff_person = ByStaffPersonIndex()
    by_item_type = ByItemTypeIndex()
    by_municipality = ByMunicipalityIndex()


class InstitutionProfile(InstitutionItem, discriminator="PROFILE"):
    name = UnicodeAttribute()
    legal_entity_code = UnicodeAttribute()
    municipality = UnicodeAttribute()


class Permit(InstitutionItem, discriminator="PERMIT"):
    permit_id = UnicodeAttribute()
    scope = UnicodeSetAttribute()  # {"read"} or {"read", "write"}
    valid_from = UnicodeAttribute()  # ISO date, inclusive
    valid_to = UnicodeAttribute()  # ISO date, inclusive
    state = UnicodeAttribute(default="ACTIVE")  # ACTIVE / SUSPENDED / REVOKED
    changed_at = UTCDateTimeAttribute(null=True)
    changed_by = UnicodeAttribute(null=True)


class StaffMember(InstitutionItem, discriminator="STAFF"):
    staff_person_id = UnicodeAttribute()
    role = UnicodeAttribute(default="REPRESENTATIVE")  # or ADMINISTRATOR (domain/access.STAFF_ROLES)
    # ISO dates, both inclusive; absent on entries stored before validities existed (and on those
    # appointed without one): such an entry holds until removed.
    valid_from = UnicodeAttribute(null=True)
    valid_to = UnicodeAttribute(null=True)
    # Identity mismatches this representative made on `mismatch_day` (Vilnius date), and when their
    # writes were suspended for too many (services/suspension.py). Read with the appointment itself
    # on every request (the `by_staff_person` index projects all), so the check costs nothing more.
    mismatch_day = UnicodeAttribute(null=True)
    mismatch_count = NumberAttribute(null=True)
    suspended_at = UTCDateTimeAttribute(null=True)


class InstitutionActivity(InstitutionItem, discriminator="ACTIVITY"):
    """When the institution last reported (docs/STATE.md section 1). Written after a write has
    committed, never inside its transaction; created by the first such write."""

    last_api_change_at = UTCDateTimeAttribute(null=True)
    last_upload_id = UnicodeAttribute(null=True)
    last_upload_at = UTCDateTimeAttribute(null=True)
    last_upload_status = UnicodeAttribute(null=True)
    last_upload_rows_written = NumberAttribute(null=True)
    last_upload_rows_rejected = NumberAttribute(null=True)
    # Written by the nightly snapshot (services/snapshot.py): enrolments open on `snapshot_date`.
    open_enrolments = NumberAttribute(null=True)
    open_movements = NumberAttribute(null=True)  # open movement items, as the old school or the new
    snapshot_date = UnicodeAttribute(null=True)


class InstitutionLogEntry(InstitutionItem, discriminator="LOG"):
    """One step of the institution's own log (docs/APPLICATIONS.md), written in the transaction of
    the step it records. Append-only: nothing updates or deletes it."""

    at = UTCDateTimeAttribute()
    event = UnicodeAttribute()  # domain/applications.LOG_EVENTS
    actor_id = UnicodeAttribute()  # who acted (shown to the ministry only)
    actor_role = UnicodeAttribute()  # ministry / institution_administrator / applicant
    person_id = UnicodeAttribute(null=True)  # whom the step concerns: a staff entry's person
    details = JSONAttribute(null=True)  # scope, validity, role, reason, application and permit ids


def log_of(institution_id: str, limit: int, start: dict[str, Any] | None) -> Any:
    """A page of the institution's log, newest first: one Query on its partition."""
    return InstitutionItem.query(institution_id, InstitutionItem.item.startswith(LOG_PREFIX),
                                 scan_index_forward=False, limit=limit, last_evaluated_key=start)


def _move_activity_forward(institution_id: str, moment: Any, now: datetime, actions: list[Any]) -> bool:
    """One conditional UpdateItem that sets `actions` only if `moment` (an attribute of the item)
    is absent or older than `now`; creates the item if absent. False: a newer time is there already
    (another writer got there first), which is not an error."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.models.base import condition_failed

    activity = InstitutionActivity(institution_id, ACTIVITY_ITEM)
    try:
        activity.update(actions=[moment.set(now), *actions, *_activity_creation(now)],
                        condition=moment.does_not_exist() | (moment < now), add_version_condition=False)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _activity_creation(now: datetime) -> list[Any]:
    """What an update sets so that it creates the ACTIVITY item when there is none yet."""
    return [InstitutionItem.item_type.set(InstitutionActivity),
            InstitutionItem.created_at.set(InstitutionItem.created_at | now),
            InstitutionItem.created_by.set(InstitutionItem.created_by | "system")]


def note_api_change(institution_id: str, now: datetime) -> bool:
    return _move_activity_forward(institution_id, InstitutionActivity.last_api_change_at, now, [])


def note_upload(institution_id: str, upload_id: str, status: str, rows_written: int, rows_rejected: int, *,
                now: datetime) -> bool:
    return _move_activity_forward(institution_id, InstitutionActivity.last_upload_at, now, [
        InstitutionActivity.last_upload_id.set(upload_id), InstitutionActivity.last_upload_status.set(status),
        InstitutionActivity.last_upload_rows_written.set(rows_written),
        InstitutionActivity.last_upload_rows_rejected.set(rows_rejected),
    ])


def note_open_enrolments(institution_id: str, day: str, count: int, open_movements: int, now: datetime) -> None:
    """The snapshot's counts on `day` — open enrolments and open movement items: one UpdateItem,
    on its own (never in a record's transaction); creates the activity item if there is none yet."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.models.base import condition_failed

    activity = InstitutionActivity(institution_id, ACTIVITY_ITEM)
    try:
        # A pass for an earlier day (statistics computed afterwards) never replaces a later count.
        activity.update(actions=[InstitutionActivity.open_enrolments.set(count),
                                 InstitutionActivity.open_movements.set(open_movements),
                                 InstitutionActivity.snapshot_date.set(day), *_activity_creation(now)],
                        condition=InstitutionActivity.snapshot_date.does_not_exist()
                        | (InstitutionActivity.snapshot_date <= day),
                        add_version_condition=False)
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def activity_of(institution_id: str) -> InstitutionActivity | None:
    return _item_of(institution_id, ACTIVITY_ITEM, InstitutionActivity)


def activities_of(institution_ids: list[str]) -> dict[str, InstitutionActivity]:
    """The activity items of these institutions: one BatchGet (PynamoDB splits it per 100 keys)."""
    found = InstitutionItem.batch_get([(iid, ACTIVITY_ITEM) for iid in institution_ids])
    return {item.institution_id: item for item in found if isinstance(item, InstitutionActivity)}


def permits_of(institution_id: str) -> list[Permit]:
    """An institution's permits: one Query on its partition."""
    items = InstitutionItem.query(institution_id, InstitutionItem.item.startswith("PERMIT#"))
    return [item for item in items if isinstance(item, Permit)]


def appointments_of(person_id: str) -> list[StaffMember]:
    """Where the person is listed as a representative: one Query on the sparse index."""
    return [item for item in InstitutionItem.by_staff_person.query(person_id) if isinstance(item, StaffMember)]


def institutions_staffed_by(person_id: str) -> list[str]:
    return [item.institution_id for item in appointments_of(person_id)]


def add_identity_mismatches(institution_id: str, person_id: str, day: str, count: int) -> int:
    """Add `count` to the representative's mismatches of `day` (a new day starts from zero);
    returns the day's total. Atomic: concurrent requests each add once. 0 if not appointed."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.models.base import condition_failed

    appointment = StaffMember(institution_id, staff_item(person_id))
    appointed = InstitutionItem.item.exists()
    for _ in range(3):  # the day may roll over between the two conditional updates
        try:
            appointment.update(actions=[StaffMember.mismatch_count.add(count)],
                               condition=appointed & (StaffMember.mismatch_day == day), add_version_condition=False)
            return int(appointment.mismatch_count or 0)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
        try:
            appointment.update(actions=[StaffMember.mismatch_day.set(day), StaffMember.mismatch_count.set(count)],
                               condition=appointed & (StaffMember.mismatch_day.does_not_exist()
                                                      | (StaffMember.mismatch_day != day)),
                               add_version_condition=False)
            return count
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
        if institution_id not in institutions_staffed_by(person_id):
            return 0
    return 0


Item = TypeVar("Item", bound=InstitutionItem)


def institution_profile(institution_id: str) -> InstitutionProfile | None:
    return _item_of(institution_id, PROFILE_ITEM, InstitutionProfile)


def _item_of(institution_id: str, item: str, kind: type[Item]) -> Item | None:
    """One item of an institution, if it is there and of that kind."""
    try:
        found = InstitutionItem.get(institution_id, item)
    except InstitutionItem.DoesNotExist:
        return None
    return found if isinstance(found, kind) else None


def all_profiles() -> list[InstitutionProfile]:
    return [item for item in InstitutionItem.by_item_type.query("PROFILE") if isinstance(item, InstitutionProfile)]


def staff_entry(institution_id: str, person_id: str) -> StaffMember | None:
    """One staff entry, read consistently: a change decided on it must see the latest removal."""
    try:
        found = InstitutionItem.get(institution_id, staff_item(person_id), consistent_read=True)
    except InstitutionItem.DoesNotExist:
        return None
    return found if isinstance(found, StaffMember) else None


def staff_of(institution_id: str) -> list[StaffMember]:
    items = InstitutionItem.query(institution_id, InstitutionItem.item.startswith("STAFF#"))
    return [item for item in items if isinstance(item, StaffMember)]


def set_municipality(institution_id: str, stored: str, code: str) -> bool:
    """Replace the profile's municipality `stored` by `code`; False if it no longer reads `stored`
    (changed meanwhile: the caller reads it again rather than overwrite)."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.models.base import condition_failed

    profile = InstitutionProfile(institution_id, PROFILE_ITEM)
    try:
        profile.update(actions=[InstitutionProfile.municipality.set(code)],
                       condition=InstitutionProfile.municipality == stored, add_version_condition=False)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
