"""Table `outside_education`: the current list of school-age residents with no open enrolment
(docs/STATE.md section 5), and each day's counts by municipality.

Partition `municipality` (the ISO 3166-2:LT code), sort `item` (the person id): an official's
page is one Query of their municipality's partition. The counts of a day are one item in the
partition `COUNTS`, sorted by the ISO date: the ministry's view reads one item, whatever the
number of children. The `item_type` discriminator returns each as its own class.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.models.base import RegisterMeta, RegisterModel

COUNTS_PARTITION = "COUNTS"


class OutsideEducationItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "outside_education"

    municipality = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()
    listed_on = UnicodeAttribute()  # the day (ISO) of the refresh that wrote the item
    # Which refresh wrote it. It begins with the refresh's start instant: a refresh removes the rows
    # of earlier-started ones that it did not rewrite, never a row of one that started after it.
    run_id = UnicodeAttribute()
    written_at = UTCDateTimeAttribute()


class OutsideChildItem(OutsideEducationItem, discriminator="CHILD"):
    """`item` is the person id."""

    birth_date = UnicodeAttribute()
    age = NumberAttribute()  # on `listed_on`
    last_institution = UnicodeAttribute(null=True)
    leaving_reason = UnicodeAttribute(null=True)
    since = UnicodeAttribute(null=True)  # the last enrolment's end date

    @property
    def person_id(self) -> str:
        return str(self.item)


class OutsideCounts(OutsideEducationItem, discriminator="COUNTS"):
    """`municipality` is `COUNTS`, `item` the day: children on the list per municipality code."""

    counts = JSONAttribute()  # {municipality code: children}
    residents_read = NumberAttribute()


def write_children(children: Iterable[OutsideChildItem]) -> None:
    """Put every item (BatchWriteItem, 25 a request). Raises if some could not be written."""
    with OutsideEducationItem.batch_write() as batch:
        for child in children:
            batch.save(child)


def remove_older_than(municipalities: Iterable[str], run_id: str) -> int:
    """Delete the children written by runs whose id sorts before `run_id` (runs that started
    earlier: the service's run ids begin with the start instant) and not rewritten by `run_id`:
    one Query per municipality, filtered, and batch deletes. Rows of a run that started later are
    kept, whatever it is doing. Returns how many were removed."""
    removed = 0
    with OutsideEducationItem.batch_write() as batch:
        for code in municipalities:
            stale = OutsideEducationItem.query(code, filter_condition=OutsideEducationItem.run_id < run_id)
            for item in stale:
                batch.delete(item)
                removed += 1
    return removed


def children_page(
    municipality: str, limit: int, last_evaluated_key: dict[str, Any] | None,
) -> tuple[list[OutsideChildItem], dict[str, Any] | None]:
    result = OutsideEducationItem.query(municipality, limit=limit, last_evaluated_key=last_evaluated_key)
    children = [item for item in result if isinstance(item, OutsideChildItem)]
    return children, result.last_evaluated_key


def counts_of(day: date | None) -> OutsideCounts | None:
    """The counts of `day`, or of the latest refresh when `day` is None."""
    if day is not None:
        try:
            found = OutsideEducationItem.get(COUNTS_PARTITION, day.isoformat())
        except OutsideEducationItem.DoesNotExist:
            return None
        return found if isinstance(found, OutsideCounts) else None
    latest = OutsideEducationItem.query(COUNTS_PARTITION, scan_index_forward=False, limit=1)
    return next((item for item in latest if isinstance(item, OutsideCounts)), None)
