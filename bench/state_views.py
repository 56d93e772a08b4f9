"""The state's views at scale (docs/STATE.md sections 1 and 3): a register of 33,000 and of
330,000 enrolments (~1,100 institutions in 60 municipalities) written in bulk (batch_write, not
the API), then

- the DynamoDB items read per `GET /statistics` (national, one municipality) and per
  `GET /reporting` page, at both sizes — they must not grow with pupils;
- the snapshot job's run time over the 330,000 enrolments, beside a bare boto3 Query of the same
  items (all institutions' enrolments through the same index): the ratio is what the job adds.

Items read are counted from the responses (`Count` of Query, the items of GetItem/BatchGetItem)
through a botocore event hook, so what PynamoDB or the service do above it cannot hide a read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

PROGRAMMES = ("101001001", "201001001", "301001001", "311001001")
FORMS = ("DAILY", "DAILY", "DAILY", "DAILY", "EVENING", "DISTANCE")
CLASSES = ("1a", "2b", "3a", "4c", "5a", "6b", "7a", "8b", "9a", "10c", "IIa", "IIIb", "IVa")
INSTITUTIONS = 1_100
MUNICIPALITIES = 60


def enrolment(person_id: str, institution_id: str, serial: int, *, start: str, end: str | None = None,
              class_name: str | None = None, programme: str = "201001001", form: str | None = "DAILY",
              now: datetime | None = None) -> Any:
    """An active enrolment record as the write path stores it, built directly (bulk data)."""
    from chalicelib.models.records import Record, record_key

    moment = now or datetime.now(UTC)
    rid = f"E{institution_id[-6:]}{serial:018d}"
    record = Record(person_id, record_key("ENROLLMENT", start, rid), record_id=rid, kind="ENROLLMENT",
                    institution_id=institution_id, institution_name=f"Mokykla {institution_id}",
                    source_id=f"s{serial}", created_at=moment, created_by="bench", updated_at=moment,
                    updated_by="bench", version=1)
    for name, value in (("start_date", start), ("end_date", end), ("class", class_name),
                        ("programme", programme), ("learning_form", form)):
        if value is not None:
            record.set_field(name, value)
    return record
