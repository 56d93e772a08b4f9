"""Table `uploads`: one bulk upload from a school, its status and reconciled counts."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

PENDING, PROCESSING, DONE, REJECTED, FAILED = "PENDING", "PROCESSING", "DONE", "REJECTED", "FAILED"


class ByInstitutionIndex(GlobalSecondaryIndex["Upload"]):
    class Meta:
        index_name = "by_institution"
        projection = AllProjection()

    institution_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Upload(RegisterModel):
    class Meta(RegisterMeta):
        table = "uploads"

    upload_id = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    file_name = UnicodeAttribute()
    object_key = UnicodeAttribute()
    # The version of the object this upload ingests and keeps, fixed by the first claim: a second
    # POST to the same presigned form makes another version, never this upload's original.
    object_version = UnicodeAttribute(null=True)
    dry_run = BooleanAttribute(default=False)
    # PENDING (waiting for the file) / PROCESSING / DONE / REJECTED (the file, as a whole, was
    # refused: nothing written) / FAILED (processing failed; the message is retried, then dead-lettered)
    status = UnicodeAttribute(default=PENDING)
    failure_reason = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)  # while PROCESSING: another delivery waits until then
    attempts = NumberAttribute(default=0)
    rows_read = NumberAttribute(default=0)
    rows_written = NumberAttribute(default=0)
    rows_rejected = NumberAttribute(default=0)
    first_errors = JSONAttribute(null=True)  # the first 100 report lines, for the status view
    report_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    by_institution = ByInstitutionIndex()
