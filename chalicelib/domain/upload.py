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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from chalicelib.domain.errors import REASONS
from chalicelib.domain.records import canonical_field

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_LINE_BYTES = 64 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx")
REQUIRED_COLUMNS = ("kind", "person_id", "source_id")

# File- and row-level problems, in the same style as field problems (errors.REASONS).
FILE_REASONS: dict[str, tuple[str, str]] = {
    "file.empty": ("Failas tuščias.", "The file is empty."),
    "file.header_only": ("Faile yra tik antraštė.", "The file has a header but no rows."),
    "file.too_large": ("Failas per didelis.", "The file is too large."),
    "file.too_many_rows": ("Per daug eilučių: likusios neperskaitytos, padalinkite failą.",
                           "Too many rows: the rest was not read; split the file."),
    "file.unknown_column": ("Nežinomas stulpelis.", "Unknown column."),
    "file.duplicate_column": ("Stulpelis pasikartoja.", "The column appears twice."),
    "file.missing_column": ("Trūksta privalomo stulpelio.", "A required column is missing."),
    "file.not_text": ("Failas nėra tekstinis CSV.", "The file is not a text CSV file."),
    "file.not_xlsx": ("Failas nėra tinkamas XLSX.", "The file is not a valid XLSX workbook."),
    "file.xlsx_unsafe": ("XLSX faile yra pavojingų konstrukcijų.", "The XLSX file contains unsafe constructs."),
    "file.too_complex": ("Failas per sudėtingas perskaityti (per ilgai skaitomas arba per daug skirtingų tekstų): "
                         "likusios eilutės neperskaitytos, padalinkite ar supaprastinkite failą.",
                         "The file is too complex to read (it took too long, or holds too many distinct texts): "
                         "the rest was not read; split or simplify the file."),
    "file.type": ("Leidžiami tik CSV ir XLSX failai.", "Only CSV and XLSX files are accepted."),
    "file.institution": ("Failas įkeltas ne savo įstaigai.", "The file was put under another institution."),
    "file.permit": ("Įstaiga neturi galiojančio leidimo rašyti duomenis.",
                    "The institution has no valid permit to write data."),
    "file.uploader": ("Failą įkėlęs asmuo nebėra šios įstaigos atstovas: likusios eilutės neįrašytos.",
                      "The person who uploaded the file is no longer the institution's representative: the "
                      "remaining rows were not written."),
    "row.too_long": ("Eilutė per ilga.", "The line is too long."),
    "row.encoding": ("Eilutėje yra neteisingai užkoduotų simbolių.", "The line has wrongly encoded characters."),
    "row.malformed": ("Eilutės nepavyko perskaityti (kabutės?).", "The line could not be read (quotes?)."),
    "row.columns": ("Eilutėje daugiau reikšmių nei stulpelių.", "The line has more values than columns."),
    "row.duplicate": ("Tas pats source_id jau buvo šiame faile.", "The same source_id appeared earlier in this file."),
    "row.conflict": ("Įrašas tuo pat metu keičiamas kitur; įkelkite dar kartą.",
                     "The record was being changed elsewhere; upload again."),
    "person.identity_mismatch": ("Asmens vardas, pavardė ar gimimo data nesutampa su registru.",
                                 "The person's names or birth date do not match the register."),
    "record.annulled": ("Įrašas anuliuotas; jei jis teisingas, pateikite naują su kitu source_id.",
                        "The record is annulled; if it is right, submit a new one with another source_id."),
    "representative.suspended": ("Jūsų teisė rašyti sustabdyta dėl per daug nesutapusių asmens duomenų; "
                                 "kreipkitės į ministeriją.",
                                 "Your writes are suspended after too many identity mismatches; contact the "
                                 "ministry."),
}
# Problems whose message names a detail (a date): `{}` is replaced with `RowProblem.detail`.
DETAILED_REASONS: dict[str, tuple[str, str]] = {
    "row.conflict": ("Įrašas pakeistas per API {} po paskutinio įkėlimo; failo eilutė jo neatšaukia. Pataisykite "
                     "failą arba įrašą.",
                     "The record was changed through the API on {} after its last upload; the file row does not "
                     "undo that. Correct the file or the record."),
}


@dataclass(frozen=True)
class RowProblem:
    """One line of the report: line number (1 = header), column (template field or ""), code."""

    line: int
    column: str
    code: str
    detail: str = ""  # a date a message names (never a value from the file)

    @property
    def messages(self) -> tuple[str, str]:
        if self.detail and self.code in DETAILED_REASONS:
            lt, en = DETAILED_REASONS[self.code]
            return lt.format(self.detail), en.format(self.detail)
        if self.code in FILE_REASONS:
            return FILE_REASONS[self.code]
        reason = self.code.rsplit(".", 1)[-1]
        return REASONS.get(reason, ("Netinkama reikšmė.", "Invalid value."))

    def as_dict(self) -> dict[str, str | int]:
        lt, en = self.messages
        return {"line": self.line, "column": self.column, "code": self.code, "message": en, "message_lt": lt}


class FileProblem(Exception):
    """The file as a whole cannot be read further: `code` is one of FILE_REASONS."""

    def __init__(self, code: str) -> None:
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
            raise FileProblem("file.too_complex")


@dataclass
class Line:
    number: int  # 1-based physical line
    text: str
    problem: str | None = None  # row.too_long / row.encoding


def physical_lines(chunks: Iterable[bytes], max_line: int = MAX_LINE_BYTES) -> Iterator[tuple[bytes, bool]]:
    """Lines (with their newline) from byte chunks. A line longer than `max_line` is cut there
    and flagged (True); the rest of it is skipped without being held in memory."""
    pending = bytearray()
    overflow = False
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
            yield bytes(pending), overflow
            pending.clear()
            overflow = False
            start = newline + 1
    if pending or overflow:
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


def decoded_lines(raw: Iterable[tuple[bytes, bool]], encoding: str) -> Iterator[Line]:
    """Physical lines as text. Undecodable bytes are replaced and the line flagged, never fatal."""
    for number, (raw_line, too_long) in enumerate(raw, start=1):
        data = raw_line.removeprefix(codecs.BOM_UTF8) if number == 1 and encoding == "utf-8-sig" else raw_line
        try:
            text = data.decode("cp1257" if encoding == "cp1257" else "utf-8")
            problem = None
        except UnicodeDecodeError:
            text, problem = data.decode("utf-8", errors="replace"), "row.encoding"
        yield Line(number, text, "row.too_long" if too_long else problem)


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
            problems.append(RowProblem(1, _printable(name), "file.unknown_column"))
        elif canonical in seen:
            problems.append(RowProblem(1, canonical, "file.duplicate_column"))
        else:
            seen.add(canonical)
        fields.append(canonical)
    problems += [RowProblem(1, required, "file.missing_column") for required in REQUIRED_COLUMNS
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
            yield holder["line"].number, None, "row.malformed"
            continue
        end = holder["line"].number
        start = end - max(sum(cell.count("\n") for cell in cells), 0)
        problem = next((line.problem for line in flagged), None)
        flagged.clear()
        yield start, cells, problem
