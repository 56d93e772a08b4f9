"""The README's upload-template table is what the validator enforces (docs must not drift)."""

import re
from pathlib import Path

from chalicelib.domain.records import KIND_MODELS, RecordBase

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_template_table_matches_the_validator() -> None:
    rows = re.findall(r"^\| `([A-Z]+)` \| (.*?) \| (.*?) \|$", README.read_text(), flags=re.MULTILINE)
    documented = {kind: (set(re.findall(r"`(\w+)`", req)), set(re.findall(r"`(\w+)`", opt))) for kind, req, opt in rows}
    assert set(documented) == {kind.value for kind in KIND_MODELS}
    for kind, model in KIND_MODELS.items():
        own = {n: i for n, i in model.model_fields.items() if n not in RecordBase.model_fields}
        required = {i.alias or n for n, i in own.items() if i.is_required()}
        optional = {i.alias or n for n, i in own.items() if not i.is_required()}
        assert documented[kind.value] == (required, optional), kind
