"""Workbooks assembled part by part for the XLSX reader's tests: openpyxl writes every string
inline, where Excel writes a shared-string table, and hostile files need parts no writer writes."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def xlsx_with(sheet_xml: bytes, parts: dict[str, bytes] | None = None, strings: bytes | None = None) -> bytes:
    """openpyxl's empty workbook with `sheet_xml` as its sheet, `parts` replacing or added to its
    members, and `strings` (the `<si>` elements) as its shared-string table."""
    out = io.BytesIO()
    Workbook().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    members = {name: source.read(name) for name in source.namelist()} | {"xl/worksheets/sheet1.xml": sheet_xml}
    if strings is not None:
        members[STRINGS_PART] = b"<sst " + MAIN + b">" + strings + b"</sst>"
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/' + STRINGS_PART.encode() + b'" ContentType="' + STRINGS_TYPE
            + b'"/></Types>')
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (members | (parts or {})).items():
            archive.writestr(name, data)
    return target.getvalue()


def worksheet(rows: bytes, dimension: str | None = None) -> bytes:
    declared = b'<dimension ref="%s"/>' % dimension.encode() if dimension else b""
    return b"<worksheet " + MAIN + b">" + declared + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def column_name(index: int) -> str:
    """0 → A, 16383 → XFD."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def row(number: int, *values: str | int, first: int = 0, shared: dict[str, int] | None = None) -> bytes:
    """A `<row>` whose cells start at column `first`: numbers as numbers, text inline, or as
    shared-string indexes when `shared` maps it."""
    cells = []
    for offset, value in enumerate(values):
        ref = f"{column_name(first + offset)}{number}"
        if isinstance(value, int):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif shared is not None and value in shared:
            cells.append(f'<c r="{ref}" t="s"><v>{shared[value]}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()
