"""The docs say what the code does (no drift), and say it themselves: nothing in the repository
sends its reader to a file outside it."""

import re
import subprocess
from pathlib import Path

from chalicelib.domain.records import KIND_MODELS, RecordBase

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def test_readme_template_table_matches_the_validator() -> None:
    rows = re.findall(r"^\| `([A-Z]+)` \| (.*?) \| (.*?) \|$", README.read_text(), flags=re.MULTILINE)
    documented = {kind: (set(re.findall(r"`(\w+)`", req)), set(re.findall(r"`(\w+)`", opt))) for kind, req, opt in rows}
    assert set(documented) == {kind.value for kind in KIND_MODELS}
    for kind, model in KIND_MODELS.items():
        own = {n: i for n, i in model.model_fields.items() if n not in RecordBase.model_fields}
        required = {i.alias or n for n, i in own.items() if i.is_required()}
        optional = {i.alias or n for n, i in own.items() if not i.is_required()}
        assert documented[kind.value] == (required, optional), kind


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
