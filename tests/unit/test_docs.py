"""The docs say what the code does (no drift), and say it themselves: nothing in the repository
sends its reader to a file outside it."""

import re
import subprocess
from pathlib import Path

from chalicelib.domain.kinds import FIELDS, KINDS, CodeList, DateValue, IntegerValue, TextValue, Value

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
UPLOADS = ROOT / "docs" / "UPLOADS.md"
REGENERATE = "regenerate with `.venv/bin/python -m tests.unit.test_docs`"


# --- copies of the record kinds' declaration (chalicelib/domain/kinds.py) in the docs ------------


def kinds_table() -> str:
    """README's table of kinds: each kind's own fields, required and optional."""
    rows = ["| kind | required | optional |", "|---|---|---|"]
    for kind in KINDS:
        required = ", ".join(f"`{use.name}`" for use in kind.uses if use.required)
        optional = ", ".join(f"`{use.name}`" for use in kind.uses if not use.required)
        rows.append(f"| `{kind.name}` | {required} | {optional} |")
    return "\n".join(rows)


def _values(value: Value) -> str:
    if isinstance(value, DateValue):
        return "date" + (", may lie ahead" if value.future else "")
    if isinstance(value, IntegerValue):
        return f"whole number {value.minimum}–{value.maximum}"
    if isinstance(value, TextValue):
        return f"text, ≤ {value.max_length} characters" + (f" ({value.form})" if value.form else "")
    assert isinstance(value, CodeList)
    return ", ".join(f"`{code.code}` ({code.label['lt']})" if code.label["lt"] != code.code else f"`{code.code}`"
                     for code in value.codes)


def columns_table() -> str:
    """docs/UPLOADS.md's table of template columns: both languages' names, other headers, values."""
    rows = ["| column | Lithuanian column | also accepted | values |", "|---|---|---|---|"]
    for field in FIELDS:
        values = ", ".join(f"`{kind.name}`" for kind in KINDS) if field.name == "kind" else _values(field.value)
        for kind in KINDS:
            own = next((use.value for use in kind.uses if use.name == field.name and use.value), None)
            if own is not None:
                values += f"; on `{kind.name}`: {_values(own)}"
        aliases = ", ".join(f"`{alias}`" for alias in field.aliases) or "–"
        rows.append(f"| `{field.name}` | `{field.column_lt}` | {aliases} | {values} |")
    return "\n".join(rows)


def marked(path: Path, name: str) -> str:
    found = re.search(rf"<!-- {name}:START -->\n(.*?)\n<!-- {name}:END -->", path.read_text(), flags=re.DOTALL)
    assert found, f"{path.name} has no {name} markers"
    return found.group(1)


def write_marked(path: Path, name: str, table: str) -> None:
    text = re.sub(rf"(<!-- {name}:START -->\n)(?:.*?\n)?(<!-- {name}:END -->)",
                  lambda m: m.group(1) + table + "\n" + m.group(2), path.read_text(), flags=re.DOTALL)
    path.write_text(text)


def test_readme_template_table_is_the_declaration() -> None:
    assert marked(README, "KINDS") == kinds_table(), REGENERATE


def test_upload_columns_table_is_the_declaration() -> None:
    assert marked(UPLOADS, "COLUMNS") == columns_table(), REGENERATE


# A relative path into a folder beside the checkout, an absolute path into the workplace, or a file
# of a `shared/` folder (the route `/shared/{secret}` and the page's `shared/${...}` call are not).
OUTSIDE = re.compile(r"\.\./shared\b|" + "/" + r"work/|(?<![\w/#])shared/[\w.-]+\.(?:md|txt|json|ya?ml|py)\b")
MARKDOWN_NAME = re.compile(r"\b[A-Z][A-Z0-9_]*\.md\b")


def repository_files() -> list[Path]:
    """Every file git would commit (tracked, or new and not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def outside_references(text: str, own_markdown: set[str]) -> list[str]:
    """What `text` names outside the repository: paths beside or above it, and Markdown documents
    (upper-case names) the repository does not have."""
    return OUTSIDE.findall(text) + [name for name in MARKDOWN_NAME.findall(text) if name not in own_markdown]


def test_nothing_refers_to_a_file_outside_the_repository() -> None:
    files = repository_files()
    own_markdown = {path.name for path in files if path.suffix == ".md"}
    assert {"README.md", "OPERATIONS.md", "KNOWN_TRAPS.md"} <= own_markdown
    # The check itself: each of these is caught (names built up, so this file does not name them).
    for outside in ("see " + "PITFALLS" + ".md", "(" + "DESIGN" + ".md §4)", "../" + "shared/x",
                    "`" + "shared/" + "REDTEAM" + ".md`", "/" + "work/shared"):
        assert outside_references(outside, own_markdown), outside
    for inside in ("GET /shared/{secret}", "`shared/${encodeURIComponent(secret)}`", "#/shared/abc",
                   "docs/OPERATIONS.md", "README.md"):
        assert not outside_references(inside, own_markdown), inside
    found = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images and other binary files
        named = outside_references(text, own_markdown)
        if named:
            found[str(path.relative_to(ROOT))] = named
    assert found == {}


if __name__ == "__main__":
    write_marked(README, "KINDS", kinds_table())
    write_marked(UPLOADS, "COLUMNS", columns_table())
