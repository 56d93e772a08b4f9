"""Table `officials`: the ministry's appointments of municipality officials (docs/STATE.md section 2).

Partition: the municipality's code (`LT-57`), so a municipality's officials are one Query; sort: the
person. The GSI `by_person` answers "where is this person an official", read on every request by
the access check (`services/access.caller_facts`): a removal or an ended validity acts on the next
request, whatever the caller's token says.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel, condition_failed


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
