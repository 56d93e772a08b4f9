"""Big files: cut into parts that several invocations write at once (docs/UPLOADS.md "Big files").

One sequential writer takes about 1 ms of CPU per row plus a DynamoDB round trip per few rows:
500,000 rows would outlast Lambda's 15 minutes. So a file bigger than `upload_split_bytes`:

1. `split` (the invocation that claimed the upload) reads the whole file once without writing:
   its structure (the same reader and the same file problems as a small file), the row count
   (`MAX_ROWS` at most), and where every `upload_part_rows`-th row ends — for CSV the byte offset
   and line, so a part is a ranged read; an XLSX part reads its sheet from the start and skips
   (so an XLSX file has at most `MOST_XLSX_PARTS` parts).
   It writes one `UploadPart` item per part, then the part count on the upload (a `split` stopped
   in between is cut again by the next delivery, replacing those parts: none was queued yet),
   and sends a message per unfinished part to the uploads queue itself.
2. `ingest_part` (any invocation, one message each): claims its part with a lease, as the upload
   is claimed; writes its rows through the same `write_rows` and the same `Batch` as a small file
   (the permit re-checked every chunk, every write conditional); spools its report lines to S3;
   marks the part DONE with its counts. Redelivered or crashed, a part is read and applied again:
   rows already written are found by their heads and their fingerprints, and count as written.
3. The invocation that finds every part DONE claims the finishing (`Upload.finishing_until`, on
   the upload's version) and merges: the counts are the parts' sums (so rows_read = rows_written
   + rows_rejected holds as it holds in each part), the report lines the parts' in file order,
   then the whole file's problems — and finishes the upload as a small file is finished.

Rows of one record in two parts: the record's head decides, as between two uploads — the later
writer's condition fails and its row is read again and written as the next version, or refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import observability, queues, storage
from chalicelib.config import settings
from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.upload import MAX_ROWS, ReadBudget, RowProblem, physical_lines
from chalicelib.models.base import condition_failed
from chalicelib.models.uploads import DONE, FAILED, PENDING, PROCESSING, REJECTED, Upload, UploadPart, part_key
from chalicelib.services.ingest import (
    FIRST_ERRORS,
    LEASE,
    CsvSource,
    Report,
    RetryLater,
    _charged,
    _finish,
    source_for,
    write_rows,
)


def split(upload: Upload, report: Report) -> str:
    """Read a big file once, cut it into parts, queue them. Returns the upload's status now. (An
    upload already cut never comes here: `ingest_object` hands it to `resume`.)"""
    scanned = _scan(upload, report)
    if scanned is None:
        return upload.status  # finished here: refused as a whole
    parts, file_problems = scanned
    # Every part is saved before the upload says how many there are: a split that stops in
    # between has not happened (the next delivery of the S3 event cuts the file again).
    _save_parts(parts)
    upload.update(actions=[Upload.parts_total.set(len(parts)),
                           Upload.scan_problems.set([problem.stored() for problem in file_problems]),
                           Upload.updated_at.set(datetime.now(UTC))])
    observability.log("ingest_split", upload_id=upload.upload_id, parts=int(upload.parts_total or 0))
    return resume(upload)


def resume(upload: Upload) -> str:
    """An upload already cut into parts (its S3 event delivered again, or redriven): queue the
    parts not yet DONE, and finish it if none is left. Never read or refused again as a whole."""
    _queue_unfinished(upload)
    return finish_if_complete(upload.upload_id)


# An XLSX part reads its sheet from the start (a zip cannot be entered in the middle): at most this
# many parts, so that the file is read at most this many times over, whatever `upload_part_rows`.
MOST_XLSX_PARTS = 20


def _scan(upload: Upload, report: Report) -> tuple[list[UploadPart], list[RowProblem]] | None:
    source = source_for(upload)
    file_problems: list[RowProblem] = []
    budget = ReadBudget(settings().upload_read_cpu_seconds)
    # Where every row ends, kept for every `upload_part_rows`-th (a CSV part starts there); an XLSX
    # file's parts are cut once its row count is known.
    every = max(1, settings().upload_part_rows)
    ends: list[dict[str, Any] | None] = []
    rows = 0
    for line, _, _ in _charged(source.rows(file_problems, budget), budget):
        if rows >= MAX_ROWS:
            file_problems.append(RowProblem(line, "", P.file.too_many_rows))
            break
        rows += 1
        if rows % every == 0:
            ends.append(source.resume_point())
    ranged = isinstance(source, CsvSource)
    part_rows = every if ranged else max(every, math.ceil(rows / MOST_XLSX_PARTS))
    if rows == 0:
        _finish(upload, report, REJECTED, file_problems or [RowProblem(0, "", P.file.empty)])
        return None
    count = math.ceil(rows / part_rows)
    return [UploadPart(part_key(upload.upload_id, number), part_of=upload.upload_id, number=number,
                       first_row=number * part_rows, row_count=min(part_rows, rows - number * part_rows),
                       start=ends[number - 1] if ranged and number else None, status=PENDING)
            for number in range(count)], file_problems


def _save_parts(parts: list[UploadPart]) -> None:
    """Every part as this scan cut it, replacing any an earlier scan left: no part is queued
    before the upload counts its parts, so a part found here was never started — and a scan need
    not cut as the last one did (its reading budget is CPU time, the part size a setting)."""
    for part in parts:
        part.save()


def _parts(upload: Upload) -> list[UploadPart]:
    keys = [part_key(upload.upload_id, number) for number in range(int(upload.parts_total or 0))]
    found = {part.number: part for part in UploadPart.batch_get(keys, consistent_read=True)}
    return [found[number] for number in sorted(found)]


def _queue_unfinished(upload: Upload) -> None:
    queues.send_upload_parts(upload.upload_id, [int(part.number) for part in _parts(upload) if part.status != DONE])


def ingest_part(upload_id: str, number: int, today: date | None = None) -> str:
    """Write one part of a big upload (a message from `split`); finish the upload if it was the
    last. Returns the upload's status now."""
    try:
        upload = Upload.get(upload_id, consistent_read=True)
        part = UploadPart.get(part_key(upload_id, number), consistent_read=True)
    except (Upload.DoesNotExist, UploadPart.DoesNotExist):
        observability.log("ingest_ignored", "WARNING", reason="no part")
        return "IGNORED"
    if number >= int(upload.parts_total or 0):
        # Not one of the parts the upload counts (a split cut afresh, replacing an earlier one).
        observability.log("ingest_ignored", "WARNING", reason="not a counted part")
        return "IGNORED"
    if upload.status in (DONE, REJECTED):
        return upload.status
    if part.status != DONE:
        _claim_part(part)
        try:
            _write_part(upload, part, today or vilnius_today())
        except Exception as exc:
            observability.log_exception("ingest_part_failed", exc, upload_id=upload_id, part=number)
            _release_failed(part)
            _note_failure(upload, type(exc).__name__)
            raise  # SQS delivers it again; after the last attempt it goes to the dead-letter queue
    return finish_if_complete(upload_id)


def _claim_part(part: UploadPart) -> None:
    now = datetime.now(UTC)
    try:
        part.update(actions=[UploadPart.status.set(PROCESSING), UploadPart.lease_until.set(now + LEASE),
                             UploadPart.attempts.add(1), UploadPart.updated_at.set(now)],
                    condition=UploadPart.status.is_in(PENDING, FAILED) | (UploadPart.lease_until < now))
    except UpdateError as exc:
        if condition_failed(exc):
            raise RetryLater(part.upload_id) from None
        raise


def _write_part(upload: Upload, part: UploadPart, today: date) -> None:
    report = Report()
    source = source_for(upload)
    file_problems: list[RowProblem] = []
    budget = ReadBudget(settings().upload_read_cpu_seconds)
    rows = source.part_rows(part.start, int(part.first_row), int(part.row_count), file_problems, budget)
    write_rows(upload, report, today, _charged(rows, budget), file_problems)
    for problem in file_problems:
        report.problem(problem, counts_row=False)
    # The first problems are kept on the part; only a part with more spools them all to S3.
    spooled = len(report.first) >= FIRST_ERRORS
    if spooled:
        _spool_to_s3(report, storage.part_report_key(upload.institution_id, upload.upload_id, int(part.number)))
    report.spool.close()
    part.update(actions=[UploadPart.status.set(DONE), UploadPart.lease_until.remove(),
                         UploadPart.spooled.set(spooled),
                         UploadPart.rows_read.set(report.rows_read), UploadPart.rows_written.set(report.rows_written),
                         UploadPart.rows_rejected.set(report.rows_rejected),
                         UploadPart.first_errors.set(report.first), UploadPart.updated_at.set(datetime.now(UTC))],
                condition=UploadPart.status == PROCESSING)


def _release_failed(part: UploadPart) -> None:
    try:
        part.update(actions=[UploadPart.status.set(FAILED), UploadPart.lease_until.remove(),
                             UploadPart.updated_at.set(datetime.now(UTC))], condition=UploadPart.status == PROCESSING)
    except UpdateError:
        observability.log("ingest_part_not_released", "ERROR", upload_id=part.part_of, part=int(part.number))


def _note_failure(upload: Upload, reason: str) -> None:
    """The school sees FAILED and why, as for a small file, while SQS delivers the part again; the
    part that finishes last still finishes the upload (FAILED is claimed like PROCESSING)."""
    with contextlib.suppress(UpdateError):  # another part noted it first, or the upload moved on
        upload.update(actions=[Upload.status.set(FAILED), Upload.failure_reason.set(reason),
                               Upload.updated_at.set(datetime.now(UTC))], condition=Upload.status == PROCESSING)


def _spool_to_s3(report: Report, key: str) -> None:
    with tempfile.TemporaryFile() as spooled:
        text = io.TextIOWrapper(spooled, encoding="utf-8", write_through=True)
        for line in report.problems():
            text.write(json.dumps(line, ensure_ascii=False) + "\n")
        text.detach()
        spooled.seek(0)
        storage.put_file(key, spooled, "application/x-ndjson")


def finish_if_complete(upload_id: str) -> str:
    """If every part is DONE, claim the finishing and merge the parts into the upload's report."""
    upload = Upload.get(upload_id, consistent_read=True)
    if upload.status in (DONE, REJECTED):
        return upload.status
    parts = _parts(upload)
    if len(parts) != int(upload.parts_total or 0) or any(part.status != DONE for part in parts):
        return upload.status
    now = datetime.now(UTC)
    try:
        upload.update(actions=[Upload.finishing_until.set(now + LEASE)],
                      condition=Upload.status.is_in(PROCESSING, FAILED)
                      & (Upload.finishing_until.does_not_exist() | (Upload.finishing_until < now)))
    except UpdateError as exc:
        if condition_failed(exc):
            return upload.status  # another part's invocation is finishing it
        raise
    report = Report(rows_read=sum(int(p.rows_read) for p in parts),
                    rows_written=sum(int(p.rows_written) for p in parts),
                    rows_rejected=sum(int(p.rows_rejected) for p in parts))
    for part in parts:
        for line in _part_lines(upload, part):
            if len(report.first) < FIRST_ERRORS:
                report.first.append(line)
            report.spool.write(json.dumps(line, ensure_ascii=False) + "\n")
    scanned = [RowProblem(int(p["line"]), str(p["column"]), str(p["code"]), str(p.get("detail", "")))
               for p in upload.scan_problems or []]
    status = _finish(upload, report, DONE, scanned)
    storage.delete_all([storage.part_report_key(upload.institution_id, upload.upload_id, int(part.number))
                        for part in parts if part.spooled])
    return status


def _part_lines(upload: Upload, part: UploadPart) -> Iterator[dict[str, Any]]:
    """A part's report lines in order: on the part if they were few, else from its S3 spool."""
    if not part.spooled:
        yield from part.first_errors or []
        return
    key = storage.part_report_key(upload.institution_id, upload.upload_id, int(part.number))
    for raw in physical_lines(storage.stream(storage.StoredObject(key))):
        yield json.loads(raw[0])
