"""Guardianship, as the Population Register (Gyventojų registras) knows it, behind an interface.

The register does not decide who is whose parent: it asks. Locally the source is a JSON file the
dev stack writes (`{"guardianships": {"<parent code>": ["<child code>", ...]}}`). Without a
configured source nobody is a guardian: refusing is the safe failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from chalicelib.config import settings
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code


@dataclass(frozen=True)
class Child:
    person_id: str
    birth_date: date | None


class PopulationRegister(Protocol):
    def children_of(self, person_id: str) -> list[Child]: ...


class NoPopulationRegister:
    def children_of(self, person_id: str) -> list[Child]:
        return []


class FilePopulationRegister:
    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        self._children: dict[str, list[str]] = data.get("guardianships", {})

    def children_of(self, person_id: str) -> list[Child]:
        return [Child(code, _birth_date(code)) for code in self._children.get(person_id, [])]


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
