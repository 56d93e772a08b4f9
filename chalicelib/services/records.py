"""The one write path for records: every change — an API create, correction or annulment, and every
row of a bulk upload — is planned here as DynamoDB items with their conditions, and applied in a
transaction (one for an API call; groups of rows for an upload).

A record is named by (institution, source_id): `record_id_for` derives its id, so a re-submission
updates instead of duplicating. Its `RecordHead` says where it lives, at which version, and how that
version was made. Every plan is conditional on the head as read — absent for a create, at the
version read for a change — and on the version item not existing yet, so two writers racing on one
record end as two consecutive versions or one of them refused, never as a silent overwrite; and a
DAKPR idempotency key (`<record_id>.<version>`) can only ever stand for one content.

Rules stated once, for both paths:
- a record naming a person must satisfy the identity rule (`domain/identity.py`);
- an annulled record is not revived (`record.annulled`);
- a file row does not undo a change made through the API after the record's last upload
  (`row.conflict`, naming the date of that change);
- the same content again changes nothing (fingerprint of the head).

The journal entry of a change is one of its writes, except in an upload's chunk: there the plans
carry their changes (`Plan.journal`) and `journal_units` applies each pupil's plans whole with one
journal item listing them (docs/UPLOADS.md, "The journal of an upload").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_date
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.identity import Identity, check_identity, claimed_birth_date
from chalicelib.domain.ids import record_id_for
from chalicelib.domain.kinds import IntegerValue, stored_fields
from chalicelib.domain.movements import Enrolment, closes, is_open, pairs
from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.records import AnnulmentInput, RecordBase, validate_record
from chalicelib.domain.transfer import is_transferred
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import RegisterModel, transaction
from chalicelib.models.institutions import institution_profile
from chalicelib.models.movements import ANNULLED as MOVE_ANNULLED
from chalicelib.models.movements import (
    ENDED,
    MARKER,
    OPEN,
    Movement,
    marker_condition,
    movements_of,
    open_arrivals,
)
from chalicelib.models.persons import Person
from chalicelib.models.records import (
    ACTIVE,
    ANNULLED,
    HEAD_KEY,
    PersonSummary,
    Record,
    RecordHead,
    RecordVersion,
    enrolment_records,
    record_head,
    record_key,
    version_key,
    version_partition,
)
from chalicelib.services.access import refusal, require, schools_of
from chalicelib.services.journal import ANNUL, CREATE, UPDATE, Actor, Change, listing_event, new_event
from chalicelib.services.persons import summary_of

# How a version was made (`RecordHead.via`).
VIA_API, VIA_UPLOAD = "API", "UPLOAD"

# DynamoDB takes at most 100 actions in one transaction.
MAX_TRANSACTION_ITEMS = 100


@dataclass(frozen=True)
class Outcome:
    record_id: str
    version: int
    created: bool
    changed: bool


class Write(NamedTuple):
    """One item of a plan: `put` (with a condition), `delete`, `update` (conditional), or `check`
    (a condition on an item the plan read but does not write)."""

    action: str
    item: RegisterModel
    condition: Any = None
    actions: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What one change writes. No writes: nothing to change (the same content again). `journal`:
    the changes the journal must tell, when the caller journals them itself (an upload's chunk,
    `journal_units`); otherwise they are among the writes."""

    record_id: str
    number: int
    created: bool
    changed: bool
    writes: tuple[Write, ...] = ()
    journal: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Writer:
    """Who writes, for which institution, through which path (API or an upload)."""

    institution_id: str
    actor: Actor
    via: str = VIA_API
    correlation_id: str | None = None


def record_fields(record: Record) -> dict[str, Any]:
    """A stored record as template fields (what the API returns and the journal keeps)."""
    fields: dict[str, Any] = {"kind": record.kind, "source_id": record.source_id}
    for stored in stored_fields():
        value = record.field(stored.name)
        if value is not None:
            fields[stored.name] = int(value) if isinstance(stored.value, IntegerValue) else value
    return fields


def fingerprint(person_id: str, key: str, fields: dict[str, Any], status: str = ACTIVE) -> str:
    content = json.dumps([person_id, key, fields, status], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def row_fingerprint(record: RecordBase, record_id: str) -> str:
    """The fingerprint `record` would have as an active record (compared with a head's)."""
    return fingerprint(record.person_id, record_key(record.kind.value, record.sort_date.isoformat(), record_id),
                       record.fields())


# --- the identity of the person a record names ---------------------------------------------------


def claimed_identity(record: RecordBase) -> Identity:
    return Identity(record.given_name, record.family_name, claimed_birth_date(record.person_id, record.birth_date))


def stored_identity(person: Person) -> Identity:
    return Identity(person.given_name, person.family_name,
                    date.fromisoformat(person.birth_date) if person.birth_date else None)


def needs_relation(record: RecordBase, person: Person | None) -> bool:
    """Whether deciding the identity rule needs to know if the person is the institution's pupil:
    only when the person exists and the record leaves a part of the identity out (with all parts
    given, the rule is the same either way)."""
    claimed = claimed_identity(record)
    return person is not None and None in (claimed.given_name, claimed.family_name, claimed.birth_date)


def identity_problem(record: RecordBase, person: Person | None, *, pupil_here: bool) -> Problem | None:
    """The refusal for a record naming this person, or None (`domain/identity.py`)."""
    check = check_identity(claimed_identity(record), stored_identity(person) if person else None,
                           pupil_here=pupil_here)
    if check.missing:
        return invalid(check.missing)
    if check.mismatch:
        # One code, no field: the answer must not say which part was right.
        return Problem(P.person.identity_mismatch)
    return None


def new_person(record: RecordBase, institution_id: str, changed_by: str, now: datetime) -> Person:
    """A person the register does not know, from a record's names, with sex and birth date from
    the personal code."""
    try:
        code = parse_personal_code(record.person_id)
        birth, sex = (code.birth_date.isoformat() if code.birth_date else None), code.sex
    except PersonalCodeError:
        birth, sex = None, None  # a register-issued id carries no date
    if record.birth_date:
        birth = record.birth_date.isoformat()
    return Person(record.person_id, given_name=record.given_name, family_name=record.family_name, birth_date=birth,
                  sex=sex, source="INSTITUTION", created_institution=institution_id, created_at=now,
                  updated_at=now, updated_by=changed_by)


def plan_person(person: Person) -> Plan:
    """Creating a person (and their summary in the records partition), only if absent (PynamoDB's
    versioning adds "no version yet" and writes version 1)."""
    return Plan(person.person_id, 1, created=True, changed=True, writes=(
        Write("put", person, Person.person_id.does_not_exist()), Write("put", summary_of(person))))


def plan_settled_dispute(person: Person, institution_id: str) -> Plan:
    """An institution whose naming the Population Register contradicted has now named the person
    in full as the register does (the identity rule passed without its enrolment): its enrolments
    count again. Conditional on the person as read (their version)."""
    settled = {institution_id}
    return Plan(person.person_id, int(person.version or 1), created=False, changed=True, writes=(
        Write("update", person, None, (Person.disputed_institutions.delete(settled),)),
        Write("update", summary_of(person), None, (PersonSummary.disputed_institutions.delete(settled),)),
    ))


# --- movement items (docs/STATE.md section 4; the rules in domain/movements.py) -------------------

ENROLLMENT = "ENROLLMENT"
# What the plan of an enrolment reads of the person's other enrolments, besides `enrolment_records`'s own.
_OTHER_ENROLMENT = ("person_id", "record_id", "record_key", "version", "start_date", "leaving_reason",
                    "institution_name")


@dataclass(frozen=True)
class Opening:
    """A movement item an enrolment's write opens (or re-opens): the pair, the other enrolment's
    record as read (the write is conditional on its version: if the other school ends it
    meanwhile, this write is refused and planned again), and the old institution's municipality."""

    old: Enrolment
    new: Enrolment
    other: Record
    municipality: str | None


@dataclass(frozen=True)
class Moves:
    """The movement items one enrolment's write opens and closes. `guard`: the written enrolment's
    own marker generation as read, when it is written ended or annulled (None: nothing to guard)."""

    opening: tuple[Opening, ...] = ()
    closing: tuple[Movement, ...] = ()
    guard: tuple[str, int | None] | None = None


NO_MOVES = Moves()


def _enrolment(record: Record) -> Enrolment:
    return Enrolment(str(record.institution_id), record.record_id, record.field("start_date") or "",
                     record.field("end_date"), record.field("leaving_reason"), record.institution_name,
                     int(record.version))


def read_moves(record: RecordBase, writer: Writer, head: RecordHead | None, *, person_known: bool,
               today: date) -> Moves:
    """What an enrolment's write must do to movement items, read before planning it. Nothing is
    read for another kind, for the same content again, or (opening) for a person the register did
    not know. Reads: one Query of the person's enrolments when the written enrolment is open, one
    Query of its own items when it is ended with a reason, and one profile per item opened."""
    if record.kind.value != ENROLLMENT:
        return NO_MOVES
    record_id = record_id_for(writer.institution_id, record.source_id)
    if head is not None and head.fingerprint == row_fingerprint(record, record_id):
        return NO_MOVES
    fields = record.fields()
    written = Enrolment(writer.institution_id, record_id, str(fields.get("start_date") or ""), fields.get("end_date"),
                        fields.get("leaving_reason"), writer.actor.institution_name)
    opening: list[Opening] = []
    if person_known and is_open(written.end_date, today):
        others = {r.record_id: r for r in enrolment_records(record.person_id, _OTHER_ENROLMENT)
                  if r.record_id != record_id}
        municipalities: dict[str, str | None] = {}
        for old, new in pairs(written, [_enrolment(r) for r in others.values()], today):
            if old.institution_id not in municipalities:
                profile = institution_profile(old.institution_id)
                municipalities[old.institution_id] = profile.municipality if profile else None
            other = others[new.record_id if old is written else old.record_id]
            opening.append(Opening(old, new, other, municipalities[old.institution_id] or None))
    closing: list[Movement] = []
    guard = None
    if written.end_date and written.leaving_reason:
        items, generation = movements_of(record_id)
        closing = [item for item in items if item.open_state and closes(written, item.arrived_on, today)]
        guard = (record_id, generation)
    if head is not None and not is_open(written.end_date, today):
        # The new school ending its enrolment (the pupil never came, went abroad): no two open
        # enrolments are left, so its arrivals close too. A new record has no items to close.
        closing += open_arrivals(writer.institution_id, record_id)
    return Moves(tuple(opening), tuple(closing), guard)


def movement_writes(moves: Moves, person_id: str, today: date, how: str = ENDED) -> list[Write]:
    """The writes of `moves`. An item is opened with an unconditional update that keeps its first
    `opened_at` (`if_not_exists`): the same pair written twice, by a retry or a second row, is one
    item; a re-opened item is as old as the move it stands for."""
    writes: list[Write] = []
    for opening in moves.opening:
        old, new = opening.old, opening.new
        item = Movement(old.record_id, new.record_id)
        actions: list[Any] = [
            Movement.person_id.set(person_id), Movement.from_institution.set(old.institution_id),
            Movement.to_institution.set(new.institution_id), Movement.arrived_on.set(new.start_date),
            Movement.opened_at.set(Movement.opened_at | today.isoformat()),
            Movement.open_from.set(old.institution_id), Movement.open_to.set(new.institution_id),
            Movement.open_state.set(OPEN), Movement.closed_at.remove(), Movement.closed_how.remove()]
        for attribute, value in ((Movement.from_name, old.institution_name), (Movement.to_name, new.institution_name),
                                 (Movement.from_municipality, opening.municipality),
                                 (Movement.open_municipality, opening.municipality)):
            actions.append(attribute.set(value) if value else attribute.remove())
        writes += [Write("update", item, None, tuple(actions)),
                   Write("check", opening.other, Record.version == opening.other.version)]
    # One marker write per old enrolment: the written one is the old one of every pair it makes
    # with later enrolments (two schools, or two enrolments at one), and DynamoDB refuses a
    # transaction naming one item twice (docs/STATE.md section 4).
    markers = list(dict.fromkeys(o.old.record_id for o in moves.opening))
    writes += [Write("update", Movement(old_id, MARKER), None, (Movement.generation.add(1),)) for old_id in markers]
    named = {(o.old.record_id, o.new.record_id) for o in moves.opening}
    for item in moves.closing:
        if (item.old_record_id, item.new_record_id) in named:
            continue  # an item is either opened or closed by one write, never both (one action per item)
        named.add((item.old_record_id, item.new_record_id))  # read twice (own items, arrivals): closed once
        writes.append(Write("update", item, Movement.open_state.exists(), (
            Movement.closed_at.set(today.isoformat()), Movement.closed_how.set(how),
            Movement.open_from.remove(), Movement.open_to.remove(), Movement.open_municipality.remove(),
            Movement.open_state.remove())))
    if moves.guard is not None and moves.guard[0] not in markers:
        # (A write that opens items of its own enrolment sets its marker itself.)
        record_id, generation = moves.guard
        writes.append(Write("check", Movement(record_id, MARKER), marker_condition(generation)))
    return writes


def annulled_moves(record: Record) -> Moves:
    """An annulled enrolment closes its open items, as the old one and as the new one: a mistaken
    enrolment at B leaves no pupil to chase at A, and an annulled one at A has nothing to end."""
    if record.kind != ENROLLMENT:
        return NO_MOVES
    own, generation = movements_of(record.record_id)
    items = [item for item in own if item.open_state] + open_arrivals(str(record.institution_id), record.record_id)
    return Moves(closing=tuple(items), guard=(record.record_id, generation))


# --- planning a version -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordItems:
    """The items one version of a record consists of. `version` is written as an item of its own
    except for version 1 of a record DAKPR does not hear of (`writes_version`): the record carries it."""

    record: Record
    version: RecordVersion
    head: RecordHead


def record_items(
    record: RecordBase, person_id: str, writer: Writer, *, number: int, now: datetime,
    current: Record | None = None,
) -> RecordItems:
    """Version `number` of a record as DynamoDB items."""
    institution_id, actor = writer.institution_id, writer.actor
    record_id = record_id_for(institution_id, record.source_id)
    fields = record.fields()
    key = record_key(record.kind.value, record.sort_date.isoformat(), record_id)
    item = Record(person_id, key, record_id=record_id, kind=record.kind.value, institution_id=institution_id,
                  institution_name=actor.institution_name, source_id=record.source_id, status=ACTIVE,
                  created_at=current.created_at if current else now,
                  created_by=current.created_by if current else actor.person_id,
                  updated_at=now, updated_by=actor.person_id, version=number)
    for stored in stored_fields():
        item.set_field(stored.name, fields.get(stored.name))
    # The enrolments index's key, on enrolments only; a put replaces the whole item, so a record
    # that stops being an enrolment leaves the index (models/records.py).
    item.enrolled_at = institution_id if record.kind.value == ENROLLMENT else None
    version = RecordVersion(version_partition(record_id), version_key(number), record_id=record_id,
                            version_number=number, owner_person_id=person_id, owner_record_key=key,
                            change=UPDATE if current else CREATE, changed_at=now, changed_by=actor.person_id,
                            submitting_institution=institution_id, snapshot=fields)
    if is_transferred(record.kind.value, current.kind if current else None):
        version.queue_for_dakpr(now)  # written with the version: no change without its delivery
    head = RecordHead(version_partition(record_id), HEAD_KEY, record_id=record_id, version_number=number,
                      owner_person_id=person_id, owner_record_key=key, status=ACTIVE,
                      fingerprint=fingerprint(person_id, key, fields), via=writer.via, changed_at=now)
    return RecordItems(item, version, head)


def writes_version(number: int, kind: str, previous_kind: str | None) -> bool:
    """Whether version `number` is written as a `RecordVersion` item. Version 1 of a record that
    is not transferred is not: the `Record` item carries it (its fields, `created_at`/`created_by`,
    `version` 1, its institution) until the first change writes it out (`first_version`) — one
    item less per new row. A transferred version is its own DAKPR outbox entry: always an item."""
    return number > 1 or is_transferred(kind, previous_kind)


def first_version(record: Record) -> RecordVersion:
    """Version 1 of a record still at version 1, as the item it would have been written as: what
    `record_with_versions` shows while the record carries it, and what the first change writes."""
    return RecordVersion(version_partition(record.record_id), version_key(1), record_id=record.record_id,
                         version_number=1, owner_person_id=record.person_id, owner_record_key=record.record_key,
                         change=CREATE, changed_at=record.created_at, changed_by=record.created_by,
                         submitting_institution=str(record.institution_id), snapshot=record_fields(record))


def first_version_writes(current: Record | None, head: RecordHead | None) -> list[Write]:
    """The first change of a record written at version 1 writes that version out first, from the
    record as read, so every version stays readable as an item. In the change's transaction, under
    its head condition (at version 1 as read): a racing first change is refused with it. The put is
    unconditional: a record created before version 1 was carried by the record already has this
    very item, and writing it again changes nothing. A transferred version 1 is never written here:
    it was written at creation and carries its DAKPR delivery, which must not be overwritten."""
    if current is None or head is None or int(head.version_number) != 1 or int(current.version) != 1:
        return []
    if writes_version(1, current.kind, None):
        return []
    return [Write("put", first_version(current))]


def head_condition(head: RecordHead | None) -> Any:
    """Every change is conditional on the head as read: the guard against concurrent writers."""
    if head is None:
        return RecordHead.person_id.does_not_exist()
    return RecordHead.version_number == head.version_number


def stale(current: Record | None) -> Problem:
    version = int(current.version) if current is not None else None
    return Problem(P.record.conflict, extra={"current_version": version})


def plan_record(
    record: RecordBase, person_id: str, writer: Writer, *, head: RecordHead | None, current: Record | None,
    now: datetime, expected_version: int | None = None, moves: Moves = NO_MOVES, journal_apart: bool = False,
) -> Plan:
    """The writes that make `record` the next version, given the head and current record as read,
    with the movement items it opens or closes (`read_moves`). Raises `Problem` for a refusal
    (stale version, annulled, a file row undoing an API change). `journal_apart`: the journal's
    changes are carried on the plan, not written (an upload groups them: `journal_units`)."""
    record_id = record_id_for(writer.institution_id, record.source_id)
    if expected_version is not None and (current is None or int(current.version) != expected_version):
        raise stale(current)
    if head is not None and head.status == ANNULLED:
        raise Problem(P.record.annulled)
    fields = record.fields()
    key = record_key(record.kind.value, record.sort_date.isoformat(), record_id)
    from_file_over_api = writer.via == VIA_UPLOAD and head is not None and head.via == VIA_API
    if head is not None and head.fingerprint == fingerprint(person_id, key, fields):
        # The same content again (a retried request, a re-uploaded file): nothing changes twice. A
        # file that now agrees with a change made through the API has caught up with it.
        sync = (Write("update", head, head_condition(head), (RecordHead.via.set(VIA_UPLOAD),)),) \
            if from_file_over_api else ()
        return Plan(record_id, int(head.version_number), created=False, changed=False, writes=sync)
    if from_file_over_api:
        changed_on = vilnius_date(head.changed_at).isoformat() if head and head.changed_at else ""
        raise Problem(P.row.conflict, "The record was changed through the API after its last upload.",
                      extra={"changed_on": changed_on})
    number = int(head.version_number) + 1 if head else 1
    items = record_items(record, person_id, writer, number=number, now=now, current=current)
    before = record_fields(current) if current else None
    writes = [Write("put", items.head, head_condition(head)), *first_version_writes(current, head)]
    if writes_version(number, record.kind.value, current.kind if current else None):
        writes.append(Write("put", items.version, RecordVersion.person_id.does_not_exist()))
    if current is None:
        writes.append(Write("put", items.record, Record.person_id.does_not_exist()))
    elif (current.person_id, current.record_key) != (person_id, key):
        # The sort date or the person changed: the record moves to its new key.
        writes += [Write("delete", current, Record.version == current.version),
                   Write("put", items.record, Record.person_id.does_not_exist())]
    else:
        writes.append(Write("put", items.record, Record.version == current.version))
    changes = [Change(person_id, UPDATE if current else CREATE, record_id, before, fields)]
    if current is not None and current.person_id != person_id:
        changes.append(Change(current.person_id, UPDATE, record_id, before, {"moved_to_another_person": True}))
    if not journal_apart:
        writes += [Write("put", change.event(writer.actor, writer.correlation_id)) for change in changes]
    writes += movement_writes(moves, person_id, vilnius_date(now))
    return Plan(record_id, number, created=current is None, changed=True, writes=tuple(writes),
                journal=tuple(changes) if journal_apart else ())


def plan_annulment(current: Record, head: RecordHead, reason: str, writer: Writer, now: datetime, *,
                   moves: Moves = NO_MOVES) -> Plan:
    """The writes that annul `current` (kept in its versions and the journal), closing the
    movement items `moves` names (`annulled_moves`)."""
    record_id, number = current.record_id, int(current.version) + 1
    fields = record_fields(current)
    version = RecordVersion(version_partition(record_id), version_key(number), record_id=record_id,
                            version_number=number, owner_person_id=current.person_id,
                            owner_record_key=current.record_key, change=ANNUL, changed_at=now,
                            changed_by=writer.actor.person_id, submitting_institution=writer.institution_id,
                            snapshot=fields | {"status": ANNULLED, "annul_reason": reason})
    if is_transferred(current.kind, current.kind):
        version.queue_for_dakpr(now)  # DAKPR must hear that the document no longer stands
    annulled_head = RecordHead(version_partition(record_id), HEAD_KEY, record_id=record_id, version_number=number,
                               owner_person_id=current.person_id, owner_record_key=current.record_key,
                               status=ANNULLED, via=writer.via, changed_at=now,
                               fingerprint=fingerprint(current.person_id, current.record_key, fields, ANNULLED))
    return Plan(record_id, number, created=False, changed=True, writes=(
        Write("put", annulled_head, head_condition(head)),
        *first_version_writes(current, head),
        Write("put", version, RecordVersion.person_id.does_not_exist()),
        Write("update", current, Record.version == current.version,
              (Record.status.set(ANNULLED), Record.annul_reason.set(reason), Record.version.set(number),
               Record.updated_at.set(now), Record.updated_by.set(writer.actor.person_id))),
        Write("put", new_event(current.person_id, ANNUL, writer.actor, record_id=record_id, before=fields,
                               after={"status": ANNULLED, "annul_reason": reason},
                               correlation_id=writer.correlation_id)),
        *movement_writes(moves, current.person_id, vilnius_date(now), MOVE_ANNULLED),
    ))


# --- applying plans -----------------------------------------------------------------------------


class Refused(Exception):
    """A transaction was cancelled by the conditions of some of its plans (their indexes)."""

    def __init__(self, plans: list[int]) -> None:
        super().__init__(f"{len(plans)} plans refused by their conditions")
        self.plans = plans


class Writes(Protocol):
    """What `apply` writes: a plan, or a unit of plans (`journal_units`)."""

    @property
    def writes(self) -> tuple[Write, ...]: ...


def apply(plans: Sequence[Writes]) -> None:
    """All writes of `plans` in one transaction: all or nothing. Raises `Refused` naming the plans
    whose conditions failed (another writer was first)."""
    writes = [(index, write) for index, plan in enumerate(plans) for write in plan.writes]
    if not writes:
        return
    # PynamoDB sends condition checks, deletes, puts, then updates: cancellation reasons come in that order.
    ordered = [entry for action in ("check", "delete", "put", "update") for entry in writes
               if entry[1].action == action]
    try:
        with transaction(Record) as tx:
            for _, write in ordered:
                if write.action == "check":
                    item: Any = write.item
                    tx.condition_check(type(item), *_raw_key(item), condition=write.condition)
                elif write.action == "put":
                    tx.save(write.item, condition=write.condition)
                elif write.action == "delete":
                    tx.delete(write.item, condition=write.condition)
                else:
                    tx.update(write.item, actions=list(write.actions), condition=write.condition)
    except TransactWriteError as exc:
        reasons = list(getattr(exc, "cancellation_reasons", None) or [])
        failed = sorted({ordered[i][0] for i, reason in enumerate(reasons)
                         if reason is not None and reason.code == "ConditionalCheckFailed"})
        if failed:
            raise Refused(failed) from None
        raise


def apply_in_groups(plans: Sequence[Writes], attempts: int = 5) -> list[int]:
    """Apply many plans in as few transactions as fit (100 items each, no item twice in one).
    Returns the indexes of plans refused by their conditions; every other plan is written. A group
    cancelled for another reason (a concurrent transaction on the same items) is tried again."""
    refused: list[int] = []
    for group in _groups(plans):
        pending = list(group)
        for attempt in range(attempts):
            try:
                apply([plans[i] for i in pending])
                break
            except Refused as exc:
                lost = {pending[i] for i in exc.plans}
                refused += sorted(lost)
                pending = [i for i in pending if i not in lost]
            except TransactWriteError as exc:
                if exc.cause_response_code not in ("TransactionCanceledException", "TransactionConflictException",
                                                   "ThrottlingException", "ProvisionedThroughputExceededException") \
                        or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * 2 ** attempt)
            if not pending:
                break
    return refused


def _groups(plans: Sequence[Writes]) -> Iterable[list[int]]:
    group: list[int] = []
    size, keys = 0, set[tuple[str, Any, Any]]()
    for index, plan in enumerate(plans):
        if not plan.writes:
            continue
        plan_keys = {_key(write.item) for write in plan.writes}
        if group and (size + len(plan.writes) > MAX_TRANSACTION_ITEMS or plan_keys & keys):
            yield group
            group, size, keys = [], 0, set()
        group.append(index)
        size += len(plan.writes)
        keys |= plan_keys
    if group:
        yield group


# A journal item lists at most this many records, and this much of their content (JSON as stored):
# far below DynamoDB's 400 KB an item (a record's fields may hold some 4,000 characters, twice).
MAX_LISTED = 25
MAX_LISTED_BYTES = 200_000


@dataclass(frozen=True)
class Unit:
    """Plans applied whole with the journal items listing their changes: a record is never
    written without its journal entry, nor an entry without its record."""

    plans: tuple[int, ...]
    writes: tuple[Write, ...]


def journal_units(plans: Sequence[Plan], writer: Writer) -> list[Unit]:
    """Plans carrying their journal's changes (`plan_record(journal_apart=True)`) grouped per
    person, with one journal item per person listing them (`listing_event`). A person's plans are
    split into several units when they would list more than `MAX_LISTED` records or
    `MAX_LISTED_BYTES`, exceed a transaction (100 items), or name one item twice (DynamoDB refuses
    that within a transaction). A plan with no change to tell (a head catching up) is a unit alone;
    a plan with no writes is in none."""
    groups: dict[str | int, list[int]] = {}
    for index, plan in enumerate(plans):
        if plan.writes:
            groups.setdefault(plan.journal[0].person_id if plan.journal else index, []).append(index)
    units: list[Unit] = []
    for indexes in groups.values():
        unit: list[int] = []
        size, listed_bytes, keys = 0, 0, set[tuple[str, Any, Any]]()
        for index in indexes:
            plan = plans[index]
            plan_keys = {_key(write.item) for write in plan.writes}
            plan_bytes = sum(len(json.dumps(change.listed())) for change in plan.journal)
            persons = {change.person_id for i in [*unit, index] for change in plans[i].journal}
            if unit and (len(unit) >= MAX_LISTED or listed_bytes + plan_bytes > MAX_LISTED_BYTES
                         or size + len(plan.writes) + len(persons) > MAX_TRANSACTION_ITEMS or plan_keys & keys):
                units.append(_unit(plans, unit, writer))
                unit, size, listed_bytes, keys = [], 0, 0, set()
            unit.append(index)
            size, listed_bytes, keys = size + len(plan.writes), listed_bytes + plan_bytes, keys | plan_keys
        units.append(_unit(plans, unit, writer))
    return units


def _unit(plans: Sequence[Plan], indexes: list[int], writer: Writer) -> Unit:
    changes: dict[str, list[Change]] = {}
    for index in indexes:
        for change in plans[index].journal:
            changes.setdefault(change.person_id, []).append(change)
    events = [Write("put", listing_event(person_id, writer.actor, listed, writer.correlation_id))
              for person_id, listed in changes.items()]
    return Unit(tuple(indexes), tuple(write for index in indexes for write in plans[index].writes) + tuple(events))


def _raw_key(item: RegisterModel) -> tuple[Any, Any]:
    range_name = item._range_keyname
    return getattr(item, str(item._hash_keyname)), (getattr(item, range_name) if range_name else None)


def _key(item: RegisterModel) -> tuple[str, Any, Any]:
    """(logical table, hash key, range key): DynamoDB refuses a transaction naming one item twice."""
    hash_key, range_key = item._get_hash_range_key_serialized_values()
    return item.logical_table(), hash_key, range_key


# --- the single-change path (API, and upload rows that need a fresh look) -------------------------


@dataclass
class PersonLookup:
    """The person a record names and whether they are the writing institution's pupil, read once."""

    person: Person | None
    pupil_here: bool = False
    enrolments: frozenset[str] = field(default_factory=frozenset)


def look_up_person(record: RecordBase, institution_id: str) -> PersonLookup:
    try:
        person: Person | None = Person.get(record.person_id, consistent_read=True)
    except Person.DoesNotExist:
        person = None
    if not needs_relation(record, person):
        return PersonLookup(person)
    enrolments = schools_of(record.person_id)
    return PersonLookup(person, institution_id in enrolments, enrolments)


def write_record(
    record: RecordBase, institution_id: str, actor: Actor, correlation_id: str | None = None, *,
    expected_version: int | None = None, via: str = VIA_API,
) -> Outcome:
    """Write one validated record whose access has been decided: read the person and the head,
    plan, apply. A lost race is `record.conflict` (the API) — the caller reads again."""
    from chalicelib.services.suspension import note_identity_mismatches

    writer = Writer(institution_id, actor, via, correlation_id)
    found = look_up_person(record, institution_id)
    problem = identity_problem(record, found.person, pupil_here=found.pupil_here)
    if problem is not None:
        if problem.code == P.person.identity_mismatch and note_identity_mismatches(institution_id, actor.person_id, 1):
            # Past the day's limit the answer is the suspension, never "mismatch": however many
            # requests run at once, no more guesses are answered than the limit allows.
            raise refusal(policy.SUSPENDED)
        raise problem
    now = datetime.now(UTC)
    plans = [plan_person(new_person(record, institution_id, actor.person_id, now))] if found.person is None else []
    if found.person is not None and institution_id in (found.person.disputed_institutions or ()):
        plans.append(plan_settled_dispute(found.person, institution_id))
    record_id = record_id_for(institution_id, record.source_id)
    head = record_head(record_id)
    current = current_record(head)
    moves = read_moves(record, writer, head, person_known=found.person is not None, today=vilnius_date(now))
    plans.append(plan_record(record, record.person_id, writer, head=head, current=current, now=now,
                             expected_version=expected_version, moves=moves))
    try:
        apply(plans)
    except Refused:
        raise stale(current_record(record_head(record_id))) from None
    plan = plans[-1]
    return Outcome(plan.record_id, plan.number, created=plan.created, changed=plan.changed)


def current_record(head: RecordHead | None) -> Record | None:
    if head is None:
        return None
    try:
        return Record.get(head.owner_person_id, head.owner_record_key, consistent_read=True)
    except Record.DoesNotExist:
        return None


# --- the API's use cases ------------------------------------------------------------------------


def submit_record(
    caller: CallerFacts, institution_id: str, raw: dict[str, Any], correlation_id: str | None = None,
    today: date | None = None,
) -> Outcome:
    actor = _acting(caller, institution_id)
    try:
        record = validate_record(raw, today=today)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    return _noted(institution_id, write_record(record, institution_id, actor, correlation_id))


def _noted(institution_id: str, outcome: Outcome) -> Outcome:
    """An API write that changed something has committed: move the institution's activity forward
    (after the transaction, not in it — docs/STATE.md section 1). The upload notes its own."""
    if outcome.changed:
        from chalicelib.services.reporting import api_change_committed

        api_change_committed(institution_id)
    return outcome


def _acting(caller: CallerFacts, institution_id: str) -> Actor:
    decision = require(policy.write_records(caller, institution_id))
    profile = institution_profile(institution_id)
    if profile is None:
        raise Problem(P.institution.not_found)
    return Actor(caller.person_id, decision.acting_role, institution_id, profile.name)


def _located(institution_id: str, record_id: str, head: RecordHead | None = None) -> Record:
    """The current record with this id, if it is this institution's (404 otherwise, whoever's it is)."""
    if head is None and len(record_id) <= 64:
        head = record_head(record_id)
    current = current_record(head)
    if current is None or current.institution_id != institution_id:
        raise Problem(P.record.not_found)
    return current


def _expected_version(body: dict[str, Any]) -> int:
    version = body.pop("version", None)
    if isinstance(version, bool) or not isinstance(version, int):
        reason = "required" if version is None else "type"
        raise invalid([FieldError("version", reason)])
    return version


def correct_record(
    caller: CallerFacts, institution_id: str, record_id: str, body: dict[str, Any], *,
    correlation_id: str | None = None, today: date | None = None,
) -> Outcome:
    """`PUT`: replace a record's fields, given the version read (stale: 409 with the current one)."""
    actor = _acting(caller, institution_id)
    body = dict(body)
    expected = _expected_version(body)
    current = _located(institution_id, record_id)
    source_id = body.setdefault("source_id", current.source_id)
    if source_id != current.source_id:
        raise invalid([FieldError("source_id", "mismatch")])
    if current.status != ACTIVE:
        raise Problem(P.record.annulled)
    try:
        record = validate_record(body, today=today)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    return _noted(institution_id, write_record(record, institution_id, actor, correlation_id,
                                               expected_version=expected))


def annul_record(
    caller: CallerFacts, institution_id: str, record_id: str, body: dict[str, Any], correlation_id: str | None = None
) -> Outcome:
    """`DELETE`: annul with a reason. The record leaves the history view; its versions and the
    journal keep it."""
    actor = _acting(caller, institution_id)
    try:
        annulment = validate_model(AnnulmentInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    head = record_head(record_id)
    current = _located(institution_id, record_id, head)
    if current.status != ACTIVE:
        return Outcome(record_id, int(current.version), created=False, changed=False)  # annulled already
    if annulment.version is not None and annulment.version != current.version:
        raise stale(current)
    assert head is not None
    plan = plan_annulment(current, head, annulment.reason, Writer(institution_id, actor, VIA_API, correlation_id),
                          datetime.now(UTC), moves=annulled_moves(current))
    try:
        apply([plan])
    except Refused:
        raise stale(current_record(record_head(record_id))) from None
    return _noted(institution_id, Outcome(record_id, plan.number, created=False, changed=True))


def record_with_versions(caller: CallerFacts, institution_id: str, record_id: str) -> dict[str, Any]:
    """A record as its institution sees it, with every earlier version (who, when, what)."""
    require(policy.act_for_institution(caller, institution_id, policy.READ))
    current = _located(institution_id, record_id)
    stored = list(RecordVersion.query(version_partition(record_id), RecordVersion.record_key.startswith("V#"),
                                      consistent_read=True))
    if int(current.version) == 1 and not stored:
        stored = [first_version(current)]  # carried by the record until its first change
    versions = [
        {"version": int(v.version_number), "change": v.change, "changed_at": v.changed_at.isoformat(),
         "changed_by": v.changed_by, "fields": v.snapshot, "dakpr_state": v.dakpr_state,
         "dakpr_registration_number": v.dakpr_registration_number}
        for v in stored
    ]
    return {"record_id": record_id, "person_id": current.person_id, "institution_id": institution_id,
            "status": current.status, "annul_reason": current.annul_reason, "version": int(current.version),
            "dakpr_registration_number": current.dakpr_registration_number,
            **record_fields(current), "versions": versions}
