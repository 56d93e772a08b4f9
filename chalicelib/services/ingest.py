"""`ingest_upload`: a school's file, read as a stream, validated row by row, written in batches,
explained line by line in a report. Nothing is lost, nothing is doubled:

- The upload is claimed with a lease (a conditional update): a second delivery of the same event
  finds it DONE (and does nothing) or leased (and is retried later by SQS).
- Every record is keyed by (institution, source_id). A chunk's rows are planned through the
  records' one write path (`services/records.py`) and applied in conditional transactions; a new
  record carries its version 1 itself (a qualification's is an item of its own: its DAKPR outbox
  entry); records that exist and are unchanged are skipped by fingerprint, so a retry after a
  crash writes nothing twice. A pupil's changes in a chunk are journaled as one item listing their
  records (`journal_units`), written in the same transaction as those records; rows whose
  transaction is refused (another writer was first) are read again and written alone, each with
  its own entry.
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
from chalicelib.domain import i18n, policy, xlsx
from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.errors import DomainValidationError
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.records import RecordBase, validate_record
from chalicelib.domain.spreadsheet import neutralise
from chalicelib.domain.upload import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    Columns,
    FileProblem,
    Line,
    Position,
    ReadBudget,
    RowProblem,
    csv_rows,
    decoded_lines,
    indexed_row_values,
    looks_binary,
    map_header,
    physical_lines,
    report_line,
    sniff_delimiter,
    sniff_encoding,
)
from chalicelib.errors import Problem
from chalicelib.models.base import condition_failed
from chalicelib.models.institutions import institution_profile
from chalicelib.models.persons import Person
from chalicelib.models.records import ACTIVE, Record, RecordHead, RecordsItem, record_heads
from chalicelib.models.uploads import DONE, FAILED, PENDING, PROCESSING, REJECTED, Upload
from chalicelib.services.access import caller_facts, refusal, schools_of
from chalicelib.services.journal import Actor
from chalicelib.services.records import (
    VIA_UPLOAD,
    Plan,
    Writer,
    apply_in_groups,
    identity_problem,
    journal_units,
    needs_relation,
    new_person,
    plan_person,
    plan_record,
    read_moves,
    row_fingerprint,
    write_record,
)
from chalicelib.services.suspension import note_identity_mismatches

# Rows gathered before writing: BatchGetItem takes 100 keys, so one head look-up serves 100 rows;
# the writes still go 25 items a call.
CHUNK = 100
PERSON_CACHE = 20_000  # persons looked up once per upload (a pupil has many rows); bounded memory
LEASE = timedelta(minutes=15)  # the function timeout: a crashed run's lease has run out before SQS delivers again
FIRST_ERRORS = 100
# What the batched path reads of a person: the identity rule's facts and the disputes (a row that
# writes a person reads them afresh, whole, on the single path).
IDENTITY_ATTRIBUTES = ["person_id", "given_name", "family_name", "birth_date", "disputed_institutions"]


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
        line = item.stored()  # worded when published (and the first ones when read)
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
    if len(parts) != 4 or parts[0] != "incoming" or not all(parts[1:]) or "#" in parts[2]:
        return None  # ('#': a part of a big upload is kept under its upload's id and `#part#`)
    return parts[1], parts[2], parts[3]


def ingest_object(raw_key: str, today: date | None = None, version_id: str | None = None) -> str:
    """Process one uploaded object — the version the event names, or, where events carry none
    (an unversioned bucket, moto), the version there now — and return the upload's final status.
    The first claim fixes that version as the upload's kept original: a later POST to the same
    presigned form is another version, which this upload never reads."""
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
        return _finish(upload, Report(), REJECTED, [RowProblem(0, "", P.file.institution)])
    if upload.parts_total:
        from chalicelib.services.ingest_parts import resume

        return resume(upload)  # cut into parts already: the parts carry it (services/ingest_parts.py)
    _claim(upload, upload.object_version or version_id or storage.current_version(upload.object_key))
    report = Report()
    try:
        status = _process(upload, report, today or vilnius_today())
    except Exception as exc:
        reason = type(exc).__name__
        observability.log_exception("ingest_failed", exc, upload_id=upload_id)
        _finish(upload, report, FAILED, [], failure_reason=reason)
        raise  # SQS delivers it again; after the last attempt it goes to the dead-letter queue
    return status


def _claim(upload: Upload, object_version: str | None) -> None:
    now = datetime.now(UTC)
    kept = [Upload.object_version.set(object_version)] if object_version and not upload.object_version else []
    try:
        upload.update(
            actions=[Upload.status.set(PROCESSING), Upload.lease_until.set(now + LEASE),
                     Upload.attempts.add(1), Upload.updated_at.set(now), *kept],
            condition=Upload.status.is_in(PENDING, FAILED) | (Upload.lease_until < now),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise RetryLater(upload.upload_id) from None
        raise


# A refusal of the uploader's writes as a report says it (any other: the permit does not allow it).
UPLOADER_REFUSALS = {P.representative.suspended: P.representative.suspended, P.access.institution: P.file.uploader}


def uploader_refused(upload: Upload, today: date) -> P.Code | None:
    """Why the uploader may not write this institution's records now (a report code), or None."""
    decision = policy.write_records(caller_facts(upload.uploaded_by, today, officials=False),
                                    upload.institution_id)
    if decision.allowed:
        return None
    return UPLOADER_REFUSALS.get(decision.code or P.file.permit, P.file.permit)


def _process(upload: Upload, report: Report, today: date) -> str:
    refused = uploader_refused(upload, today)
    if refused is not None:
        return _finish(upload, report, REJECTED, [RowProblem(0, "", refused)])
    original = storage.StoredObject(upload.object_key, upload.object_version)
    size = storage.object_size(original)
    if size > MAX_FILE_BYTES:
        return _finish(upload, report, REJECTED, [RowProblem(0, "", P.file.too_large)])
    if size > settings().upload_split_bytes:
        from chalicelib.services.ingest_parts import split

        return split(upload, report)
    file_problems: list[RowProblem] = []
    budget = ReadBudget(settings().upload_read_cpu_seconds)
    write_rows(upload, report, today, _charged(source_for(upload).rows(file_problems, budget), budget),
               file_problems)
    if file_problems and report.rows_read == 0:
        return _finish(upload, report, REJECTED, file_problems)
    return _finish(upload, report, DONE, file_problems)


def write_rows(upload: Upload, report: Report, today: date, rows: Iterator[Row],
               file_problems: list[RowProblem]) -> None:
    """Every row read counted, and written or reported (a whole file, or one part of a big one)."""
    profile = institution_profile(upload.institution_id)
    actor = Actor(upload.uploaded_by, "representative", upload.institution_id, profile.name if profile else None)
    batch = Batch(upload, actor, report, today)
    for line, values, problem in rows:
        if report.rows_read >= MAX_ROWS:
            file_problems.append(RowProblem(line, "", P.file.too_many_rows))
            break
        report.rows_read += 1
        if problem:
            report.problem(RowProblem(line, "", problem))
            continue
        batch.add(line, values or {})
    batch.flush()


Row = tuple[int, dict[str, object] | None, str | None]


def _charged(rows: Iterator[Row], budget: ReadBudget) -> Iterator[Row]:
    """The reader's rows, the time it takes to produce them charged to the file's budget."""
    while True:
        try:
            row = budget.next_of(rows)
        except StopIteration:
            return
        yield row


class CsvSource:
    """A CSV upload as rows. It knows where it stands (`resume_point`), so a big file can be cut
    at row boundaries and each part read from there (`part_rows`) with the whole file's line
    numbers, encoding, delimiter and columns."""

    def __init__(self, original: storage.StoredObject) -> None:
        self.original = original
        self.position = Position()
        self.layout: dict[str, Any] = {}

    def rows(self, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
        try:
            yield from self._file_rows(file_problems, budget)
        except FileProblem as refused:
            file_problems.append(RowProblem(0, "", refused.code))

    def resume_point(self) -> dict[str, Any] | None:
        """Where the row after the last one handed on starts, and how to read from there."""
        return {"offset": self.position.offset, "lines": self.position.lines, **self.layout}

    def part_rows(self, start: dict[str, Any] | None, first_row: int, count: int, file_problems: list[RowProblem],
                  budget: ReadBudget) -> Iterator[Row]:
        if start is None:
            return _window(self.rows(file_problems, budget), first_row, count)
        lines = decoded_lines(physical_lines(storage.stream(self.original, int(start["offset"]))),
                              str(start["encoding"]), first=int(start["lines"]) + 1)
        columns = Columns(list(start["fields"]))
        return _window(self._guarded(self._data(lines, str(start["delimiter"]), columns, budget), file_problems),
                       0, count)

    @staticmethod
    def _guarded(rows: Iterator[Row], file_problems: list[RowProblem]) -> Iterator[Row]:
        try:
            yield from rows
        except FileProblem as refused:
            file_problems.append(RowProblem(0, "", refused.code))

    def _file_rows(self, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
        chunks = storage.stream(self.original)
        first = next(chunks, b"")
        if not first.strip():
            file_problems.append(RowProblem(0, "", P.file.empty))
            return
        if looks_binary(first):
            file_problems.append(RowProblem(0, "", P.file.not_text))
            return
        encoding = sniff_encoding(first[:65536])
        lines = decoded_lines(physical_lines(_prepend(first, chunks), position=self.position), encoding)
        header = next(lines, None)
        if header is None or header.problem:
            file_problems.append(RowProblem(1, "", (header.problem if header else None) or P.file.empty))
            return
        delimiter = sniff_delimiter(header.text)
        columns = map_header(next(_split(header.text, delimiter), []))
        if columns.problems:
            file_problems.extend(columns.problems)
            return
        self.layout = {"encoding": encoding, "delimiter": delimiter, "fields": columns.fields}
        any_row = False
        for row in self._data(lines, delimiter, columns, budget):
            any_row = True
            yield row
        if not any_row:
            file_problems.append(RowProblem(1, "", P.file.header_only))

    @staticmethod
    def _data(lines: Iterator[Line], delimiter: str, columns: Columns, budget: ReadBudget) -> Iterator[Row]:
        for start, cells, problem in csv_rows(lines, delimiter):
            budget.check()
            if cells is not None and not any(cell.strip() for cell in cells):
                continue  # a blank line: spreadsheets leave them; not a row
            yield from _row(columns, start, None if cells is None else enumerate(cells), problem)


def _window(rows: Iterator[Row], skip: int, count: int) -> Iterator[Row]:
    """Rows `skip` to `skip + count` of `rows`. The reader is closed as soon as the window's last
    row is handed on, never asked for one more: what lies after a part (a problem of the file's
    end, found by the split already) is not the part's to report."""
    try:
        if count <= 0:
            return
        for index, row in enumerate(rows):
            if index >= skip:
                yield row
                if index + 1 >= skip + count:
                    return
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


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
        yield line, None, problem or P.row.malformed
        return
    values, extra = indexed_row_values(columns, cells)
    yield (line, None, P.row.columns) if extra else (line, values, None)


class XlsxSource:
    """An XLSX upload as rows (its first worksheet, row 1 the header). A zip cannot be read from the
    middle: a part of a big XLSX file reads the sheet from the start and skips the rows before it."""

    def __init__(self, original: storage.StoredObject) -> None:
        self.original = original

    def rows(self, file_problems: list[RowProblem], budget: ReadBudget) -> Iterator[Row]:
        with tempfile.TemporaryFile() as spooled:
            storage.download_to(self.original, spooled)
            spooled.seek(0)
            yield from _sheet_rows(spooled, file_problems, budget)

    def resume_point(self) -> dict[str, Any] | None:
        return None

    def part_rows(self, start: dict[str, Any] | None, first_row: int, count: int, file_problems: list[RowProblem],
                  budget: ReadBudget) -> Iterator[Row]:
        return _window(self.rows(file_problems, budget), first_row, count)


Source = CsvSource | XlsxSource


def source_for(upload: Upload) -> Source:
    original = storage.StoredObject(upload.object_key, upload.object_version)
    return XlsxSource(original) if upload.file_name.lower().endswith(".xlsx") else CsvSource(original)


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
            file_problems.append(RowProblem(0, "", P.file.empty))
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
            file_problems.append(RowProblem(1, "", P.file.header_only))
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
    """Valid rows gathered a chunk at a time, planned through the records' one write path
    (`services/records.py`) and applied in transactions of many rows."""

    def __init__(self, upload: Upload, actor: Actor, report: Report, today: date) -> None:
        self.upload, self.report, self.today = upload, report, today
        self.writer = Writer(upload.institution_id, actor, VIA_UPLOAD, upload.upload_id)
        self.rows: list[tuple[int, RecordBase]] = []
        self.ids: set[str] = set()
        self.persons: dict[str, Person] = {}
        self.pupils_here: dict[str, bool] = {}
        # Why the rest of the file is not written (the uploader removed, suspended, the permit gone).
        self.stopped: str | None = None

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
        if self.stopped is None:
            # Read again for every chunk: a file may run for the whole 15-minute lease, and a
            # representative removed, suspended or left without a permit meanwhile stops writing.
            self.stopped = uploader_refused(self.upload, self.today)
        if self.stopped is not None:
            self._reject(rows, self.stopped)
            return
        now = datetime.now(UTC)
        sorted_rows = self._identities(rows, now)
        if sorted_rows is None:
            return  # the uploader was suspended on the way
        checked, person_plans, single = sorted_rows
        heads = record_heads([record_id for _, _, record_id in checked])
        currents = self._currents(heads, checked)
        planned: list[tuple[int, RecordBase, Plan]] = []
        for line, record, record_id in checked:
            try:
                moves = read_moves(record, self.writer, heads.get(record_id), today=self.today,
                                   person_known=record.person_id in self.persons)
                planned.append((line, record, plan_record(record, record.person_id, self.writer,
                                                          head=heads.get(record_id), current=currents.get(record_id),
                                                          now=now, moves=moves, journal_apart=True)))
            except Problem as problem:
                self._problem(line, problem)
        if self.upload.dry_run:
            self.report.rows_written += len(planned)
            for line, record in single:
                self._dry_single(line, record)
            return
        lost = {person_plans[i].record_id for i in apply_in_groups(person_plans)}
        # A pupil created meanwhile by another writer: their rows are checked again, one by one.
        again = [(line, record) for line, record, _ in planned if record.person_id in lost]
        planned = [entry for entry in planned if entry[0] not in {line for line, _ in again}]
        # One journal item per pupil (per unit) lists their records; a unit is written whole, so a
        # unit refused by one row's condition goes to the single path whole, each row with its own entry.
        units = journal_units([plan for _, _, plan in planned], self.writer)
        refused = sorted(i for unit in apply_in_groups(units) for i in units[unit].plans)
        again += [(planned[i][0], planned[i][1]) for i in refused] + single
        self.report.rows_written += len(planned) - len(refused)
        for line, record in sorted(again, key=lambda entry: entry[0]):
            self._single(line, record)

    def _identities(self, rows: list[tuple[int, RecordBase]], now: datetime) -> tuple[
            list[tuple[int, RecordBase, str]], list[Plan], list[tuple[int, RecordBase]]] | None:
        """The identity rule for each row: rows to plan (with their record ids), the persons to
        create, and rows for the single path (a dispute to settle). None once the uploader is
        suspended: this row and every later one then answer "suspended", so a file (a dry run too)
        answers no more guesses than the day's limit, and nothing more of theirs is written."""
        persons = self._persons({r.person_id for _, r in rows})
        checked: list[tuple[int, RecordBase, str]] = []
        created: dict[str, Person] = {}
        person_plans: list[Plan] = []
        single: list[tuple[int, RecordBase]] = []
        for index, (line, record) in enumerate(rows):
            person = persons.get(record.person_id) or created.get(record.person_id)
            if person is not None and self.upload.institution_id in (person.disputed_institutions or ()):
                single.append((line, record))  # the single path settles or refuses it (records.py)
                continue
            problem = identity_problem(record, person, pupil_here=self._pupil_here(record, person))
            if problem is not None:
                if problem.code == P.person.identity_mismatch and note_identity_mismatches(
                        self.upload.institution_id, self.writer.actor.person_id, 1):
                    self.stopped = P.representative.suspended
                    self._reject([(line, record) for line, record, _ in checked] + single + rows[index:],
                                 self.stopped)
                    return None
                self._problem(line, problem)
                continue
            if person is None:
                person = created[record.person_id] = new_person(record, self.upload.institution_id,
                                                                self.writer.actor.person_id, now)
                person_plans.append(plan_person(person))
            checked.append((line, record, record_id_for(self.upload.institution_id, record.source_id)))
        return checked, person_plans, single

    def _reject(self, rows: list[tuple[int, RecordBase]], code: str) -> None:
        for line, _ in rows:
            self.report.problem(RowProblem(line, "", code))

    def _problem(self, line: int, problem: Problem) -> None:
        """A refusal of the write path as report lines (the row counts as rejected once)."""
        if problem.errors:
            for error in problem.errors:
                self.report.problem(RowProblem(line, error["field"], error["code"]), counts_row=False)
            self.report.rows_rejected += 1
            return
        code = P.row.conflict if problem.code == P.record.conflict else problem.code
        self.report.problem(RowProblem(line, "", code, str(problem.extra.get("changed_on", ""))))

    def _single(self, line: int, record: RecordBase) -> None:
        """A row for the single path (a lost race, a dispute to settle): read afresh and write
        alone, or report why not. Once the uploader is suspended, nothing more is written."""
        if self.stopped is not None:
            self._reject([(line, record)], self.stopped)
            return
        try:
            write_record(record, self.upload.institution_id, self.writer.actor, self.upload.upload_id, via=VIA_UPLOAD)
        except Problem as problem:
            self._single_refused(line, problem)
            return
        self.report.rows_written += 1

    def _dry_single(self, line: int, record: RecordBase) -> None:
        """A dry run's answer for a row the single path would take: the identity rule alone,
        counted as the real run counts it."""
        if self.stopped is not None:
            self._reject([(line, record)], self.stopped)
            return
        problem = identity_problem(record, self.persons.get(record.person_id), pupil_here=False)
        if problem is not None and problem.code == P.person.identity_mismatch and note_identity_mismatches(
                self.upload.institution_id, self.writer.actor.person_id, 1):
            problem = refusal(policy.SUSPENDED)
        if problem is not None:
            self._single_refused(line, problem)
            return
        self.report.rows_written += 1

    def _single_refused(self, line: int, problem: Problem) -> None:
        if problem.code == policy.SUSPENDED.code:
            self.stopped = problem.code  # every later row answers the same, as in the batched path
        self._problem(line, problem)

    def _persons(self, wanted: set[str]) -> dict[str, Person]:
        missing = wanted - set(self.persons)
        if missing:
            if len(self.persons) > PERSON_CACHE:
                self.persons.clear()
            self.persons.update((p.person_id, p) for p in Person.batch_get(missing, consistent_read=True,
                                                                           attributes_to_get=IDENTITY_ATTRIBUTES))
        return {person_id: self.persons[person_id] for person_id in wanted if person_id in self.persons}

    def _pupil_here(self, record: RecordBase, person: Person | None) -> bool:
        """Whether the person is this institution's pupil — asked only where the identity rule needs
        it (a known person named without their full identity), once per person per upload."""
        if not needs_relation(record, person):
            return False
        if record.person_id not in self.pupils_here:
            if len(self.pupils_here) > PERSON_CACHE:
                self.pupils_here.clear()
            self.pupils_here[record.person_id] = self.upload.institution_id in schools_of(record.person_id)
        return self.pupils_here[record.person_id]

    @staticmethod
    def _currents(heads: dict[str, RecordHead], rows: list[tuple[int, RecordBase, str]]) -> dict[str, Record]:
        """The stored records of rows that change one (an unchanged row needs only its head)."""
        wanted = {}
        for _, record, record_id in rows:
            head = heads.get(record_id)
            if head is not None and head.status == ACTIVE and head.fingerprint != row_fingerprint(record, record_id):
                wanted[(head.owner_person_id, head.owner_record_key)] = record_id
        if not wanted:
            return {}
        return {wanted[(item.person_id, item.record_key)]: item for item in RecordsItem.batch_get(list(wanted),
                                                                                                consistent_read=True)
                if isinstance(item, Record)}


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
    if status in (DONE, REJECTED) and not upload.dry_run:
        from chalicelib.services.reporting import upload_finished

        upload_finished(upload.institution_id, upload.upload_id, status, report.rows_written, report.rows_rejected)
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
        # One message column per language offered (untranslated messages in Lithuanian).
        languages = i18n.languages()
        writer.writerow(["Eilutė / Line", "Stulpelis / Column", "Kodas / Code",
                         *(f"message_{language}" for language in languages)])
        for index, stored in enumerate(report.problems()):
            line = report_line(stored)
            text_json.write(("," if index else "") + json.dumps(line, ensure_ascii=False))
            writer.writerow([neutralise(str(line[k])) for k in ("line", "column", "code")]
                            + [neutralise(i18n.pick(line["messages"], language)) for language in languages])
        text_json.write("]}")
        text_json.detach()
        text_csv.detach()
        as_json.seek(0)
        as_csv.seek(0)
        storage.put_file(storage.report_key(upload.institution_id, upload.upload_id, "json"), as_json,
                         "application/json")
        storage.put_file(storage.report_key(upload.institution_id, upload.upload_id, "csv"), as_csv,
                         "text/csv; charset=utf-8")
