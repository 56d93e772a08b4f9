"""Reading XLSX uploads without AWS (chalicelib/domain/xlsx.py): the values openpyxl reads, in
time and memory that depend on what the file holds, not on what it declares."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from chalicelib.domain import xlsx
from chalicelib.domain.upload import MAX_LINE_BYTES, FileProblem, ReadBudget
from tests.xlsx_files import MAIN, row, worksheet, xlsx_with


def read(data: bytes, budget: ReadBudget | None = None) -> list[xlsx.SheetRow]:
    return list(xlsx.sheet_rows(io.BytesIO(data), budget or ReadBudget(60)))


def refused(data: bytes, budget: ReadBudget | None = None) -> str:
    with pytest.raises(FileProblem) as caught:
        read(data, budget)
    return caught.value.code


def as_openpyxl_reads(data: bytes) -> list[xlsx.SheetRow]:
    """openpyxl's own read-only values, blank rows left out, in the reader's shape."""
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows: list[xlsx.SheetRow] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells: list[tuple[int, object]] = [(column, value) for column, value in enumerate(values) if value is not None]
        if any(not isinstance(value, str) or value.strip() for _, value in cells):
            rows.append((number, cells, None))
    return rows


def sorted_rows(rows: list[xlsx.SheetRow]) -> list[xlsx.SheetRow]:
    return [(number, sorted(cells, key=lambda c: c[0]) if cells else cells, problem) for number, cells, problem in rows]


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_values_are_what_openpyxl_reads_from_a_workbook_it_wrote(epoch: str) -> None:
    workbook = Workbook()
    if epoch == "1904":
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kind", "asmens_kodas", "data", "laikas", "ar"])
    sheet.append(["EXAM", 39001010000, date(2025, 6, 3), datetime(2025, 6, 3, 12, 30), True])
    sheet.append(["ąčęėįšųūž", 3.5, time(8, 15), timedelta(hours=30), False])
    sheet.append([CellRichText(("plain ", TextBlock(InlineFont(b=True), "bold"))), "=1+2", "  ", None, "#N/A"])
    sheet["H9"] = "far"
    out = io.BytesIO()
    workbook.save(out)
    assert sorted_rows(read(out.getvalue())) == sorted_rows(as_openpyxl_reads(out.getvalue()))
    assert read(out.getvalue())[1][1] == [(0, "EXAM"), (1, 39001010000), (2, datetime(2025, 6, 3)),
                                          (3, datetime(2025, 6, 3, 12, 30)), (4, True)]


def test_values_are_what_openpyxl_reads_from_shared_strings_and_hand_written_cells() -> None:
    strings = (b"<si><t>EXAM</t></si>"
               b"<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>"
               b"<rPh sb=\"0\" eb=\"1\"><t>phonetic</t></rPh></si>"
               b"<si><t>_x005F_x000D_</t></si><si><t xml:space=\"preserve\">  </t></si><si/>")
    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>'
            b'<row r="3"><c r="B3" t="str"><f>A1</f><v>from a formula</v></c><c t="e"><v>#DIV/0!</v></c>'
            b'<c t="b"><v>0</v></c><c t="d"><v>2025-06-03T10:00:00</v></c><c><v>1.5E3</v></c></row>'
            b'<row><c r="A4" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r>'
            b'<rPh sb="0" eb="1"><t>no</t></rPh></is></c><c r="Z4" t="s"><v>3</v></c></row>'
            b'<row r="6"><c r="C6" t="s"><v>3</v></c><c r="D6" t="s"><v>4</v></c><c r="E6"/></row>'
            b'<row r="7"><c r="C7" t="inlineStr"><is><t>x</t></is></c></row>')
    data = xlsx_with(worksheet(rows), strings=strings)
    expected = [
        (1, [(0, "EXAM"), (1, "rich text"), (2, "_x000D_")], None),
        (3, [(1, "from a formula"), (2, "#DIV/0!"), (3, False), (4, datetime(2025, 6, 3, 10)), (5, 1500.0)], None),
        (4, [(0, "inline"), (25, "  ")], None),
        (7, [(2, "x")], None),
    ]
    assert read(data) == expected
    assert sorted_rows(as_openpyxl_reads(data)) == expected  # row 6 holds only blanks: no row


def test_a_declared_dimension_and_the_gaps_between_rows_cost_nothing() -> None:
    """openpyxl pads every row to the declared width and yields every skipped row: this 4.7 KB
    file took it minutes. Here it is three rows, read as its cells say."""
    far = worksheet(row(1, "kind", "person_id", "source_id") + row(2, "EXAM", 39001010000, "s1")
                    + row(1_048_576, "x", first=16_383), dimension="A1:XFD1048576")
    data = xlsx_with(far)
    assert len(data) < 6000
    assert read(data, ReadBudget(5)) == [(1, [(0, "kind"), (1, "person_id"), (2, "source_id")], None),
                                         (2, [(0, "EXAM"), (1, 39001010000), (2, "s1")], None),
                                         (1_048_576, [(16_383, "x")], None)]


def test_the_shared_strings_are_kept_compactly_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    table = xlsx.SharedStrings()
    for text in ("", "ąčęėįšųūž", "EXAM"):
        table.add(text)
    assert [table[i] for i in range(len(table))] == ["", "ąčęėįšųūž", "EXAM"]
    assert len(table.text) + table.ends.itemsize * len(table.ends) == 18 + 4 + 3 * 4

    monkeypatch.setattr(xlsx, "MAX_SHARED_STRINGS", 1000)
    sheet = worksheet(b'<row r="1"><c t="s"><v>0</v></c></row>')
    assert read(xlsx_with(sheet, strings=b"<si><t>s</t></si>" * 1000))[0][1] == [(0, "s")]
    assert refused(xlsx_with(sheet, strings=b"<si><t>s</t></si>" * 1001)) == "file.too_complex"
    monkeypatch.setattr(xlsx, "MAX_SHARED_BYTES", 100_000)
    assert refused(xlsx_with(sheet, strings=b"<si><t>" + b"x" * 100_001 + b"</t></si>")) == "file.too_complex"


def test_rows_over_the_line_limit_are_rejected_and_reading_goes_on() -> None:
    long_text = "x" * (MAX_LINE_BYTES // 2 + 1)
    shared = b"<si><t>" + long_text.encode() + b"</t></si>"
    rows = (row(1, "kind") + row(2, long_text, long_text) + b'<row r="3"><c t="s"><v>0</v></c><c t="s"><v>0</v>'
            b"</c></row>" + row(4, "EXAM"))
    assert read(xlsx_with(worksheet(rows), strings=shared)) == [
        (1, [(0, "kind")], None), (2, None, "row.too_long"), (3, None, "row.too_long"), (4, [(0, "EXAM")], None)]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        (row(2, "a") + row(1, "b"), "file.not_xlsx"),  # rows out of order
        (row(2, "a") + row(2, "b"), "file.not_xlsx"),
        (row(1_048_577, "a"), "file.not_xlsx"),  # beyond the sheet
        (b'<row r="1"><c r="XFE1" t="inlineStr"><is><t>a</t></is></c></row>', "file.not_xlsx"),
        (b'<row r="1">' + b'<c r="A1"><v>1</v></c>' * 16_385 + b"</row>", "file.not_xlsx"),
        (b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "file.not_xlsx"),  # no shared strings
        (b"<x>" * 65 + b"</x>" * 65, "file.too_complex"),  # nesting
        (b'<row r="1" spans="' + b"1" * (2 * 1024 * 1024) + b'"/>', "file.too_complex"),  # one huge tag
    ],
)
def test_broken_and_unbounded_sheets_are_refused(rows: bytes, code: str) -> None:
    assert refused(xlsx_with(worksheet(rows))) == code


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("xl/workbook.xml", b"not xml"),
        ("xl/workbook.xml", b"<workbook " + MAIN + b"><sheets><sheet name='a'/></sheets></workbook>"),
        ("xl/styles.xml", b"<styleSheet " + MAIN + b"><cellXfs><xf numFmtId='x'/></cellXfs></styleSheet>"),
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/_rels/workbook.xml.rels", b"<Relationships><Relationship/></Relationships>"),
    ],
)
def test_broken_workbook_parts_are_not_xlsx(part: str, content: bytes) -> None:
    assert refused(xlsx_with(worksheet(row(1, "a")), {part: content})) == "file.not_xlsx"


def test_a_part_read_whole_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 2000)
    padded = b"<styleSheet " + MAIN + b">" + b" " * 2000 + b"</styleSheet>"
    assert refused(xlsx_with(worksheet(row(1, "a")), {"xl/styles.xml": padded})) == "file.too_complex"


def test_a_dtd_is_refused_as_unsafe() -> None:
    sheet = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><worksheet ' + MAIN + b"/>"
    assert refused(xlsx_with(sheet)) == "file.xlsx_unsafe"


def counting_clock() -> Iterator[float]:
    tick = 0.0
    while True:
        tick += 1.0
        yield tick


def test_the_budget_charges_only_the_readers_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = counting_clock()
    monkeypatch.setattr(ReadBudget, "clock", staticmethod(lambda: next(ticks)))
    budget = ReadBudget(10)
    rows = iter(range(3))
    assert [budget.next_of(rows) for _ in range(3)] == [0, 1, 2]
    for _ in range(100):  # the consumer's time (each tick) is not the reader's
        next(ticks)
    assert budget.spent == 3.0
    budget.check()
    with pytest.raises(StopIteration):
        budget.next_of(rows)
    budget.spent = 10.5
    with pytest.raises(FileProblem) as caught:
        budget.check()
    assert caught.value.code == "file.too_complex"


def test_a_sheet_that_outlasts_its_budget_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = counting_clock()
    monkeypatch.setattr(ReadBudget, "clock", staticmethod(lambda: next(ticks)))
    body = b"".join(row(number, "EXAM", number) for number in range(1, 20_000))  # about 20 chunks
    rows = xlsx.sheet_rows(io.BytesIO(xlsx_with(worksheet(body))), budget := ReadBudget(8))
    read_rows = []
    with pytest.raises(FileProblem) as caught:
        while True:
            read_rows.append(budget.next_of(rows))
    assert caught.value.code == "file.too_complex"
    assert 0 < len(read_rows) < 19_999


def many_members(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index in range(count):
            archive.writestr(f"m/{index:06d}.xml", b"")
    return out.getvalue()


def test_zips_are_checked_before_anything_is_unpacked() -> None:
    def problem(data: bytes) -> str | None:
        return xlsx.zip_problem(io.BytesIO(data))

    assert problem(xlsx_with(worksheet(row(1, "a")))) is None
    assert problem(b"PK\x03\x04 not really a zip") == "file.not_xlsx"
    # zipfile keeps an object per member: a directory over 1 MB is refused before it is read.
    many = many_members(20_000)
    assert problem(many) == "file.xlsx_unsafe"
    # ... also when only a zip64 end record (which zipfile prefers) declares it.
    end = many.rindex(b"PK\x05\x06")
    size, offset = int.from_bytes(many[end + 12:end + 16], "little"), int.from_bytes(many[end + 16:end + 20], "little")
    zip64 = (b"PK\x06\x06" + (44).to_bytes(8, "little") + (45).to_bytes(2, "little") * 2 + bytes(8)
             + (20_000).to_bytes(8, "little") * 2 + size.to_bytes(8, "little") + offset.to_bytes(8, "little"))
    locator = b"PK\x06\x07" + bytes(4) + end.to_bytes(8, "little") + (1).to_bytes(4, "little")
    small = many[end:end + 12] + (100).to_bytes(4, "little") + many[end + 16:]
    crafted = many[:end] + zip64 + locator + small
    assert len(zipfile.ZipFile(io.BytesIO(crafted)).infolist()) == 20_000
    assert problem(crafted) == "file.xlsx_unsafe"
    compressed = io.BytesIO()
    with zipfile.ZipFile(compressed, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
    assert problem(compressed.getvalue()) == "file.not_xlsx"  # Excel writes deflate only
