"""Creating the tables: one idempotent call used by tests and `make dev`. In AWS the tables come
from `infra/` templates instead."""

from __future__ import annotations

from pynamodb.exceptions import TableError

from chalicelib.models.applications import ApplicationsItem
from chalicelib.models.base import RegisterModel
from chalicelib.models.institutions import InstitutionItem
from chalicelib.models.journal import JournalEvent
from chalicelib.models.movements import Movement
from chalicelib.models.officials import Official
from chalicelib.models.outside_education import OutsideEducationItem
from chalicelib.models.persons import Person
from chalicelib.models.records import RecordsItem
from chalicelib.models.sessions import AuthSession
from chalicelib.models.shares import ShareLink
from chalicelib.models.statistics import StatisticsItem
from chalicelib.models.transcripts import TranscriptsItem
from chalicelib.models.uploads import Upload

ALL_MODELS: tuple[type[RegisterModel], ...] = (
    Person, RecordsItem, InstitutionItem, Upload, JournalEvent, AuthSession, ShareLink, TranscriptsItem,
    Official, Movement, OutsideEducationItem, StatisticsItem, ApplicationsItem,
)


def create_tables() -> list[str]:
    """Create every missing table and wait for it; return the names created. Safe to call again."""
    created = []
    for model in ALL_MODELS:
        if model.exists():
            continue
        try:
            model.create_table(wait=True)
        except TableError:
            # Another process created it between the check and the call: that is the goal too.
            if not model.exists():
                raise
            continue
        created.append(model.Meta.table_name)
    return created
