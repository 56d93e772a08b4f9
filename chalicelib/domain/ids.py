"""Identifiers the register derives rather than stores a mapping for."""

from __future__ import annotations

import base64
import hashlib


def record_id_for(institution_id: str, source_id: str) -> str:
    """The record id of an institution's record with its own id `source_id`.

    Derived, so a re-submission of the same (institution, source_id) names the same record and
    updates it instead of adding a second one; hashed, so the school's internal ids do not appear
    in URLs.
    """
    digest = hashlib.sha256(f"{institution_id}\x1f{source_id}".encode()).digest()
    return "R" + base64.b32encode(digest).decode("ascii")[:24]
