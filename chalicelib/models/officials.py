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

from datetime import date, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.access import MINISTRY_ADMINISTRATOR, in_period, ministry_partition
from chalicelib.models.base import RegisterMeta, RegisterModel, condition_failed, transaction

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


class ActingAdministratorGone(Exception):
    """The administrator who asked for a change was no longer valid when it was written."""


def _still_valid(today: date) -> Condition:
    day = today.isoformat()
    still: Condition = Official.person_id.exists() & (Official.valid_from <= day) & (Official.valid_to >= day)
    return still


def change_ministry_staff(appointment: Official | None, removed: tuple[str, str] | None, acting: str,
                          today: date) -> None:
    """Write (`appointment`) or delete (`removed`: role, person) a ministry appointment, in one
    transaction with a check that the acting administrator's own appointment is still valid.

    Why: an administrator never acts on themself, so the one acting keeps the ministry at least one
    valid administrator — but only if their own appointment still holds when the change lands. Two
    administrators removing each other at once are serialised by DynamoDB: the second finds its
    actor gone and is refused (`ActingAdministratorGone`), so the last administrator stays."""
    with_check = ministry_partition(MINISTRY_ADMINISTRATOR)
    try:
        with transaction(Official) as tx:
            tx.condition_check(Official, with_check, acting, condition=_still_valid(today))
            if appointment is not None:
                tx.save(appointment)
            if removed is not None:
                tx.delete(Official(ministry_partition(removed[0]), removed[1]))
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            raise ActingAdministratorGone from None
        raise


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
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons):
            return False  # another bootstrap today went first
        raise
    return True
