"""`ingest_upload`: a school's file, read as a stream, validated row by row, written in batches,
explained line by line in a report. Nothing is lost, nothing is doubled:

- The upload is claimed with a lease (a conditional update): a second delivery of the same event
  finds it DONE (and does nothing) or leased (and is retried later by SQS).
- Every record is keyed by (institution, source_id). New records are written with BatchWriteItem
  (record, version 1 — for a qualification also its DAKPR outbox entry —, journal entry, then the
  heads, all with keys derived from the upload and the line, so a retry after a crash writes the
  same items again, not new ones; the DAKPR transfer waits for the head); records that exist and are
  unchanged are skipped by fingerprint; records that changed go through the API's conditional
  transaction.
- Every data row ends as written or rejected: rows_read = rows_written + rows_rejected.
- The uploader's permit is checked again here: a revoked permit stops files already queued.
- The report holds line, column, code and messages, never a value from the file.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any
from urllib.parse import unquote_plus

from pynamodb.exceptions import PynamoDBException, UpdateError

from chalicelib import observability, storage
from chalicelib.config import settings
from chalicelib.domain import policy, xlsx
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.records import RecordBase, validate_record
from chalicelib.domain.spreadsheet import neutralise
from chalicelib.domain.upload import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Columns,
    FileProblem,
    ReadBudget,
    RowProblem,
    csv_rows,
    decoded_lines,
    indexed_row_values,
    looks_binary,
    map_header,
    physical_lines,
    sniff_delimiter,
    sniff_encoding,
)
from chalicelib.errors import Problem
from chalicelib.models.base import batch_put, condition_failed
from chalicelib.models.institutions import institution_profile
from chalicelib.models.journal import JournalEvent, event_key
from chalicelib.models.persons import Person
from chalicelib.models.records import record_heads
from chalicelib.models.uploads import DONE, FAILED, PENDING, PROCESSING, REJECTED, Upload
from chalicelib.services.access import caller_facts
from chalicelib.services.journal import CREATE, Actor, new_event
from chalicelib.services.persons import summary_of
from chalicelib.services.records import person_from_record, person_problems, record_items, write_record

# Rows gathered before writing: BatchGetItem takes 100 keys, so one head look-up serves 100 rows;
# the writes still go 25 items a call.
CHUNK = 100
PERSON_CACHE = 20_000  # persons looked up once per upload (a pupil has many rows); bounded memory
LEASE = timedelta(minutes=15)  # the queue's visibility timeout: a crashed run's lease runs out with it
FIRST_ERRORS = 100


class RetryLater(Exception):
    """Another delivery holds the upload's lease: let SQS deliver this message again later."""


@dataclass
class Report:
    """Counts and problems, the problems spooled to a temporary file (flat memory)."""

    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    first: list[dict[str, Any]] = field(default_factory=list)
    # Closed by _finish; a temporary file disappears with the process anyway.
    spool: IO[str] = field(default_factory=lambda: tempfile.TemporaryFile("w+", encoding="utf-8"))  # noqa: SIM115

    def problem(self, item: RowProblem, counts_row: bool = True) -> None:
        line = item.as_dict()
        if len(self.first) < FIRST_ERRORS:
            self.first.append(line)
        self.spool.write(json.dumps(line, ensure_ascii=False) + "\n")
        if counts_row:
            self.rows_rejected += 1

    def problems(self) -> Iterator[dict[str, Any]]:
        self.spool.seek(0)
        for text in self.spool:
            yield json.loads(text)


def key_parts(raw_key: str) -> tuple[str, str, str] | None:
    """`incoming/{institution}/{upload}/{file name}` from an S3 event key (URL-encoded there)."""
    key = unquote_plus(raw_key)
    parts = key.split("/", 3)
    if len(parts) != 4 or parts[0] != "incoming" or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]


def ingest_object(raw_key: str, today: date | None = None) -> str:
    """Process one uploaded object; return the upload's final status."""
    parts = key_parts(raw_key)
    if parts is None:
        observability.log("ingest_ignored", "WARNING", reason="key")
        return "IGNORED"
    institution_id, upload_id, _ = parts
    try:
        upload = Upload.get(upload_id, consistent_read=True)
    except Upload.DoesNotExist:
        observability.log("ingest_ignored", "WARNING", reason="no upload")
        return "IGNORED"  # nobody asked for this upload: nothing to report to
    if upload.status in (DONE, REJECTED):
        return upload.status  # a redelivered event: it was done once
    if upload.object_key != unquote_plus(raw_key) or upload.institution_id != institution_id:
        return _finish(upload, Report(), REJECTED, [RowProblem(0, "", "file.institution")])
    _claim(upload)
    report = Report()
    try:
        status = _process(upload, report, today or date.today())
    except Exception as exc:
        reason = type(exc).__name__
        observability.log_exception("ingest_failed", exc, upload_id=upload_id)
        _finish(upload, report, FAILED, [], failure_reason=reason)
        raise  # SQS delivers it again; after the last attempt it goes to the dead-letter queue
    return status


def _claim(upload: Upload) -> None:
    now = datetime.now(UTC)
    try:
        upload.update(
            actions=[Upload.status.set(PROCESSING), Upload.lease_until.set(now + LEASE),
                     Upload.attempts.add(1), Upload.updated_at.set(now)],
            condition=Upload.status.is_in(PENDING, FAILED) | (Upload.lease_until < now),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise RetryLater(upload.upload_id) from None
        raise


def _process(upload: Upload, report: Report, today: date) -> str:
    facts = caller_facts(upload.uploaded_by, today)
    if not policy.write_records(facts, upload.institution_id).allowed:
        return _finish(upload, report, REJECTED, [RowProblem(0, "", "file.permit")])
    if storage.object_size(upload.object_key) > MAX_FILE_BYTES:
        return _finish(upload, report, REJECTED, [RowProblem(0, "", "file.too_large")])
    profile = institution_profile(upload.institution_id)
    actor = Actor(upload.uploaded_by, "representative", upload.institution_id, profile.name if profile else None)
    reader = _xlsx_rows if upload.file_name.lower().endswith(".xlsx") else _csv_rows
    file_problems: list[RowProblem] = []
    batch = Batch(upload, actor, report, today)
    budget = ReadBudget(settings().upload_read_cpu_seconds)
    for line, values, problem in _charged(reader(upload.object_key, file_problems, budget), budget):
        if report.rows_read >= MAX_ROWS:
            file_problems.append(RowProblem(line, "", "file.too_many_rows"))
            break
        report.rows_read += 1
        if problem:
            report.problem(RowProblem(line, "", problem))
            continue
        batch.add(line, values or {})
    batch.flush()
    if file_problems and report.rows_read == 0:
        return _finish(upload, report, REJECTED, file_problems)
    return _finish(upload, report, DONE, file_problems)


Row = tuple[int, dict[str, object] | None, str | None]


def _charged(rows: Iterator[Row], budget: ReadBudget) -> Iterator[Row]:
    """The reader's rows, the time it takes to produce them charged to the file's budget."""
    while True:
        try:
            row = budget.next_of(rows)
        except StopIteration:
            return
        yield row


def _csv_rows(key: str, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
    try:
        yield from _csv_file_rows(key, file_problems, budget)
    except FileProblem as refused:
        file_problems.append(RowProblem(0, "", refused.code))


def _csv_file_rows(key: str, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
    chunks = storage.stream(key)
    first = next(chunks, b"")
    if not first.strip():
        file_problems.append(RowProblem(0, "", "file.empty"))
        return
    if looks_binary(first):
        file_problems.append(RowProblem(0, "", "file.not_text"))
        return
    encoding = sniff_encoding(first[:65536])
    lines = decoded_lines(physical_lines(_prepend(first, chunks)), encoding)
    header = next(lines, None)
    if header is None or header.problem:
        file_problems.append(RowProblem(1, "", (header.problem if header else None) or "file.empty"))
        return
    delimiter = sniff_delimiter(header.text)
    columns = map_header(next(_split(header.text, delimiter), []))
    if columns.problems:
        file_problems.extend(columns.problems)
        return
    any_row = False
    for start, cells, problem in csv_rows(lines, delimiter):
        budget.check()
        if cells is not None and not any(cell.strip() for cell in cells):
            continue  # a blank line: spreadsheets leave them; not a row
        any_row = True
        yield from _row(columns, start, None if cells is None else enumerate(cells), problem)
    if not any_row:
        file_problems.append(RowProblem(1, "", "file.header_only"))


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _split(text: str, delimiter: str) -> Iterator[list[str]]:
    import csv

    yield from csv.reader([text], delimiter=delimiter)


def _row(columns: Columns, line: int, cells: Iterable[tuple[int, object]] | None, problem: str | None
         ) -> Iterator[Row]:
    """A row's (column, value) pairs as template fields, or the problem that rejects it."""
    if cells is None or problem:
        yield line, None, problem or "row.malformed"
        return
    values, extra = indexed_row_values(columns, cells)
    yield (line, None, "row.columns") if extra else (line, values, None)


def _xlsx_rows(key: str, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
    with tempfile.TemporaryFile() as spooled:
        storage.download_to(key, spooled)
        spooled.seek(0)
        yield from _sheet_rows(spooled, file_problems, budget)


def _sheet_rows(handle: IO[bytes], file_problems: list[RowProblem], budget: ReadBudget | None = None) -> Iterator[Row]:
    """The first worksheet (chalicelib/domain/xlsx.py) as rows: row 1 is the header."""
    try:
        unsafe = xlsx.zip_problem(handle)
        if unsafe:
            file_problems.append(RowProblem(0, "", unsafe))
            return
        rows = xlsx.sheet_rows(handle, budget or ReadBudget(float("inf")))
        first = next(rows, None)
        if first is None:
            file_problems.append(RowProblem(0, "", "file.empty"))
            return
        number, header, problem = first
        if number != 1:
            header, problem = [], None  # a blank row 1 is an empty header: its missing columns are reported
        if problem:
            file_problems.append(RowProblem(1, "", problem))
            return
        columns = map_header(_header_cells(header or []))
        if columns.problems:
            file_problems.extend(columns.problems)
            return
        any_row = False
        for line, cells, problem in rows:
            any_row = True
            yield from _row(columns, line, None if cells is None else ((c, _cell(v)) for c, v in cells), problem)
        if not any_row:
            file_problems.append(RowProblem(1, "", "file.header_only"))
    except FileProblem as refused:
        file_problems.append(RowProblem(0, "", refused.code))


def _header_cells(cells: list[tuple[int, object]]) -> list[str]:
    header = [""] * (max((column for column, _ in cells), default=-1) + 1)
    for column, value in cells:
        header[column] = str(value)
    return header


def _cell(value: object) -> object:
    """Spreadsheet numbers that are codes come back as floats: 39001010000.0 is `39001010000`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Batch:
    """Valid rows gathered 25 at a time and written together."""

    def __init__(self, upload: Upload, actor: Actor, report: Report, today: date) -> None:
        self.upload, self.actor, self.report, self.today = upload, actor, report, today
        self.rows: list[tuple[int, RecordBase]] = []
        self.ids: set[str] = set()
        self.persons: dict[str, Person] = {}

    def add(self, line: int, values: dict[str, object]) -> None:
        try:
            record = validate_record(values, today=self.today)
        except DomainValidationError as exc:
            for error in exc.errors:
                self.report.problem(RowProblem(line, error.field, error.code), counts_row=False)
            self.report.rows_rejected += 1
            return
        record_id = record_id_for(self.upload.institution_id, record.source_id)
        if record_id in self.ids:
            self.flush()  # the same record twice in a row: the second is an update, after the first
        self.rows.append((line, record))
        self.ids.add(record_id)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows, self.ids = self.rows, [], set()
        persons = self._persons({r.person_id for _, r in rows})
        heads = record_heads([record_id_for(self.upload.institution_id, r.source_id) for _, r in rows])
        now = datetime.now(UTC)
        writes: list[Any] = []
        new_heads: list[Any] = []
        updates: list[tuple[int, RecordBase]] = []
        for line, record in rows:
            person = persons.get(record.person_id)
            problems = person_problems(record, person)
            if problems:
                for problem in problems:
                    self.report.problem(RowProblem(line, problem.field, problem.code), counts_row=False)
                self.report.rows_rejected += 1
                continue
            if person is None:
                person = person_from_record(record, self.actor.person_id, now)
                person.version = 1  # a batch write bypasses PynamoDB's versioning: set it as it would
                self.persons[person.person_id] = persons[person.person_id] = person
                writes += [person, summary_of(person)]
            record_id = record_id_for(self.upload.institution_id, record.source_id)
            head = heads.get(record_id)
            items = record_items(record, person.person_id, self.upload.institution_id, self.actor, number=1, now=now)
            if head is not None:
                if head.fingerprint != items.head.fingerprint:
                    updates.append((line, record))
                    continue
                self.report.rows_written += 1  # already stored as it is (a re-upload, a retry)
                continue
            writes += [items.record, items.version, self._journal(line, record, items.record)]
            new_heads.append(items.head)
            self.report.rows_written += 1
        if not self.upload.dry_run:
            batch_put(writes)
            # Heads last: a head says its record is complete (a retry skips a row whose head
            # matches), so it must not land before the record, version and outbox entry it vouches for.
            batch_put(new_heads)
        for line, record in updates:
            self._update(line, record)

    def _persons(self, wanted: set[str]) -> dict[str, Person]:
        missing = wanted - set(self.persons)
        if missing:
            if len(self.persons) > PERSON_CACHE:
                self.persons.clear()
            self.persons.update((p.person_id, p) for p in Person.batch_get(missing, consistent_read=True))
        return {person_id: self.persons[person_id] for person_id in wanted if person_id in self.persons}

    def _journal(self, line: int, record: RecordBase, item: Any) -> JournalEvent:
        """The CREATE entry, keyed by upload and line: written again on a retry, never twice."""
        event = new_event(record.person_id, CREATE, self.actor, record_id=item.record_id, after=record.fields(),
                          correlation_id=self.upload.upload_id)
        event.event_id = f"{self.upload.upload_id}-{line}"
        event.at = self.upload.created_at
        event.event_key = event_key(self.upload.created_at.isoformat(timespec="microseconds"), event.event_id)
        return event

    def _update(self, line: int, record: RecordBase) -> None:
        if self.upload.dry_run:
            self.report.rows_written += 1
            return
        try:
            write_record(record, self.upload.institution_id, self.actor, self.upload.upload_id)
        except Problem as problem:
            code = "row.conflict" if problem.status == 409 else problem.code
            self.report.problem(RowProblem(line, "", code))
            return
        self.report.rows_written += 1


def _finish(
    upload: Upload, report: Report, status: str, file_problems: list[RowProblem], failure_reason: str | None = None
) -> str:
    for problem in file_problems:
        report.problem(problem, counts_row=False)
    report_key = storage.report_key(upload.institution_id, upload.upload_id, "json")
    summary = {"upload_id": upload.upload_id, "institution_id": upload.institution_id,
               "file_name": upload.file_name, "dry_run": upload.dry_run, "status": status,
               "rows_read": report.rows_read, "rows_written": report.rows_written,
               "rows_rejected": report.rows_rejected}
    _publish_reports(upload, summary, report)
    report.spool.close()
    now = datetime.now(UTC)
    try:
        upload.update(actions=[
            Upload.status.set(status), Upload.rows_read.set(report.rows_read),
            Upload.rows_written.set(report.rows_written), Upload.rows_rejected.set(report.rows_rejected),
            Upload.first_errors.set(report.first), Upload.report_key.set(report_key),
            Upload.failure_reason.set(failure_reason) if failure_reason else Upload.failure_reason.remove(),
            Upload.updated_at.set(now), Upload.finished_at.set(now),
            Upload.lease_until.remove(),
        ])
    except PynamoDBException:
        observability.log("upload_status_not_saved", "ERROR", upload_id=upload.upload_id)
        raise
    observability.log("ingest_finished", upload_id=upload.upload_id, status=status, dry_run=upload.dry_run,
                      rows_read=report.rows_read, rows_written=report.rows_written,
                      rows_rejected=report.rows_rejected)
    observability.metric("UploadsProcessed", status=status)
    observability.metric("RowsRejected", report.rows_rejected)
    observability.metric("RowsWritten", report.rows_written)
    return status


def _publish_reports(upload: Upload, summary: dict[str, Any], report: Report) -> None:
    """The report as JSON and as CSV that Excel opens (BOM, semicolons, formulas neutralised)."""
    with tempfile.TemporaryFile() as as_json, tempfile.TemporaryFile() as as_csv:
        text_json = io.TextIOWrapper(as_json, encoding="utf-8", write_through=True)
        text_json.write(json.dumps(summary, ensure_ascii=False)[:-1] + ', "errors": [')
        text_csv = io.TextIOWrapper(as_csv, encoding="utf-8", newline="", write_through=True)
        import csv

        writer = csv.writer(text_csv, delimiter=";", lineterminator="\r\n")
        text_csv.write("\ufeff")
        writer.writerow(["Eilutė / Line", "Stulpelis / Column", "Kodas / Code", "Klaida", "Error"])
        for index, line in enumerate(report.problems()):
            text_json.write(("," if index else "") + json.dumps(line, ensure_ascii=False))
            writer.writerow([neutralise(str(line[k])) for k in ("line", "column", "code", "message_lt", "message")])
        text_json.write("]}")
        text_json.detach()
        text_csv.detach()
        as_json.seek(0)
        as_csv.seek(0)
        storage.put_file(storage.report_key(upload.institution_id, upload.upload_id, "json"), as_json,
                         "application/json")
        storage.put_file(storage.report_key(upload.institution_id, upload.upload_id, "csv"), as_csv,
                         "text/csv; charset=utf-8")
