"""Table `records`: every education record, keyed so one person's history is one ordered Query.

Three kinds of item share the table (`item_type` discriminator):

- `Record`: partition `person_id`, sort key `record_key` = `<prefix>sort-date#record_id`, where each
  kind's prefix (`1#ENROLLMENT#`, ..., declared in `domain/kinds.py`) puts the kinds in reading
  order (institutions attended, subjects, exams, olympiads, achievements, qualifications): one
  Query on a person returns the history as it is read, page after page. A record's fields are
  attributes of their own, one per declared field (`domain/kinds.py`), generated below.
- `PersonSummary`: `record_key` `#PERSON` sorts first: the person's names come with the first page
  of the same Query, no second read. Kept in step with `persons` by `services/persons.py`.
- `RecordVersion`: every version of every record, in a partition of its own, `RID#<record_id>`: a
  record's history is one Query there. Except version 1 while it is the current one: the `Record`
  item carries it (fields, `created_at`/`created_by`, `version` 1, institution), and the first
  change writes it as an item with the next one (`services/records.py`). A version that goes to
  DAKPR (below) is always an item, version 1 too.
- `RecordHead`: in the same partition, sort key `HEAD`: the current version number, where the
  record lives now and a fingerprint of its content. A record is found by id with one GetItem
  (or a hundred with one BatchGetItem, for bulk uploads), and every change is conditional on the
  head's version, so two writers cannot both win.

The sparse `enrolments_by_institution` index lists an institution's enrolments: only an
`ENROLLMENT` `Record` carries its key `enrolled_at` (the institution's id; `services/records.py`
sets it, nothing else does). Every other record, version and head stays out of it, so an upload of
exam results writes nothing there, and one institution's index partition receives only its
enrolments (docs/DATA_MODEL.md, "The enrolments index").

The DAKPR outbox is the `RecordVersion` items themselves: a version that must reach DAKPR is
written with `dakpr_queue` = `PENDING` and `dakpr_due` (in the same transaction or batch as the rest
of the version, so no change can be written without its delivery), and the sparse `dakpr_outbox`
index lists exactly the versions waiting (`PENDING`) or given up on (`DEAD`), by due time.
`services/transfer.py` drains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    Attribute,
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.kinds import Field, IntegerValue, kind_prefix, stored_fields

__all__ = ["kind_prefix"]  # re-exported: the records table's key layout
from chalicelib.models.base import RegisterMeta, RegisterModel

ACTIVE = "ACTIVE"
ANNULLED = "ANNULLED"
PERSON_SUMMARY_KEY = "#PERSON"


def record_key(kind: str, sort_date: str, record_id: str) -> str:
    return f"{kind_prefix(kind)}{sort_date}#{record_id}"


def prefix_end(prefix: str) -> str:
    """The first key after every key that starts with `prefix` (its last character's successor):
    `record_key < prefix_end(p)` bounds a range by its own kind, whatever kind comes next."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class EnrolmentsByInstitutionIndex(GlobalSecondaryIndex["RecordsItem"]):
    """An institution's enrolment records: (enrolled_at, record_key). Sparse: only enrolments carry
    `enrolled_at`. Whole items (ALL): an enrolment is well under 1 KB, so a narrower projection
    would not make an index write cheaper (docs/DATA_MODEL.md)."""

    class Meta:
        index_name = "enrolments_by_institution"
        projection = AllProjection()

    enrolled_at = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)


class DakprOutboxIndex(GlobalSecondaryIndex["RecordsItem"]):
    """Versions waiting for DAKPR (`PENDING`) or given up on (`DEAD`), by due time. Sparse: a
    version leaves it when delivered."""

    class Meta:
        index_name = "dakpr_outbox"
        projection = AllProjection()

    dakpr_queue = UnicodeAttribute(hash_key=True)
    dakpr_due = UnicodeAttribute(range_key=True)


def due_key(moment: datetime) -> str:
    """A sortable UTC timestamp of fixed width (the outbox index's sort key)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RecordsItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "records"

    person_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()
    # Declared here because the index is the table's; only Record items set them, and only an
    # enrolment sets `enrolled_at` (= its institution_id): the enrolments index's key.
    institution_id = UnicodeAttribute(null=True)
    enrolled_at = UnicodeAttribute(null=True)
    # Likewise the outbox index's keys: only RecordVersion items waiting for DAKPR set them.
    dakpr_queue = UnicodeAttribute(null=True)
    dakpr_due = UnicodeAttribute(null=True)

    enrolments_by_institution = EnrolmentsByInstitutionIndex()
    dakpr_outbox = DakprOutboxIndex()


def _attribute(field: Field) -> Attribute[Any]:
    """A declared field as a nullable attribute: integers as numbers, dates (ISO), codes and text
    as strings."""
    if isinstance(field.value, IntegerValue):
        return NumberAttribute(null=True, attr_name=field.stored_as)
    return UnicodeAttribute(null=True, attr_name=field.stored_as)


# The record's fields, one attribute each, from the declaration (`domain/kinds.py`): a plain base
# class whose attributes PynamoDB's model class collects like its own. Read and written by name
# (`Record.field`, `Record.set_field`); to the type checker the base is empty, so a misspelt
# attribute of `Record` is still an error.
if TYPE_CHECKING:
    RecordFieldAttributes = object
else:
    RecordFieldAttributes = type("RecordFieldAttributes", (), {field.python_name: _attribute(field)
                                                             for field in stored_fields()})


class Record(RecordsItem, RecordFieldAttributes, discriminator="RECORD"):
    record_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    source_id = UnicodeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    annul_reason = UnicodeAttribute(null=True)
    institution_name = UnicodeAttribute(null=True)  # denormalised: no lookup per record when read
    # DAKPR's number for the document, stored when DAKPR registered it (qualifications only).
    dakpr_registration_number = UnicodeAttribute(null=True)

    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    # Written with explicit conditions by services/records.py (not PynamoDB's VersionAttribute,
    # which would restart at 1 when a record moves to a new key): equals the newest version, an item
    # of its own but for version 1, which the record itself may carry (see the module note).
    version = NumberAttribute()

    def field(self, name: str) -> Any:
        """A declared field's value by its template name (`class`, `score`, ...), or None."""
        return getattr(self, _PYTHON_NAMES[name])

    def set_field(self, name: str, value: Any) -> None:
        setattr(self, _PYTHON_NAMES[name], value)


_PYTHON_NAMES = {field.name: field.python_name for field in stored_fields()}
_CLASHES = set(_PYTHON_NAMES.values()) & set(vars(Record))
if _CLASHES:  # a declared field must not hide a key, the status or the version
    raise TypeError(f"declared fields clash with Record's own attributes: {sorted(_CLASHES)}")


class PersonSummary(RecordsItem, discriminator="PERSON"):
    """The person's names at the head of their records partition (see the module note)."""

    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    birth_date = UnicodeAttribute(null=True)
    disputed_institutions = UnicodeSetAttribute(null=True)  # as on the person (models/persons.py)


def version_partition(record_id: str) -> str:
    return f"RID#{record_id}"


def version_key(version: int) -> str:
    return f"V#{version:010d}"


class RecordVersion(RecordsItem, discriminator="VERSION"):
    """One version of a record, as it was after a change (create, update, annul). Keys:
    `RID#<record_id>` / `V#<version>`. Carries no `institution_id`: not in the index."""

    record_id = UnicodeAttribute()
    version_number = NumberAttribute()
    owner_person_id = UnicodeAttribute()  # where the record lives after this change
    owner_record_key = UnicodeAttribute()
    change = UnicodeAttribute()  # CREATE / UPDATE / ANNUL
    changed_at = UTCDateTimeAttribute()
    changed_by = UnicodeAttribute()
    submitting_institution = UnicodeAttribute()
    snapshot = JSONAttribute()  # the record's fields after the change
    # The delivery of this version to DAKPR (qualifications only; see the module note).
    dakpr_state = UnicodeAttribute(null=True)  # PENDING / DELIVERED / DEAD / SUPERSEDED
    dakpr_attempts = NumberAttribute(null=True)
    dakpr_last_error = UnicodeAttribute(null=True)  # a code, never data
    dakpr_registration_number = UnicodeAttribute(null=True)
    dakpr_delivered_at = UTCDateTimeAttribute(null=True)
    # What was sent under this version's idempotency key, fixed at the first attempt: a retry sends
    # exactly it, whatever changed since (the holder's names, the institution's name).
    dakpr_payload = JSONAttribute(null=True)

    def queue_for_dakpr(self, now: datetime) -> None:
        """Make this version a delivery to DAKPR, due at once."""
        self.dakpr_state = self.dakpr_queue = "PENDING"
        self.dakpr_due = due_key(now)
        self.dakpr_attempts = 0


HEAD_KEY = "HEAD"


class RecordHead(RecordsItem, discriminator="HEAD"):
    """Where a record is now, and at which version (see the module note)."""

    record_id = UnicodeAttribute()
    version_number = NumberAttribute()
    owner_person_id = UnicodeAttribute()
    owner_record_key = UnicodeAttribute()
    status = UnicodeAttribute()
    fingerprint = UnicodeAttribute()  # of person, key and fields: an unchanged re-upload is seen without a read
    # How and when the current version was made: `API` (a single change) or `UPLOAD` (a file row).
    # A file row must not silently undo a change made through the API after the record's last
    # upload (services/records.py). Heads written before this attribute existed have none.
    via = UnicodeAttribute(null=True)
    changed_at = UTCDateTimeAttribute(null=True)


def record_head(record_id: str) -> RecordHead | None:
    """The head of a record (strongly consistent: used to decide on writes)."""
    try:
        head = RecordsItem.get(version_partition(record_id), HEAD_KEY, consistent_read=True)
    except RecordsItem.DoesNotExist:
        return None
    return head if isinstance(head, RecordHead) else None


def record_heads(record_ids: list[str]) -> dict[str, RecordHead]:
    """Heads of many records: BatchGetItem, 100 keys a call (PynamoDB retries unprocessed keys)."""
    keys = [(version_partition(rid), HEAD_KEY) for rid in record_ids]
    found = RecordsItem.batch_get(keys, consistent_read=True)
    return {item.record_id: item for item in found if isinstance(item, RecordHead)}


def enrolment_records(person_id: str, attributes: tuple[str, ...] = ()) -> list[Record]:
    """The person's active enrolment records at institutions whose naming of the person the
    Population Register has not contradicted: one Query, as the summary (`#PERSON`) and the
    enrolments sort before every other kind. `attributes`: stored names read besides the few
    every caller needs (the end date among them)."""
    found = RecordsItem.query(person_id, RecordsItem.record_key < prefix_end(kind_prefix("ENROLLMENT")),
                              attributes_to_get=["item_type", "institution_id", "status", "disputed_institutions",
                                                 "end_date", *attributes])
    enrolments: list[Record] = []
    disputed: set[str] = set()
    for item in found:
        if isinstance(item, PersonSummary):
            disputed |= set(item.disputed_institutions or ())
        elif isinstance(item, Record) and item.status == ACTIVE and item.institution_id:
            enrolments.append(item)
    return [record for record in enrolments if record.institution_id not in disputed]


def enrolments_of(person_id: str) -> list[tuple[str, str | None]]:
    """The person's enrolments in force — (institution, end date) — (`enrolment_records`). Which
    of them still give access is `domain/access.enrolment_standing`'s to say."""
    return [(str(record.institution_id), record.field("end_date")) for record in enrolment_records(person_id)]


def full_history(person_id: str) -> tuple[PersonSummary | None, list[Record]]:
    """A person's summary and every active record (all pages of the one partition Query)."""
    summary, records = None, []
    for item in RecordsItem.query(person_id, filter_condition=(RecordsItem.item_type == PersonSummary)
                                  | (Record.status == ACTIVE)):
        if isinstance(item, PersonSummary):
            summary = item
        elif isinstance(item, Record):
            records.append(item)
    return summary, records


# What the nightly snapshot reads of an enrolment (stored attribute names).
_ENROLMENT_FACTS = ("person_id", "record_key", "item_type", "institution_id", "status", *(
    field.stored_as for field in stored_fields()
    if field.name in ("start_date", "end_date", "leaving_reason", "programme", "learning_form", "class")))


def institution_enrolments(institution_id: str, attributes: tuple[str, ...] | None = _ENROLMENT_FACTS,
                           ) -> Iterator[Record]:
    """An institution's active enrolments: one Query of the `enrolments_by_institution` index, paged
    by PynamoDB, only `attributes` (stored names; None: every one). Only enrolments are in the index;
    the key condition says so again, at no cost. Annulled ones are dropped by a filter (still read:
    they are few)."""
    found = Record.enrolments_by_institution.query(
        institution_id, RecordsItem.record_key.startswith(kind_prefix("ENROLLMENT")),
        filter_condition=Record.status == ACTIVE,
        attributes_to_get=list(attributes) if attributes is not None else None)
    return (item for item in found if isinstance(item, Record))


def unindexed_enrolments() -> Iterator[tuple[str, str, str]]:
    """Every enrolment record without the enrolments index's key — (person, record key,
    institution) — by a Scan of the whole table, page by page: for the one-off backfill
    (`services/enrolment_index.py`) only, never on a request's path."""
    found = RecordsItem.scan(RecordsItem.record_key.startswith(kind_prefix("ENROLLMENT"))
                             & RecordsItem.enrolled_at.does_not_exist(),
                             attributes_to_get=["person_id", "record_key", "item_type", "institution_id"])
    for item in found:
        if isinstance(item, Record) and item.institution_id:
            yield item.person_id, item.record_key, item.institution_id


def index_enrolment(person_id: str, key: str, institution_id: str) -> bool:
    """Put one stored enrolment into the enrolments index: one UpdateItem of `enrolled_at` alone,
    conditional on the record still being there, of that institution, without the key. False:
    changed or removed meanwhile (a write path that ran since set the key itself, or moved it)."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.models.base import condition_failed

    try:
        Record(person_id, key).update(actions=[RecordsItem.enrolled_at.set(institution_id)],
                                      condition=(RecordsItem.institution_id == institution_id)
                                      & RecordsItem.enrolled_at.does_not_exist())
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
