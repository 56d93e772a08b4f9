"""The one-off backfill of the enrolments index's key on enrolments stored before it (moto)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.models.records import Record, index_enrolment, record_key
from chalicelib.services import enrolment_index

NOW = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)


def _stored(person_id: str, kind: str, record_id: str, institution: str, *, indexed: bool = False) -> Record:
    """A record as stored before the index's key existed (or, `indexed`, as written since)."""
    record = Record(person_id, record_key(kind, "2020-09-01", record_id), record_id=record_id, kind=kind,
                    institution_id=institution, source_id=f"s-{record_id}", created_at=NOW, created_by="test",
                    updated_at=NOW, updated_by="test", version=1, start_date="2020-09-01",
                    enrolled_at=institution if indexed else None)
    record.save()
    return record


def _indexed(institution: str) -> list[str]:
    return sorted(r.record_id for r in Record.enrolments_by_institution.query(institution) if isinstance(r, Record))


def test_old_enrolments_enter_the_index_and_nothing_else_does(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    _stored("50803041232", "ENROLLMENT", "e1", "inst-a")
    _stored("39001010000", "ENROLLMENT", "e2", "inst-a")
    _stored("50803041232", "ENROLLMENT", "e3", "inst-b")
    _stored("50803041232", "EXAM", "x1", "inst-a")
    _stored("39001010000", "ENROLLMENT", "e4", "inst-a", indexed=True)
    assert _indexed("inst-a") == ["e4"]

    assert enrolment_index.main([]) == 0  # a dry run writes nothing
    assert _indexed("inst-a") == ["e4"]
    assert enrolment_index.backfill(write=True) == enrolment_index.Backfill(found=3, written=3, changed=0)

    assert (_indexed("inst-a"), _indexed("inst-b")) == (["e1", "e2", "e4"], ["e3"])
    exam = Record.get("50803041232", record_key("EXAM", "2020-09-01", "x1"))
    assert exam.enrolled_at is None and exam.version == 1  # the exam untouched
    assert Record.get("50803041232", record_key("ENROLLMENT", "2020-09-01", "e1")).updated_at == NOW  # the key alone
    assert enrolment_index.backfill(write=True) == enrolment_index.Backfill(found=0, written=0, changed=0)
    printed = capsys.readouterr().out
    assert "would write: 3" in printed and "50803041232" not in printed  # counts, never a personal code


def test_an_enrolment_changed_meanwhile_is_left_as_the_write_path_made_it(aws: None) -> None:
    moved = _stored("50803041232", "ENROLLMENT", "e1", "inst-a")
    moved.delete()  # the write path moved it to another key (or person) since the Scan
    assert index_enrolment(moved.person_id, moved.record_key, "inst-a") is False
    with pytest.raises(Record.DoesNotExist):  # not re-created as a fragment with the key alone
        Record.get(moved.person_id, moved.record_key)
    rewritten = _stored("50803041232", "ENROLLMENT", "e2", "inst-a", indexed=True)
    assert index_enrolment(rewritten.person_id, rewritten.record_key, "inst-a") is False
