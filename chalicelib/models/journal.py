"""Table `journal`: append-only, per person, every change to their records and every read of their
data by someone else. Sort key `event_key` = `<ISO timestamp>#<event_id>`: newest first is one
Query with `scan_index_forward=False`.

An upload's changes are journaled one item per pupil per chunk of the file: action `RECORDS`, and
`records` lists each record written ({record_id, action, before, after}); readers show one entry
per listed record (services/journal.py `entries`)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.base import RegisterMeta, RegisterModel


def event_key(at_iso: str, event_id: str) -> str:
    return f"{at_iso}#{event_id}"


class JournalEvent(RegisterModel):
    class Meta(RegisterMeta):
        table = "journal"

    person_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    action = UnicodeAttribute()  # READ / CREATE / UPDATE / ANNUL / EXPORT / ...
    actor_id = UnicodeAttribute()  # who: a person id, or a system actor such as "ingest"
    actor_role = UnicodeAttribute()
    institution_id = UnicodeAttribute(null=True)
    institution_name = UnicodeAttribute(null=True)  # denormalised for the citizen's view
    purpose = UnicodeAttribute(null=True)
    record_id = UnicodeAttribute(null=True)
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    records = JSONAttribute(null=True)  # action RECORDS: [{record_id, action, before, after}], in write order
