"""Cells that spreadsheets open safely, the register's CSV and XLSX writer, and classes in school order."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CLASS = re.compile(r"(?P<grade>1[0-2]|[1-9]|IV|I{1,3})(?P<group>.*)")
_GYMNASIUM = {"I": 9, "II": 10, "III": 11, "IV": 12}


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, which spreadsheets show as text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


Cell = str | int | None


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """Semicolon-separated, CRLF, UTF-8 with a BOM (sent as UTF-8): what Excel in a Lithuanian
    locale opens as is. Every text cell is neutralised (no formula runs when the file is opened)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in columns])
    writer.writerows([[_csv_cell(cell) for cell in row] for row in rows])
    return "\ufeff" + buffer.getvalue()


def _csv_cell(cell: Cell) -> str:
    return "" if cell is None else neutralise(cell) if isinstance(cell, str) else str(cell)


def xlsx_bytes(sheet_name: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet: the header row, then `rows`. Text cells are stored as text (personal codes and
    file numbers keep their leading zeros) and neutralised; whole numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append([neutralise(column) for column in columns])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                cell.number_format = "@"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def class_order(class_name: str | None) -> tuple[int, str]:
    """`1a` < `8b` < `10a` < `IIa` (gymnasium class II is the 10th year) < unknown."""
    match = _CLASS.fullmatch(class_name or "")
    if not match:
        return (99, class_name or "")
    grade = match.group("grade")
    return (_GYMNASIUM.get(grade) or int(grade), match.group("group"))
