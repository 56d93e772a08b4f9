"""Table `movements`: one item per pair of enrolments of one person open at two institutions at
once — the old one at institution A (which should end it) and the new one at B (docs/STATE.md
section 4, `domain/movements.py`).

Keys: partition `old_record_id` (A's enrolment), sort `new_record_id` (B's). Keyed by the records,
not by a time or a counter, so a retried or repeated write of B's enrolment lands on the same
item, and the transaction that ends A's enrolment finds every item it closes with one Query of
its partition. Written only by `services/records.py`, in the record's own transaction.

Each old enrolment with items also has a *marker* item (sort key `#`) whose `generation` every
write opening one of its items increments. The write that ends the old enrolment is conditional
on the marker as it read it, so an item opened by another school between that write's read and
its commit refuses it (it is then planned again and closes the new item too) — no item is left
open on an ended enrolment by a race.

Four sparse indexes, whose hash-key attributes only an *open* item carries (removed when it
closes), all sorted by `opened_at` (ISO date):
- `open_from` (A's institution): the school that should close the enrolment;
- `open_to` (B's institution): the school the pupil arrived at;
- `open_by_municipality` (A's municipality code): an official's overdue items — the
  municipality chases the school that must act, which is A;
- `open_all` (the constant `OPEN`): the ministry's overdue items. One partition holds every open
  item; moves are a few thousand a year, far below a partition's throughput.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

OPEN = "OPEN"
# How an item was closed.
ENDED, ANNULLED = "ENDED", "ANNULLED"
MARKER = "#"  # the sort key of an old enrolment's marker item (see the module note)


class OpenFromIndex(GlobalSecondaryIndex["Movement"]):
    class Meta:
        index_name = "open_from"
        projection = AllProjection()

    open_from = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class OpenToIndex(GlobalSecondaryIndex["Movement"]):
    class Meta:
        index_name = "open_to"
        projection = AllProjection()

    open_to = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class OpenByMunicipalityIndex(GlobalSecondaryIndex["Movement"]):
    class Meta:
        index_name = "open_by_municipality"
        projection = AllProjection()

    open_municipality = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class OpenAllIndex(GlobalSecondaryIndex["Movement"]):
    class Meta:
        index_name = "open_all"
        projection = AllProjection()

    open_state = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class Movement(RegisterModel):
    class Meta(RegisterMeta):
        table = "movements"

    old_record_id = UnicodeAttribute(hash_key=True)
    new_record_id = UnicodeAttribute(range_key=True)
    person_id = UnicodeAttribute()
    from_institution = UnicodeAttribute()
    from_name = UnicodeAttribute(null=True)
    from_municipality = UnicodeAttribute(null=True)
    to_institution = UnicodeAttribute()
    to_name = UnicodeAttribute(null=True)
    arrived_on = UnicodeAttribute()  # the new enrolment's start date (ISO)
    opened_at = UnicodeAttribute()  # the Vilnius date the item was first written (ISO)
    closed_at = UnicodeAttribute(null=True)
    closed_how = UnicodeAttribute(null=True)  # ENDED / ANNULLED
    generation = NumberAttribute(null=True)  # the marker's only attribute

    # The sparse indexes' keys: set while open, removed when closed (see the module note).
    open_from = UnicodeAttribute(null=True)
    open_to = UnicodeAttribute(null=True)
    open_municipality = UnicodeAttribute(null=True)
    open_state = UnicodeAttribute(null=True)

    open_from_index = OpenFromIndex()
    open_to_index = OpenToIndex()
    open_by_municipality = OpenByMunicipalityIndex()
    open_all = OpenAllIndex()


def movements_of(old_record_id: str) -> tuple[list[Movement], int | None]:
    """Every item of one old enrolment, open or closed, and its marker's generation (None: no
    item was ever opened) — one Query, strongly consistent: it decides a write."""
    items, generation = [], None
    for item in Movement.query(old_record_id, consistent_read=True):
        if item.new_record_id == MARKER:
            generation = int(item.generation or 0)
        else:
            items.append(item)
    return items, generation


def marker_condition(generation: int | None) -> object:
    """The marker as read: no item opened since."""
    return Movement.generation.does_not_exist() if generation is None else Movement.generation == generation


def open_arrivals(institution_id: str, new_record_id: str) -> list[Movement]:
    """Open items whose new enrolment is this record (its institution's open arrivals, filtered)."""
    return list(Movement.open_to_index.query(institution_id,
                                             filter_condition=Movement.new_record_id == new_record_id))


def open_count_of(institution_id: str) -> int:
    """The institution's open movement items, as the old school or the new one: two counting
    Queries of the sparse indexes (no items returned) — for the nightly pass, not for requests."""
    return int(Movement.open_from_index.count(institution_id) + Movement.open_to_index.count(institution_id))
