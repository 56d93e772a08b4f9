"""Table `records`: every education record, keyed so one person's history is one ordered Query.

Sort key `record_key` = `KIND#sort-date#record_id`: a Query on `person_id` returns the history
grouped by kind and in date order within each kind, which is how it is read.
"""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

ACTIVE = "ACTIVE"
ANNULLED = "ANNULLED"


def record_key(kind: str, sort_date: str, record_id: str) -> str:
    return f"{kind}#{sort_date}#{record_id}"


class ByInstitutionIndex(GlobalSecondaryIndex["Record"]):
    """Which records did an institution submit: (institution_id, record_key)."""

    class Meta:
        index_name = "by_institution"
        projection = AllProjection()

    institution_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)


class Record(RegisterModel):
    class Meta(RegisterMeta):
        table = "records"
        # The DAKPR transfer reads changes to qualifications from the stream.
        stream_view_type = "NEW_AND_OLD_IMAGES"

    person_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    record_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    institution_id = UnicodeAttribute()
    source_id = UnicodeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    annul_reason = UnicodeAttribute(null=True)

    start_date = UnicodeAttribute(null=True)
    end_date = UnicodeAttribute(null=True)
    issue_date = UnicodeAttribute(null=True)
    programme = UnicodeAttribute(null=True)
    class_name = UnicodeAttribute(null=True, attr_name="class")
    learning_form = UnicodeAttribute(null=True)
    leaving_reason = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    level = UnicodeAttribute(null=True)
    grade = UnicodeAttribute(null=True)
    score = NumberAttribute(null=True)
    place = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    document_type = UnicodeAttribute(null=True)
    document_series = UnicodeAttribute(null=True)
    document_number = UnicodeAttribute(null=True)
    teacher = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)

    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()

    by_institution = ByInstitutionIndex()
