"""Table `uploads`: one bulk upload from a school, its status and reconciled counts."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel


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
    dry_run = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="PENDING")  # PENDING / PROCESSING / DONE / FAILED
    failure_reason = UnicodeAttribute(null=True)
    rows_read = NumberAttribute(default=0)
    rows_written = NumberAttribute(default=0)
    rows_rejected = NumberAttribute(default=0)
    report_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_institution = ByInstitutionIndex()
