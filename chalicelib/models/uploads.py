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
    # A big file (services/ingest_parts.py): how many parts it was cut into, what the reading of the
    # whole file found wrong with it as a whole (report lines), and the claim of the part that
    # merges the reports (another finisher waits until then).
    parts_total = NumberAttribute(null=True)
    scan_problems = JSONAttribute(null=True)
    finishing_until = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    by_institution = ByInstitutionIndex()


def part_key(upload_id: str, number: int) -> str:
    """A part's key in the `uploads` table: never an upload id (those are hex), never in its index."""
    return f"{upload_id}#part#{number:04d}"


class UploadPart(RegisterModel):
    """One part of a big upload: which rows it holds and where they start, claimed with a lease like
    the upload, and its counts once written. Kept in the `uploads` table without the index's
    attributes, so the institution's list of uploads never shows it."""

    class Meta(RegisterMeta):
        table = "uploads"

    upload_id = UnicodeAttribute(hash_key=True)  # part_key(...)
    part_of = UnicodeAttribute()
    number = NumberAttribute()
    first_row = NumberAttribute()  # rows of the file before this part (blank lines aside)
    row_count = NumberAttribute()
    # Where the part's first row starts, and how to read it (a CSV file; an XLSX part reads its
    # sheet from the start and skips `first_row` rows): {"offset", "lines", "encoding", "delimiter", "fields"}.
    start = JSONAttribute(null=True)
    status = UnicodeAttribute(default=PENDING)
    lease_until = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    rows_read = NumberAttribute(default=0)
    rows_written = NumberAttribute(default=0)
    rows_rejected = NumberAttribute(default=0)
    first_errors = JSONAttribute(null=True)
    # Whether its report lines are more than `first_errors` holds and were spooled to S3 (parts/...).
    spooled = BooleanAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
