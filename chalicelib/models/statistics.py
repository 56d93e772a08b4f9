"""Table `statistics`: the nightly snapshot's pupil counts (docs/STATE.md section 3).

Partition `day` = `DAY#<ISO date>`; sort `place` = `<municipality>#<institution>`: one item per
institution and day, holding its counts by (grade level, programme, learning form, sex) as a JSON
map (`grade|programme|form|sex` → count; an unknown part is empty). A day's national figures are one
Query of its partition, a municipality's the same Query with `begins_with("<code>#")`: items read
grow with institutions, never with pupils. The item `#DONE` (sorts before every municipality code)
is written last, when the pass has counted every institution: without it the day is not computed.

Partition `OPEN#<ISO date>` holds open data as published for a reference date: one item per
municipality (`place` = its code) with the published table (`published`, withheld counts null).
Written once — a conditional put that never replaces — so a re-run after corrections cannot put
a second version of the same day beside the first for anyone to subtract.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.base import RegisterMeta, RegisterModel

DONE_PLACE = "#DONE"


def day_key(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def place_key(municipality: str, institution_id: str) -> str:
    return f"{municipality}#{institution_id}"


class StatisticsItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "statistics"

    day = UnicodeAttribute(hash_key=True)
    place = UnicodeAttribute(range_key=True)
    computed_at = UTCDateTimeAttribute()
    # An institution's item (absent on `#DONE`):
    institution_id = UnicodeAttribute(null=True)
    institution_name = UnicodeAttribute(null=True)
    municipality = UnicodeAttribute(null=True)
    counts = JSONAttribute(null=True)  # {"8|201001001|DAILY|F": 12, ...}
    total = NumberAttribute(null=True)
    # On `#DONE`: how many institutions the pass counted.
    institutions = NumberAttribute(null=True)
    # In an `OPEN#` partition: the municipality's table as published.
    published = JSONAttribute(null=True)


def open_key(day: date) -> str:
    return f"OPEN#{day.isoformat()}"


def publish_once(day: date, municipality: str, table: dict[str, object], now: datetime) -> bool:
    """The municipality's open-data table of `day`, unless one is there already (False)."""
    from pynamodb.exceptions import PutError

    from chalicelib.models.base import condition_failed

    try:
        StatisticsItem(open_key(day), municipality, computed_at=now, published=table).save(
            condition=StatisticsItem.place.does_not_exist())
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def published_tables(day: date, municipality: str | None) -> list[StatisticsItem]:
    """The open-data tables published for `day`, all or one municipality's: one Query (≤ 60 items)."""
    condition = StatisticsItem.place == municipality if municipality else None
    return list(StatisticsItem.query(open_key(day), condition))


def save_counts(items: Iterable[StatisticsItem]) -> None:
    """The day's items in batches of 25 (a re-run overwrites them: same keys)."""
    with StatisticsItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def day_done(day: date) -> StatisticsItem | None:
    """The day's completion mark, if the pass finished that day."""
    try:
        return StatisticsItem.get(day_key(day), DONE_PLACE)
    except StatisticsItem.DoesNotExist:
        return None


def day_counts(day: date, municipality: str | None) -> list[StatisticsItem]:
    """The day's institution items, all or one municipality's: one Query (paged by PynamoDB)."""
    condition = StatisticsItem.place.startswith(f"{municipality}#") if municipality else None
    return [item for item in StatisticsItem.query(day_key(day), condition) if item.place != DONE_PLACE]


def mark_done(day: date, institutions: int, now: datetime) -> None:
    StatisticsItem(day_key(day), DONE_PLACE, computed_at=now, institutions=institutions).save()
