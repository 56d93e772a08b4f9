"""The list of learners (*besimokančių sąrašas*) of an institution, in the columns and conventions
of the current register's export, so the scripts schools already run on it keep working.

Current learners only (an active enrolment that has started and not ended), ordered by class and
name. The language of instruction comes last, after the current register's columns: a script
that reads those by position or by name reads them as before. Each listed pupil's journal records
the export before the list is handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.kinds import LANGUAGE_OF_INSTRUCTION, code_labels
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.spreadsheet import class_order, csv_text, xlsx_bytes
from chalicelib.errors import Problem
from chalicelib.models.institutions import institution_profile
from chalicelib.models.journal import JournalEvent
from chalicelib.models.persons import Person
from chalicelib.models.records import Record, institution_enrolments
from chalicelib.services.access import require
from chalicelib.services.journal import EXPORT, Actor, new_event

COLUMNS = ("Nr.", "Asmens kodas", "Pavardė Vardas", "Gimimo data", "Lytis", "Bylos Nr./Asm. vardinis Nr.",
           "Klasė", "Mokymosi programa", "Pagrindinė mokymosi forma/būdas", "Mokomoji kalba")
SEX = {"M": "vyras", "F": "moteris"}
LANGUAGES = code_labels(LANGUAGE_OF_INSTRUCTION)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Learner:
    person_id: str
    name: str  # PAVARDĖ VARDAS
    birth_date: str
    sex: str
    file_number: str
    class_name: str
    programme: str
    learning_form: str
    language: str  # of instruction, as Lithuanian names it (`lenkų`)


def current_learners(
    caller: CallerFacts, institution_id: str, *, purpose: str | None, correlation_id: str | None,
    today: date | None = None,
) -> list[Learner]:
    decision = require(policy.act_for_institution(caller, institution_id, policy.READ))
    today_iso = (today or vilnius_today()).isoformat()
    enrolments = [r for r in institution_enrolments(institution_id, attributes=None) if _current_on(r, today_iso)]
    people = {p.person_id: p for p in Person.batch_get({e.person_id for e in enrolments})}
    # A pupil whose naming by this institution the Population Register contradicted is not its
    # learner until it names them as the register does (docs/ACCESS.md).
    enrolments = [e for e in enrolments if institution_id not in (getattr(people.get(e.person_id),
                                                                          "disputed_institutions", None) or ())]
    learners = [_learner(e, people.get(e.person_id)) for e in enrolments]
    learners.sort(key=lambda item: (class_order(item.class_name), item.name))
    profile = institution_profile(institution_id)
    actor = Actor(caller.person_id, decision.acting_role, institution_id, profile.name if profile else None)
    try:
        with JournalEvent.batch_write() as batch:
            for person_id in sorted({item.person_id for item in learners}):
                batch.save(new_event(person_id, EXPORT, actor, purpose=purpose or "list of learners",
                                     correlation_id=correlation_id))
    except PynamoDBException:
        raise Problem(P.journal.unavailable, "The register cannot record this export now; try later.") from None
    return learners


def _current_on(enrolment: Record, today_iso: str) -> bool:
    """Started, and not ended before today (a planned end in the future still counts)."""
    start, end = enrolment.field("start_date"), enrolment.field("end_date")
    return (start or "") <= today_iso and (end is None or end >= today_iso)


def _learner(enrolment: Record, person: Person | None) -> Learner:
    name = f"{person.family_name} {person.given_name}".upper() if person else ""
    # The personal code states sex and (usually) birth date: a person a school created has them in
    # the code even when the stored person lacks them. A register-issued id (or a 9-code) states
    # neither; then only what is stored can be shown.
    try:
        code = parse_personal_code(enrolment.person_id)
        coded_sex, coded_birth = code.sex, code.birth_date.isoformat() if code.birth_date else None
    except PersonalCodeError:
        coded_sex, coded_birth = None, None
    stored_sex, stored_birth = (person.sex, person.birth_date) if person else (None, None)
    return Learner(
        person_id=enrolment.person_id, name=name, birth_date=stored_birth or coded_birth or "",
        sex=SEX.get(coded_sex or stored_sex or "", ""), file_number=enrolment.source_id,
        class_name=enrolment.field("class") or "", programme=enrolment.field("programme") or "",
        learning_form=enrolment.field("learning_form") or "",
        language=LANGUAGES.get(enrolment.field("language_of_instruction"), {}).get("lt", ""),
    )


def _rows(learners: list[Learner]) -> list[list[str]]:
    return [
        [str(number), item.person_id, item.name, item.birth_date, item.sex, item.file_number, item.class_name,
         item.programme, item.learning_form, item.language]
        for number, item in enumerate(learners, start=1)
    ]


def as_csv(learners: list[Learner]) -> str:
    return csv_text(COLUMNS, _rows(learners))


def as_xlsx(learners: list[Learner]) -> bytes:
    return xlsx_bytes("Besimokantys", COLUMNS, _rows(learners))
