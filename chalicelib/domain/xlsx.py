"""Reading the first worksheet of an uploaded XLSX in bounded time and memory, without AWS.

openpyxl reads the workbook's small parts (which sheet comes first, which cell styles are dates,
the 1900 or 1904 epoch), each refused past MAX_PART_BYTES before it is parsed. The two parts that
grow with the file, the shared-string table and the worksheet, are streamed here with expat,
because openpyxl's read-only reader (3.1) pads every row to the width the sheet *declares*
(`<dimension ref="A1:XFD1048576"/>`) and yields an empty row for every row number it skips (a
4.7 KB file with a cell in row 1,048,576 cost 7 minutes of CPU), and loads the shared-string table
whole, one Python string per entry.

Here the declared dimension is never read; a row costs the cells it holds, so blank and missing
rows cost nothing; shared strings are kept as one UTF-8 buffer plus 4 bytes a string, within
MAX_SHARED_STRINGS and MAX_SHARED_BYTES; expat never has to hold more than MAX_TOKEN_BYTES of one
token (a tag with its attributes, a comment) or nest deeper than MAX_DEPTH. Every loop charges
the file's ReadBudget. Cell values are converted as openpyxl converts them with `data_only=True`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, NamedTuple
from xml.parsers import expat

from chalicelib.domain import problems as P
from chalicelib.domain.upload import MAX_LINE_BYTES, FileProblem, ReadBudget

# The zip (checked before anything is unpacked).
MAX_UNPACKED = 1024 * 1024 * 1024
MAX_RATIO = 200
# zipfile keeps an object per member (measured: a 90 MB file of a million empty members took
# 563 MB to open); a directory entry is at least 46 bytes, so 1 MB allows some 20,000 members,
# where a workbook has tens.
MAX_DIRECTORY_BYTES = 1024 * 1024
# Parts openpyxl parses whole (content types, workbook, relationships, styles): a few KB usually.
MAX_PART_BYTES = 8 * 1024 * 1024
# Shared strings: what a 500,000-row file needs with 8 distinct texts a row, at most ≈ 144 MB
# of memory (the text as UTF-8 plus a 4-byte offset each) in a 1 GB function.
MAX_SHARED_STRINGS = 4_000_000
MAX_SHARED_BYTES = 128 * 1024 * 1024
MAX_DEPTH = 64  # a worksheet nests about 10 deep
CHUNK = 64 * 1024
MAX_TOKEN_BYTES = 1024 * 1024
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _PHONETIC, _STRING = (
    f"{MAIN} {name}" for name in ("row", "c", "v", "is", "t", "rPh", "si"))

SheetRow = tuple[int, list[tuple[int, object]] | None, str | None]
"""(row number, (column from 0, value) of each non-empty cell — None with a problem, problem)."""

_END = b"PK\x05\x06"
_END64 = b"PK\x06\x06"
_LOCATOR64 = b"PK\x06\x07"


def zip_problem(handle: IO[bytes]) -> str | None:
    """A zip bomb is refused before anything is unpacked: by the size of its directory, by total
    unpacked size and by ratio; what Excel never writes (encryption, other compressions) too."""
    directory = _directory_size(handle)
    if directory is None:
        return P.file.not_xlsx
    if directory > MAX_DIRECTORY_BYTES:
        return P.file.xlsx_unsafe
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return P.file.not_xlsx
    if any(m.flag_bits & 0x1 or m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
           for m in members):
        return P.file.not_xlsx
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED or any(m.file_size > MAX_RATIO * max(m.compress_size, 1024) for m in members):
        return P.file.xlsx_unsafe
    return None


def _directory_size(handle: IO[bytes]) -> int | None:
    """The central directory's size, from the end record zipfile will read (zip64's if present)."""
    size = handle.seek(0, io.SEEK_END)
    handle.seek(max(0, size - (22 + 65_535 + 20 + 56)))
    tail = handle.read()
    handle.seek(0)
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return None
    if at >= 76 and tail[at - 20:at - 16] == _LOCATOR64 and tail[at - 76:at - 72] == _END64:
        return int.from_bytes(tail[at - 36:at - 28], "little")
    return int.from_bytes(tail[at + 12:at + 16], "little")


class _Parts(zipfile.ZipFile):
    """The archive as openpyxl sees it: a part it would read whole is refused when too big."""

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise FileProblem(P.file.too_complex)
        return super().read(name, pwd)


class _Book(NamedTuple):
    sheet: str
    strings: str | None
    epoch: datetime
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]


def sheet_rows(handle: IO[bytes], budget: ReadBudget) -> Iterator[SheetRow]:
    """The first worksheet's non-blank rows, in order, numbered as the sheet numbers them.

    Raises FileProblem: `file.not_xlsx` (broken), `file.xlsx_unsafe` (entities),
    `file.too_complex` (past a bound or the budget), `file.empty` (no worksheet)."""
    from defusedxml import DefusedXmlException

    try:
        with _Parts(handle) as archive:
            book = _workbook(handle, archive)
            strings = _shared_strings(archive, book.strings, budget)
            with archive.open(book.sheet) as source:
                yield from _Sheet(book, strings).parse(source, budget)
    except (DefusedXmlException, expat.ExpatError, SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
            KeyError, IndexError, TypeError, ValueError) as exc:
        # openpyxl says a part is malformed with a TypeError (a missing or mistyped attribute) or a
        # SyntaxError (ElementTree's ParseError); the cause says whether an entity was refused.
        unsafe = any(isinstance(cause, DefusedXmlException) for cause in _causes(exc))
        raise FileProblem(P.file.xlsx_unsafe if unsafe else P.file.not_xlsx) from None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _workbook(handle: IO[bytes], archive: _Parts) -> _Book:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import SHARED_STRINGS

    # defusedxml (installed) makes openpyxl refuse entities in these parts.
    reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False)
    reader.archive = archive  # what it reads whole, it reads through the size check
    reader.read_manifest()
    reader.read_workbook()
    apply_stylesheet(archive, reader.wb)
    sheet = next((rel.target for _, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type), None)
    if sheet is None:
        raise FileProblem(P.file.empty)
    strings = next((str(part.PartName)[1:] for part in reader.package.Override if part.ContentType == SHARED_STRINGS),
                   None)
    return _Book(sheet, strings, reader.wb.epoch,
                 frozenset(getattr(reader.wb, "_date_formats", ())),
                 frozenset(getattr(reader.wb, "_timedelta_formats", ())))


class SharedStrings:
    """The shared-string table: one UTF-8 buffer and where each string ends (4 bytes a string,
    where a list of Python strings costs some 60–100 bytes a string besides the text)."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.ends = array("I")

    def add(self, value: str) -> None:
        data = value.encode("utf-8")
        if len(self.ends) >= MAX_SHARED_STRINGS or len(self.text) + len(data) > MAX_SHARED_BYTES:
            raise FileProblem(P.file.too_complex)
        self.text += data
        self.ends.append(len(self.text))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        return self.text[self.ends[index - 1] if index else 0:self.ends[index]].decode("utf-8")


class _Shared(int):
    """A cell's index into the shared strings: looked up when its row is handed on, so rows
    waiting for the end of a chunk hold no copies of long strings."""

    __slots__ = ()


class _Stream(ABC):
    """A part fed to expat a chunk at a time; each part's reader says what its elements mean.
    Handlers note where they were last called: expat holds a token (a tag with its attributes, a
    comment) whole, so no event for MAX_TOKEN_BYTES means it is holding a huge one."""

    def __init__(self) -> None:
        self.depth = self.fed = self.event = 0
        self.ready: list[tuple[int, list[tuple[int, object]], bool]] = []  # rows the chunk completed

    @abstractmethod
    def start(self, name: str, attributes: dict[str, str]) -> None:
        """An expat handler."""

    @abstractmethod
    def end(self, name: str) -> None:
        """An expat handler."""

    @abstractmethod
    def characters(self, data: str) -> None:
        """An expat handler."""

    def drain(self) -> Iterator[SheetRow]:
        return iter(())

    def _noted(self, *_: object) -> None:
        self.event = self.fed

    def parse(self, source: IO[bytes], budget: ReadBudget) -> Iterator[SheetRow]:
        """Feed `source` to expat; after each chunk, what `drain` has ready."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.CommentHandler = parser.ProcessingInstructionHandler = self._noted
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _forbidden
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        while chunk := source.read(CHUNK):
            self.fed += len(chunk)
            parser.Parse(chunk, False)
            if self.fed - self.event > MAX_TOKEN_BYTES:
                raise FileProblem(P.file.too_complex)
            budget.check()
            yield from self.drain()
        parser.Parse(b"", True)
        yield from self.drain()

    def _opened(self) -> None:
        self.depth += 1
        self.event = self.fed
        if self.depth > MAX_DEPTH:
            raise FileProblem(P.file.too_complex)


def _forbidden(*_: object) -> None:
    raise FileProblem(P.file.xlsx_unsafe)  # no worksheet has a DTD; entities come with one


class _StringTable(_Stream):
    """Each `<si>`'s text as openpyxl reads it: plain and rich-text runs, phonetic runs left out."""

    def __init__(self) -> None:
        super().__init__()
        self.table = SharedStrings()
        self.pieces: list[str] = []
        self.chars = self.phonetic = 0
        self.collecting = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self._opened()
        if name == _TEXT:
            self.collecting = True
        elif name == _PHONETIC:
            self.phonetic += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        self.event = self.fed
        if name == _TEXT:
            self.collecting = False
        elif name == _PHONETIC and self.phonetic:
            self.phonetic -= 1
        elif name == _STRING:
            self.table.add("".join(self.pieces).replace("x005F_", ""))
            self.pieces.clear()
            self.chars = 0

    def characters(self, data: str) -> None:
        self.event = self.fed
        if self.collecting and not self.phonetic:
            self.chars += len(data)
            if self.chars > MAX_SHARED_BYTES:
                raise FileProblem(P.file.too_complex)
            self.pieces.append(data)


def _shared_strings(archive: zipfile.ZipFile, path: str | None, budget: ReadBudget) -> SharedStrings:
    reader = _StringTable()
    if path is not None:
        with archive.open(path) as source:
            for _ in reader.parse(source, budget):
                pass
    return reader.table


class _Sheet(_Stream):
    """The worksheet's rows, built cell by cell from expat's events."""

    def __init__(self, book: _Book, strings: SharedStrings) -> None:
        super().__init__()
        self.book, self.strings = book, strings
        self.number = 0  # the last row's number
        self.cells: list[tuple[int, object]] = []
        self.chars = 0  # text in this row so far
        self.too_long = False
        self.column = 0
        self.kind, self.style = "n", 0
        self.text: list[str] | None = None  # the cell's text, while it is being read
        self.has_value = self.collecting = False
        self.phonetic = 0
        self.convert: dict[str, Callable[[str], object]] = {
            "n": self._number, "s": self._shared, "b": _boolean, "d": _iso_date}

    def drain(self) -> Iterator[SheetRow]:
        ready, self.ready = self.ready, []
        for number, cells, too_long in ready:
            if too_long:
                yield number, None, P.row.too_long
            else:
                yield number, [(c, self.strings[v] if type(v) is _Shared else v) for c, v in cells], None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self._opened()
        if name == _CELL:
            reference = attributes.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            style = attributes.get("s")
            self.style = int(style) if style else 0
            self.text, self.has_value, self.collecting, self.phonetic = [], False, False, 0
        elif name == _ROW:
            reference = attributes.get("r")
            number = _row_number(reference) if reference else self.number + 1
            if not self.number < number <= EXCEL_ROWS:
                raise ValueError("rows out of order or beyond the sheet")
            self.number, self.cells, self.chars, self.too_long, self.column = number, [], 0, False, 0
        elif self.text is None:
            return
        elif name == _VALUE and self.kind != "inlineStr":
            self.has_value = self.collecting = True
        elif name == _INLINE and self.kind == "inlineStr":
            self.has_value = True
        elif name == _TEXT and self.kind == "inlineStr" and not self.phonetic:
            self.collecting = True
        elif name == _PHONETIC:
            self.phonetic += 1

    def characters(self, data: str) -> None:
        self.event = self.fed
        if self.collecting and self.text is not None and not self.too_long:
            self.chars += len(data)
            if self.chars > MAX_LINE_BYTES:
                self.too_long = True  # the rest of the row's text is not kept
            else:
                self.text.append(data)

    def end(self, name: str) -> None:
        self.depth -= 1
        self.event = self.fed
        if name in (_VALUE, _TEXT):
            self.collecting = False
        elif name == _CELL and self.text is not None:
            value = self._value("".join(self.text) if self.has_value else None)
            self.text = None
            if value is not None and not self.too_long:
                if len(self.cells) >= EXCEL_COLUMNS:
                    raise ValueError("more cells than a row has columns")
                self.cells.append((self.column - 1, value))
        elif name == _ROW:
            if self.too_long or any(self._filled(value) for _, value in self.cells):
                self.ready.append((self.number, self.cells, self.too_long))
            self.cells = []
        elif name == _PHONETIC and self.phonetic:
            self.phonetic -= 1

    def _filled(self, value: object) -> bool:
        if type(value) is _Shared:
            value = self.strings[value]
        return not isinstance(value, str) or bool(value.strip())

    def _value(self, text: str | None) -> object:
        """As openpyxl's WorkSheetParser.parse_cell, data only: "str" (a formula's text) and "e"
        (an error such as #N/A) stay text."""
        if self.kind == "inlineStr":
            return text
        if not text:
            return None
        convert = self.convert.get(self.kind)
        return convert(text) if convert else text

    def _number(self, text: str) -> object:
        number = float(text) if "." in text or "e" in text or "E" in text else int(text)
        if self.style not in self.book.date_styles:
            return number
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.book.epoch, timedelta=self.style in self.book.timedelta_styles)
        except (OverflowError, ValueError):
            return "#VALUE!"

    def _shared(self, text: str) -> object:
        index = int(text)
        ends = self.strings.ends
        if not 0 <= index < len(ends):
            raise IndexError("no such shared string")
        self.chars += ends[index] - (ends[index - 1] if index else 0)
        if self.chars > MAX_LINE_BYTES:
            self.too_long = True
        return _Shared(index)


def _boolean(text: str) -> object:
    return bool(int(text))


def _iso_date(text: str) -> object:
    from openpyxl.utils.datetime import from_ISO8601

    return from_ISO8601(text)  # type: ignore[no-untyped-call]


_COLUMNS: dict[str, int] = {}


def _column(reference: str) -> int:
    """The column (from 1) of a cell reference such as `B7`; at most XFD (16,384)."""
    letters = reference.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
            raise ValueError("not a cell reference")
        column = 0
        for letter in letters.upper():
            column = column * 26 + ord(letter) - 64
        if column > EXCEL_COLUMNS:
            raise ValueError("a column beyond the sheet")
        _COLUMNS[letters] = column  # at most 16,384 × case variants of valid names
    return column


def _row_number(reference: str) -> int:
    number = float(reference)
    if not number.is_integer():
        raise ValueError("not a row number")
    return int(number)
