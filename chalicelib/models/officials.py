"""Table `officials`: the ministry's appointments of municipality officials (docs/STATE.md section 2)
and of its own people (ministry roles, docs/ACCESS.md).

Partition: the municipality's code (`LT-57`), so a municipality's officials are one Query; sort: the
person. The ministry's own appointments share the table under partitions `MINISTRY#<role>`
(`MINISTRY#ADMINISTRATOR`, `MINISTRY#OFFICIAL`, `MINISTRY#AUDITOR`): the GSI `by_person`, read on
every request by the access check (`services/access.caller_facts`), then answers "where is this
person an official, and which ministry roles do they hold" in the one Query it already made, so a
removal or an ended validity acts on the next request at no extra cost per request. A `MINISTRY#`
partition is never a municipality: readers tell them apart with `ministry_role`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.access import MINISTRY_ADMINISTRATOR, MINISTRY_LOG_PARTITION, in_period, ministry_partition
from chalicelib.models.base import RegisterMeta, RegisterModel, Writes, condition_failed, transaction
from chalicelib.models.journal import JournalEvent

# One item that makes bootstraps from `MINISTRY_STAFF` take turns (`bootstrap_administrator`).
BOOTSTRAP_PARTITION, BOOTSTRAP_ITEM = "MINISTRY#BOOTSTRAP", "LAST"


class ByPersonIndex(GlobalSecondaryIndex["Official"]):
    class Meta:
        index_name = "by_person"
        projection = AllProjection()

    person_id = UnicodeAttribute(hash_key=True)
    municipality = UnicodeAttribute(range_key=True)


class Official(RegisterModel):
    class Meta(RegisterMeta):
        table = "officials"

    municipality = UnicodeAttribute(hash_key=True)  # ISO 3166-2:LT code (chalicelib/domain/municipalities.py)
    person_id = UnicodeAttribute(range_key=True)
    valid_from = UnicodeAttribute()  # ISO dates, both inclusive (Vilnius), as a permit's
    valid_to = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    # A ministry appointment: the person's name as read once, when appointed (and journaled then on
    # their journal); the staff list shows it rather than looking every listed person up again.
    name = UnicodeAttribute(null=True)
    # A line of the ministry's log (`MINISTRY_LOG_PARTITION`): what changed, which role, whose; the
    # validity is the appointment's (for a removal, the one removed), `created_*` who acted and when.
    log_action = UnicodeAttribute(null=True)
    log_role = UnicodeAttribute(null=True)
    log_person = UnicodeAttribute(null=True)

    by_person = ByPersonIndex()


def officials_of(municipality: str) -> list[Official]:
    """A municipality's appointments (valid or not): one Query on its partition."""
    return list(Official.query(municipality))


def appointments_of(person_id: str) -> list[Official]:
    """Where the person is appointed (valid or not): one Query on the `by_person` index."""
    return list(Official.by_person.query(person_id))


def appoint(official: Official) -> bool:
    """Store an appointment; True if it is new. Appointing again changes only its validity: who
    appointed them first, and when, stays."""
    try:
        official.save(condition=Official.person_id.does_not_exist())
        return True
    except PutError as exc:
        if not condition_failed(exc):
            raise
    try:
        official.update(actions=[Official.valid_from.set(official.valid_from),
                                 Official.valid_to.set(official.valid_to)],
                        condition=Official.person_id.exists())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        official.save()  # removed meanwhile: this PUT appoints them anew
        return True
    return False


def remove(municipality: str, person_id: str) -> bool:
    """Delete an appointment; False if there was none."""
    try:
        Official(municipality, person_id).delete(condition=Official.person_id.exists())
    except DeleteError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


# --- the ministry's own appointments (docs/ACCESS.md, "Ministry roles") ---------------------------


def ministry_staff(role: str) -> list[Official]:
    """The ministry's appointments of `role` (valid or not): one Query on its partition."""
    return list(Official.query(ministry_partition(role)))


def ministry_appointment(role: str, person_id: str) -> Official | None:
    try:
        return Official.get(ministry_partition(role), person_id, consistent_read=True)
    except Official.DoesNotExist:
        return None


# The changes the ministry's log tells apart (items of `MINISTRY_LOG_PARTITION`, `log_action`).
APPOINTED, CHANGED, REMOVED = "APPOINTED", "CHANGED", "REMOVED"
# Tags of the writes of one change (`Refused.tags` says whose condition failed).
ACTING, COVER, TARGET = "acting", "cover", "target"


def _period_covered(today: date, until: date) -> Condition:
    """The item exists and is valid on every day from `today` to `until` (both inclusive)."""
    covered: Condition = (Official.person_id.exists() & (Official.valid_from <= today.isoformat())
                          & (Official.valid_to >= until.isoformat()))
    return covered


def _as_read(before: Official) -> Condition:
    """The item is still the one read: a removal and a new appointment meanwhile make it another."""
    same: Condition = (Official.person_id.exists() & (Official.valid_from == before.valid_from)
                       & (Official.valid_to == before.valid_to) & (Official.created_by == before.created_by)
                       & (Official.created_at == before.created_at))
    return same


def log_item(action: str, role: str, appointment: Official, *, acting: str, at: datetime) -> Official:
    """One line of the ministry's log. Its sort key is the moment (and a random tail), never a
    personal code: the `by_person` index holds it under that key, so no person's Query finds it."""
    return Official(MINISTRY_LOG_PARTITION, f"{at.isoformat(timespec='microseconds')}#{secrets.token_hex(4)}",
                    valid_from=appointment.valid_from, valid_to=appointment.valid_to, created_at=at,
                    created_by=acting, log_action=action, log_role=role, log_person=appointment.person_id)


def change_ministry_staff(role: str, before: Official | None, after: Official | None, acting: str, today: date, *,
                          cover: str | None, cover_until: date, journal: JournalEvent | None = None) -> None:
    """Appoint (`before` None), change, or remove (`after` None) a ministry appointment, in one
    transaction with its line in the ministry's log, the person's journal entry (`journal`) and checks:

    - the acting administrator's own appointment still holds today (an administrator never acts on
      themself, so the one acting is an administrator who stays — unless removed meanwhile);
    - `cover`: the administrator who stays valid from today to `cover_until` (the acting one or
      another), when an ADMINISTRATOR appointment is removed or shortened. Checked here, not only
      when chosen: two administrators removing the others at once cannot both pass;
    - the item is still as read (`before`), or still absent: a change never silently re-appoints
      someone removed meanwhile.

    Raises `Refused` with the tags (`ACTING`, `COVER`, `TARGET`) whose condition failed."""
    writes = Writes()
    administrators = ministry_partition(MINISTRY_ADMINISTRATOR)
    writes.check(ACTING, Official, administrators, acting,
                 _period_covered(today, cover_until if cover == acting else today))
    if cover is not None and cover != acting:
        writes.check(COVER, Official, administrators, cover, _period_covered(today, cover_until))
    if after is None:
        assert before is not None, "a removal removes what was read"
        writes.delete(TARGET, Official(ministry_partition(role), before.person_id), _as_read(before))
    else:
        writes.put(TARGET, after, _as_read(before) if before is not None else Official.person_id.does_not_exist())
    changed = after or before
    assert changed is not None
    action = REMOVED if after is None else CHANGED if before is not None else APPOINTED
    at = datetime.now(UTC)
    writes.put("log", log_item(action, role, changed, acting=acting, at=at),
               Official.person_id.does_not_exist())
    if journal is not None:
        writes.put("journal", journal, JournalEvent.event_key.does_not_exist())
    writes.commit(Official)


def ministry_log(cursor: dict[str, Any] | None, limit: int) -> tuple[list[Official], dict[str, Any] | None]:
    """One page of the ministry's log, newest first: one Query on its partition."""
    result = Official.query(MINISTRY_LOG_PARTITION, scan_index_forward=False, limit=limit,
                            last_evaluated_key=cursor)
    return list(result), result.last_evaluated_key


def bootstrap_administrator(person_id: str, today: date, valid_to: date, now: datetime) -> bool:
    """Make `person_id` a ministry ADMINISTRATOR if the register has none valid today; True if this
    call did. The check is a Query; the write is one transaction with the bootstrap marker, written
    only if it is absent or from an earlier day. Two bootstraps at once (two people named in
    `MINISTRY_STAFF`, or one person's two requests) both see no administrator, but only one of them
    writes the marker: the ministry ends with one bootstrapped administrator, never two."""
    day = today.isoformat()
    if any(in_period(a.valid_from, a.valid_to, today) for a in ministry_staff(MINISTRY_ADMINISTRATOR)):
        return False
    marker = Official(BOOTSTRAP_PARTITION, BOOTSTRAP_ITEM, valid_from=day, valid_to=day, created_at=now,
                      created_by=person_id)
    appointment = Official(ministry_partition(MINISTRY_ADMINISTRATOR), person_id, valid_from=day,
                           valid_to=valid_to.isoformat(), created_at=now, created_by="MINISTRY_STAFF")
    try:
        with transaction(Official) as tx:
            tx.save(marker, condition=Official.person_id.does_not_exist() | (Official.valid_from < day))
            tx.save(appointment)
            tx.save(log_item(APPOINTED, MINISTRY_ADMINISTRATOR, appointment, acting="MINISTRY_STAFF", at=now))
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons):
            return False  # another bootstrap today went first
        raise
    return True
