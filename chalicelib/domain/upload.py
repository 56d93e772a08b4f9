"""Reading school upload files, without AWS: lines from byte chunks (bounded memory, however long
a line), encoding and delimiter detection, header mapping, and rows as template-field mappings.

Excel in a Lithuanian locale writes CSV as Windows-1257 or UTF-8 (with a BOM), separated by
semicolons; other tools use commas. Quoted fields may hold newlines (the csv module joins them).
"""

from __future__ import annotations

import codecs
import csv
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalicelib.domain import problems as P
from chalicelib.domain.records import canonical_field

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_LINE_BYTES = 64 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx")
REQUIRED_COLUMNS = ("kind", "person_id", "source_id")

@dataclass(frozen=True)
class RowProblem:
    """One line of the report: line number (1 = header), column (template field or ""), code
    (registered in `domain/problems.py`)."""

    line: int
    column: str
    code: str
    detail: str = ""  # a date a message names (never a value from the file)

    def stored(self) -> dict[str, str | int]:
        """What is kept of the line (the report spool, the upload's first problems): messages are
        worded when read, in every language offered then."""
        kept: dict[str, str | int] = {"line": self.line, "column": self.column, "code": self.code}
        if self.detail:
            kept["detail"] = self.detail
        return kept

    def as_dict(self) -> dict[str, Any]:
        return report_line(self.stored())


def report_line(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A kept report line as readers get it: line, column, code and its messages by language.
    Lines kept before messages were by language carry their two texts (`message_lt`, `message`),
    which also hold the detail they named."""
    messages = P.messages(str(stored["code"]), str(stored.get("detail", "")))
    if "message_lt" in stored and "message" in stored:
        messages |= {"lt": stored["message_lt"], "en": stored["message"]}
    return {"line": stored["line"], "column": stored["column"], "code": stored["code"], "messages": messages}


class FileProblem(Exception):
    """The file as a whole cannot be read further: `code` is one of `problems.file`."""

    def __init__(self, code: P.Code) -> None:
        super().__init__(code)
        self.code = code


T = TypeVar("T")


class ReadBudget:
    """The CPU time one file's reading may take (`file.too_complex` past it).

    Only the reader's own time is charged (`next_of`): validating and writing rows between them
    depends on the database, not on the file. It is the thread's CPU time, not the wall clock, so
    a slow network or a throttled table never makes a file "too complex". Readers call `check` in
    every loop that does not yield (blank lines, XLSX chunks), so a file that makes them work
    without producing rows is stopped too.
    """

    clock: Callable[[], float] = staticmethod(time.thread_time)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self._since: float | None = None

    def next_of(self, rows: Iterator[T]) -> T:
        """`next(rows)`, its time charged (StopIteration passes through)."""
        start = self._since = self.clock()
        try:
            return next(rows)
        finally:
            self.spent += self.clock() - start
            self._since = None

    def check(self) -> None:
        running = self.clock() - self._since if self._since is not None else 0.0
        if self.spent + running > self.seconds:
            raise FileProblem(P.file.too_complex)


@dataclass
class Line:
    number: int  # 1-based physical line
    text: str
    problem: str | None = None  # row.too_long / row.encoding


@dataclass
class Position:
    """Where a reader stands in a file: the byte after the last physical line handed on, and how
    many physical lines that is. A big upload is cut into parts at row boundaries read from it, and
    a part's reader starts there (a ranged read) with the line numbers the whole file gives."""

    offset: int = 0
    lines: int = 0


def physical_lines(chunks: Iterable[bytes], max_line: int = MAX_LINE_BYTES,
                   position: Position | None = None) -> Iterator[tuple[bytes, bool]]:
    """Lines (with their newline) from byte chunks. A line longer than `max_line` is cut there
    and flagged (True); the rest of it is skipped without being held in memory. `position`, if
    given, starts at the chunks' first byte and is moved past each line before it is handed on."""
    at = position or Position()
    pending = bytearray()
    overflow = False
    base = at.offset
    for chunk in chunks:
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            piece = chunk[start:] if newline < 0 else chunk[start:newline + 1]
            if not overflow:
                pending += piece
                if len(pending) > max_line:
                    overflow = True
                    del pending[max_line:]
            if newline < 0:
                break
            at.offset, at.lines = base + newline + 1, at.lines + 1
            yield bytes(pending), overflow
            pending.clear()
            overflow = False
            start = newline + 1
        base += len(chunk)
    if pending or overflow:
        at.offset, at.lines = base, at.lines + 1
        yield bytes(pending), overflow


def sniff_encoding(head: bytes) -> str:
    """`utf-8-sig` with a BOM; `utf-8` if the head decodes as UTF-8; else Windows-1257."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a multi-byte character cut at the end of head is fine
    except UnicodeDecodeError:
        return "cp1257"
    return "utf-8"


def looks_binary(head: bytes) -> bool:
    """NUL bytes or mostly control bytes: not a text file (a renamed XLSX, an image, ...)."""
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    return bool(head) and controls > len(head[:4096]) // 20


def decoded_lines(raw: Iterable[tuple[bytes, bool]], encoding: str, first: int = 1) -> Iterator[Line]:
    """Physical lines as text, numbered from `first` (a part of a file starts further on).
    Undecodable bytes are replaced and the line flagged, never fatal."""
    for number, (raw_line, too_long) in enumerate(raw, start=first):
        data = raw_line.removeprefix(codecs.BOM_UTF8) if number == 1 and encoding == "utf-8-sig" else raw_line
        try:
            text = data.decode("cp1257" if encoding == "cp1257" else "utf-8")
            problem = None
        except UnicodeDecodeError:
            text, problem = data.decode("utf-8", errors="replace"), P.row.encoding
        yield Line(number, text, P.row.too_long if too_long else problem)


def sniff_delimiter(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


@dataclass
class Columns:
    """Which template field each column holds, and what is wrong with the header."""

    fields: list[str | None]
    problems: list[RowProblem] = field(default_factory=list)


def map_header(cells: list[str]) -> Columns:
    fields: list[str | None] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for cell in cells:
        name = cell.strip()
        if not name:
            fields.append(None)  # an empty trailing column, as spreadsheets leave
            continue
        canonical = canonical_field(name)
        if canonical is None:
            problems.append(RowProblem(1, _printable(name), P.file.unknown_column))
        elif canonical in seen:
            problems.append(RowProblem(1, canonical, P.file.duplicate_column))
        else:
            seen.add(canonical)
        fields.append(canonical)
    problems += [RowProblem(1, required, P.file.missing_column) for required in REQUIRED_COLUMNS
                 if required not in seen]
    return Columns(fields, problems)


def _printable(name: str) -> str:
    """A header cell as the report may echo it: printable, short, and with long digit runs masked
    (a personal code pasted into the header row must not reappear in a report)."""
    shown = "".join(ch for ch in name[:40] if ch.isprintable())
    return re.sub(r"\d{6,}", "…", shown)


def row_values(columns: Columns, cells: list[object]) -> tuple[dict[str, object], bool]:
    """A row as {template field: value}; True if it has values beyond the header's columns."""
    return indexed_row_values(columns, enumerate(cells))


def indexed_row_values(columns: Columns, cells: Iterable[tuple[int, object]]) -> tuple[dict[str, object], bool]:
    """`row_values` of (column index, value) pairs: a sparse XLSX row costs its cells, not its width."""
    values: dict[str, object] = {}
    extra = False
    for index, value in cells:
        name = columns.fields[index] if index < len(columns.fields) else None
        if name is None:
            if index >= len(columns.fields) and value not in (None, ""):
                extra = True
            continue
        values[name] = value
    return values, extra


def csv_rows(lines: Iterator[Line], delimiter: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first physical line of the row, cells or None, problem) for every row after the header."""
    holder: dict[str, Line] = {}
    flagged: list[Line] = []

    def feed() -> Iterator[str]:
        for line in lines:
            holder["line"] = line
            if line.problem:
                flagged.append(line)
            yield line.text

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield holder["line"].number, None, P.row.malformed
            continue
        end = holder["line"].number
        start = end - max(sum(cell.count("\n") for cell in cells), 0)
        problem = next((line.problem for line in flagged), None)
        flagged.clear()
        yield start, cells, problem
