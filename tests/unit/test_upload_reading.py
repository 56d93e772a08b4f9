"""Reading upload files without AWS: lines, encodings, headers, rows."""

from chalicelib.domain.upload import (
    csv_rows,
    decoded_lines,
    looks_binary,
    map_header,
    physical_lines,
    row_values,
    sniff_delimiter,
    sniff_encoding,
)


def test_lines_across_chunks_and_an_overlong_line() -> None:
    chunks = [b"ab", b"c\nde", b"f\n" + b"x" * 50, b"y" * 50 + b"\nlast"]
    lines = list(physical_lines(chunks, max_line=20))
    assert lines == [(b"abc\n", False), (b"def\n", False), (b"x" * 20, True), (b"last", False)]


def test_encodings() -> None:
    assert sniff_encoding("\ufeffą".encode()) == "utf-8-sig"
    assert sniff_encoding("ąčę".encode()) == "utf-8"
    assert sniff_encoding("ąčę".encode()[:-1]) == "utf-8"  # a character cut at the end of the sample
    assert sniff_encoding("ąčę".encode("cp1257")) == "cp1257"
    lines = list(decoded_lines([("Šimkutė;ąž\n".encode("cp1257"), False)], "cp1257"))
    assert lines[0].text == "Šimkutė;ąž\n" and lines[0].problem is None
    broken = list(decoded_lines([(b"ok\n", False), (b"\xff\xfe\n", False)], "utf-8"))
    assert [line.problem for line in broken] == [None, "row.encoding"]


def test_binary_and_delimiters() -> None:
    assert looks_binary(b"PK\x03\x04\x00\x00")
    assert not looks_binary(b"kind;asmens_kodas\r\nEXAM;3900\r\n")
    assert sniff_delimiter("kind;person_id;source_id") == ";"
    assert sniff_delimiter("kind,person_id,source_id") == ","


def test_header_mapping() -> None:
    columns = map_header(["Rūšis", "Asmens kodas", "source_id", "Pavardė", ""])
    assert columns.fields == ["kind", "person_id", "source_id", "family_name", None]
    assert columns.problems == []
    bad = map_header(["kind", "person_id", "asmens_kodas", "39001010000 colour"])
    assert [(p.column, p.code) for p in bad.problems] == [
        ("person_id", "file.duplicate_column"), ("… colour", "file.unknown_column"),
        ("source_id", "file.missing_column")]


def test_rows_with_quoted_newlines_keep_their_line_numbers() -> None:
    text = 'kind;notes\nEXAM;"one\ntwo"\nEXAM;plain\nEXAM;"broken\n'
    lines = decoded_lines(physical_lines([text.encode()]), "utf-8")
    next(lines)  # the header
    rows = list(csv_rows(lines, ";"))
    assert rows[0] == (2, ["EXAM", "one\ntwo"], None)
    assert rows[1] == (4, ["EXAM", "plain"], None)
    assert rows[2][1] is None and rows[2][2] == "row.malformed"


def test_row_values_flag_extra_cells() -> None:
    columns = map_header(["kind", "person_id", "source_id"])
    assert row_values(columns, ["EXAM", "1", "s"]) == ({"kind": "EXAM", "person_id": "1", "source_id": "s"}, False)
    assert row_values(columns, ["EXAM", "1", "s", "surprise"])[1] is True
