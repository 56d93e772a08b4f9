"""Guardianship and residents, as the Population Register (Gyventojų registras) knows them,
behind an interface.

The register does not decide who is whose parent: it asks. Locally the source is a JSON file the
dev stack writes (`{"guardianships": {"<parent code>": ["<child code>", ...]}}`). Without a
configured source nobody is a guardian: refusing is the safe failure.

The residents feed (`residents(born_from, born_to)`: personal code, declared municipality, birth
date) is what the list of children outside education is made from (docs/STATE.md section 5). It
is a stream: about 3 million residents nationally, so it is read one resident at a time and asked
only for the birth dates of the school-age cohort. Locally it is a JSON-lines file the dev stack
writes (`POPULATION_RESIDENTS_FILE`, one `{"person_id", "municipality", "birth_date"}` per line);
the real source's shape is in docs/OPERATIONS.md. Without a configured feed there are no
residents, and the nightly refresh then leaves yesterday's list as it is (it never empties it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.domain.municipalities import municipality_code
from chalicelib.domain.outside_education import Resident
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code


@dataclass(frozen=True)
class Child:
    person_id: str
    birth_date: date | None


class PopulationRegister(Protocol):
    def children_of(self, person_id: str) -> list[Child]: ...


class ResidentsFeed(Protocol):
    def residents(self, born_from: date, born_to: date) -> Iterator[Resident]:
        """Every resident born from `born_from` to `born_to` (both included), one at a time."""
        ...


class NoPopulationRegister:
    def children_of(self, person_id: str) -> list[Child]:
        return []

    def residents(self, born_from: date, born_to: date) -> Iterator[Resident]:
        return iter(())


class FilePopulationRegister:
    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        self._children: dict[str, list[str]] = data.get("guardianships", {})

    def children_of(self, person_id: str) -> list[Child]:
        return [Child(code, _birth_date(code)) for code in self._children.get(person_id, [])]


class FileResidentsFeed:
    """The fake feed: a JSON-lines file, read line by line (never loaded whole)."""

    def __init__(self, path: str) -> None:
        self._path = path

    def residents(self, born_from: date, born_to: date) -> Iterator[Resident]:
        with open(self._path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                resident = resident_of(line)
                if resident is None:
                    # The line number only: the line itself holds a personal code.
                    observability.log("resident_line_skipped", "WARNING", line=number)
                elif born_from <= resident.birth_date <= born_to:
                    yield resident


def resident_of(line: str) -> Resident | None:
    """One line of the feed as a resident, or None if it cannot be read: a municipality by its
    code or a name that maps to exactly one; the birth date, else the one the personal code states."""
    try:
        data: Any = json.loads(line)
        person_id = str(data["person_id"])
        municipality = municipality_code(str(data["municipality"]))
        birth = date.fromisoformat(data["birth_date"]) if data.get("birth_date") else _birth_date(person_id)
    except (ValueError, KeyError, TypeError):
        return None
    if municipality is None or birth is None:
        return None
    return Resident(person_id, municipality, birth)


def _birth_date(code: str) -> date | None:
    try:
        return parse_personal_code(code).birth_date
    except PersonalCodeError:
        return None


@lru_cache(maxsize=4)
def _file_register(path: str) -> FilePopulationRegister:
    return FilePopulationRegister(path)


def population_register() -> PopulationRegister:
    path = settings().population_register_file
    return _file_register(path) if path else NoPopulationRegister()


def residents_feed() -> ResidentsFeed:
    path = settings().population_residents_file
    return FileResidentsFeed(path) if path else NoPopulationRegister()
