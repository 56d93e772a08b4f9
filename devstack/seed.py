"""A small but realistic demo register: institutions with permits and representatives, persons with
Lithuanian names and valid personal codes, records of every kind, a guardian with a minor child.

Everything is derived from the tables below, deterministically, so the printed identities are the
same on every start. Records go through the same domain validation as the API.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib.domain.access import (
    MINISTRY_ADMINISTRATOR,
    MINISTRY_AUDITOR,
    MINISTRY_OFFICIAL,
    STAFF_ADMINISTRATOR,
    STAFF_REPRESENTATIVE,
    ministry_partition,
)
from chalicelib.domain.dates import vilnius_date, vilnius_today
from chalicelib.domain.legal_entity import make_legal_entity_code
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.personal_code import PersonalCodeError, make_personal_code, parse_personal_code
from chalicelib.domain.records import validate_record
from chalicelib.models.base import transaction
from chalicelib.models.institutions import (
    PROFILE_ITEM,
    InstitutionProfile,
    Permit,
    StaffMember,
    permit_item,
    staff_item,
)
from chalicelib.models.officials import Official
from chalicelib.models.persons import Person
from chalicelib.services.journal import Actor
from chalicelib.services.persons import add_person_writes, find_person
from chalicelib.services.records import write_record

SEEDED_BY = "seed"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    given_name: str
    family_name: str
    sex: str
    birth: date
    serial: int
    role: str = "resident"

    @property
    def person_id(self) -> str:
        return make_personal_code(self.sex, self.birth, self.serial)


@dataclass(frozen=True)
class DemoInstitution:
    key: str
    name: str
    municipality: str  # its ISO 3166-2:LT code (chalicelib/domain/municipalities.py)
    code_prefix: str  # first 8 digits of the legal entity code
    representative: str  # DemoPerson.key
    permit: tuple[str, str, tuple[str, ...], str]  # valid_from, valid_to, scope, state

    @property
    def institution_id(self) -> str:
        return make_legal_entity_code(self.code_prefix)


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("ministry", "Rūta", "Vaitkienė", "F", date(1978, 4, 12), 101, "ministry"),
    DemoPerson("rep_vilnius", "Tomas", "Žukauskas", "M", date(1982, 9, 3), 214, "representative"),
    DemoPerson("rep_kaunas", "Asta", "Kazlauskienė", "F", date(1975, 1, 28), 332, "representative"),
    DemoPerson("rep_klaipeda", "Darius", "Petrauskas", "M", date(1969, 11, 17), 45, "representative"),
    DemoPerson("rep_siauliai", "Jolanta", "Stankevičienė", "F", date(1971, 6, 9), 118, "representative"),
    DemoPerson("guardian", "Laura", "Jankauskienė", "F", date(1984, 2, 29), 77, "guardian"),
    DemoPerson("official", "Vaida", "Rimkienė", "F", date(1980, 7, 7), 515, "official"),
    DemoPerson("auditor", "Eglė", "Mockienė", "F", date(1986, 10, 2), 433, "auditor (data protection)"),
    DemoPerson("minor", "Matas", "Jankauskas", "M", date(2012, 5, 14), 9, "minor"),
    DemoPerson("graduate", "Gabija", "Butkutė", "F", date(2007, 8, 21), 63, "resident"),
    DemoPerson("p01", "Lukas", "Paulauskas", "M", date(2008, 1, 5), 12),
    DemoPerson("p02", "Emilija", "Urbonaitė", "F", date(2008, 3, 30), 201),
    DemoPerson("p03", "Nojus", "Kavaliauskas", "M", date(2009, 7, 2), 88),
    DemoPerson("p04", "Austėja", "Navickaitė", "F", date(2009, 12, 24), 150),
    DemoPerson("p05", "Jokūbas", "Ramanauskas", "M", date(2010, 10, 10), 301),
    DemoPerson("p06", "Kamilė", "Savickaitė", "F", date(2011, 4, 18), 7),
    DemoPerson("p07", "Dominykas", "Žilinskas", "M", date(2007, 2, 11), 420),
    DemoPerson("p08", "Urtė", "Vasiliauskaitė", "F", date(2006, 9, 1), 33),
    DemoPerson("p09", "Benas", "Baranauskas", "M", date(2013, 3, 3), 58),
    DemoPerson("p10", "Gabrielė", "Mockutė", "F", date(2012, 11, 30), 640),
    DemoPerson("p11", "Herkus", "Budrys", "M", date(2010, 6, 6), 99),
    DemoPerson("p12", "Ieva", "Šimkutė", "F", date(2005, 5, 25), 170),
    DemoPerson("p13", "Arnas", "Černiauskas", "M", date(2004, 12, 31), 256),
    DemoPerson("p14", "Saulė", "Grigaitė", "F", date(2014, 1, 15), 310),
    DemoPerson("p15", "Rokas", "Pocius", "M", date(2011, 8, 8), 444),
    DemoPerson("p16", "Liepa", "Adomaitytė", "F", date(2009, 2, 14), 21),
)

INSTITUTIONS: tuple[DemoInstitution, ...] = (
    DemoInstitution("vilnius", "Vilniaus Žirmūnų gimnazija", "LT-57", "19053624",
                    "rep_vilnius", ("2025-01-01", "2027-12-31", ("read", "write"), "ACTIVE")),
    DemoInstitution("kaunas", "Kauno Jono Jablonskio gimnazija", "LT-15", "19098137",
                    "rep_kaunas", ("2024-09-01", "2028-08-31", ("read", "write"), "ACTIVE")),
    DemoInstitution("klaipeda", "Klaipėdos „Ąžuolyno“ gimnazija", "LT-20", "19042290",
                    "rep_klaipeda", ("2025-01-01", "2026-12-31", ("read",), "ACTIVE")),
    # A permit that has run out: its representative must not get in (for demos of refusal).
    DemoInstitution("siauliai", "Šiaulių profesinio rengimo centras", "LT-43", "30211571",
                    "rep_siauliai", ("2020-01-01", "2024-12-31", ("read", "write"), "ACTIVE")),
)

# Guardianship as the Population Register would report it: parent -> minor children.
GUARDIANSHIPS: dict[str, tuple[str, ...]] = {"guardian": ("minor",)}

PROGRAMMES = {
    "primary": "(101001101) Pradinio ugdymo programa",
    "basic": "(201001001) Pagrindinio ugdymo programa",
    "secondary": "(301001001) Vidurinio ugdymo programa",
    "vocational": "(320104101) Automobilių mechaniko modulinė profesinio mokymo programa",
}


def _records() -> list[tuple[str, str, dict[str, Any]]]:
    """(person key, institution key, template row) for every demo record."""
    rows: list[tuple[str, str, dict[str, Any]]] = []

    def add(person: str, inst: str, kind: str, **fields: Any) -> None:
        rows.append((person, inst, {"kind": kind, "source_id": f"{inst}-{len(rows) + 1:04d}", **fields}))

    # A graduate with a full history across two schools.
    add("graduate", "kaunas", "ENROLLMENT", start_date="2014-09-01", end_date="2022-06-30",
        programme=PROGRAMMES["basic"], **{"class": "8b"},
        learning_form="Grupinio mokymosi/Kasdienis", leaving_reason="MOVED_LT")
    add("graduate", "vilnius", "ENROLLMENT", start_date="2022-09-01", end_date="2026-06-30",
        programme=PROGRAMMES["secondary"], **{"class": "IVa"}, learning_form="Grupinio mokymosi/Kasdienis")
    add("graduate", "vilnius", "SUBJECT", subject="Informacinės technologijos", start_date="2024-09-01",
        end_date="2026-06-30", grade="10", teacher="Vytautas Kairys")
    add("graduate", "vilnius", "SUBJECT", subject="Filosofija", start_date="2024-09-01",
        end_date="2025-06-30", grade="įskaityta")
    add("graduate", "vilnius", "EXAM", subject="Matematika", start_date="2026-06-02", score=92, level="A")
    add("graduate", "vilnius", "EXAM", subject="Anglų kalba", start_date="2026-06-10", score=88, level="B2")
    add("graduate", "vilnius", "EXAM", subject="Lietuvių kalba ir literatūra", start_date="2026-06-05", score=79)
    add("graduate", "vilnius", "OLYMPIAD", subject="Informatika", start_date="2025-03-21", place="2",
        level="šalies", teacher="Vytautas Kairys")
    add("graduate", "vilnius", "ACHIEVEMENT", title="Jaunųjų mokslininkų konkurso laureatė",
        start_date="2025-05-15", level="national")
    add("graduate", "vilnius", "QUALIFICATION", document_type="Brandos atestatas", document_series="BA",
        document_number="0123456", issue_date="2026-07-01", programme=PROGRAMMES["secondary"])
    # The guardian's child, a current pupil.
    add("minor", "kaunas", "ENROLLMENT", start_date="2019-09-01", programme=PROGRAMMES["primary"],
        end_date="2023-06-30", **{"class": "4a"}, learning_form="Grupinio mokymosi/Kasdienis",
        language_of_instruction="lietuvių")
    add("minor", "kaunas", "ENROLLMENT", start_date="2023-09-01", end_date="2029-06-30",
        programme=PROGRAMMES["basic"], **{"class": "8a"}, learning_form="Grupinio mokymosi/Kasdienis")
    add("minor", "kaunas", "OLYMPIAD", subject="Matematika", start_date="2025-02-07", place="1",
        level="savivaldybės", teacher="Rasa Mikalauskienė")
    add("minor", "kaunas", "SUBJECT", subject="Robotika", start_date="2025-09-01", end_date="2026-06-30",
        **{"class": "8a"})
    # Current pupils at every school, with a mix of kinds.
    schools = ("vilnius", "kaunas", "klaipeda", "siauliai")
    for i, person in enumerate(p for p in PEOPLE if p.key.startswith("p")):
        school = schools[i % len(schools)]
        age = 2026 - person.birth.year
        grade = min(max(age - 6, 1), 12)
        gymnasium = grade >= 9  # classes 9-12 of a gymnasium are written I-IV
        klass = ("I", "II", "III", "IV")[grade - 9] if gymnasium else str(grade)
        klass += "abc"[i % 3]
        add(person.key, school, "ENROLLMENT", start_date=f"{2026 - min(age - 6, 11)}-09-01",
            end_date=f"{2026 + max(18 - age, 1)}-06-30",
            programme=PROGRAMMES["secondary" if gymnasium else "basic" if age >= 11 else "primary"],
            **{"class": klass}, learning_form="Grupinio mokymosi/Kasdienis")
        if gymnasium:
            add(person.key, school, "SUBJECT", subject="Ekonomika ir verslumas", start_date="2025-09-01",
                end_date="2026-06-30", grade=str(6 + i % 5))
        if age >= 18:
            add(person.key, school, "EXAM", subject="Istorija", start_date="2025-06-12", score=40 + 3 * i,
                level="A" if i % 2 else None)
        if i % 4 == 1:
            add(person.key, school, "ACHIEVEMENT", title="Respublikinis dailyraščio konkursas",
                start_date="2024-04-20")
    add("p13", "siauliai", "QUALIFICATION", document_type="Kvalifikacijos pažymėjimas",
        document_number="KP-004512", issue_date="2024-06-28", programme=PROGRAMMES["vocational"],
        title="Automobilių mechanikas")
    # The guardian's child's national achievement tests in grade 4 (a percentage, and points of a maximum).
    add("minor", "kaunas", "NATIONAL_TEST", grade_level="4", subject="Matematika", start_date="2023-05-09",
        score=78, level="pagrindinis")
    add("minor", "kaunas", "NATIONAL_TEST", grade_level="4 klasė", subject="Skaitymas", start_date="2023-05-11",
        score=31, max_points=40, level="aukštesnysis")
    return rows


def seed(today: date | None = None, extra_ministry: Sequence[str] = ()) -> dict[str, int]:
    """Write the demo register (idempotent: items are overwritten, not duplicated). `extra_ministry`:
    the personal codes of `MINISTRY_STAFF` the developer added (`seed_ministry_roles`)."""
    now = datetime.now(UTC)
    today = today or vilnius_date(now)
    people = {p.key: p for p in PEOPLE}
    for person in PEOPLE:
        if find_person(person.person_id) is not None:
            continue  # seeded before (the demo data is written once per stack)
        with transaction(Person) as tx:
            add_person_writes(tx, Person(person.person_id, given_name=person.given_name,
                                         family_name=person.family_name, birth_date=person.birth.isoformat(),
                                         sex=person.sex, source="SEED", created_at=now, updated_at=now,
                                         updated_by=SEEDED_BY), new=True)
    for inst in INSTITUTIONS:
        common: dict[str, Any] = {"created_at": now, "created_by": SEEDED_BY}
        iid = inst.institution_id
        InstitutionProfile(iid, PROFILE_ITEM, name=inst.name, legal_entity_code=iid,
                           municipality=inst.municipality, **common).save()
        valid_from, valid_to, scope, state = inst.permit
        Permit(iid, permit_item(f"{iid}-1"), permit_id=f"{iid}-1", scope=set(scope),
               valid_from=valid_from, valid_to=valid_to, state=state, **common).save()
        rep = people[inst.representative].person_id
        StaffMember(iid, staff_item(rep), staff_person_id=rep, role=staff_role(inst), **common).save()
    institutions = {i.key: i for i in INSTITUTIONS}
    count = 0
    for person_key, inst_key, row in _records():
        person, inst = people[person_key], institutions[inst_key]
        # Named in full, as a school's file names a pupil it has not enrolled yet (docs/ACCESS.md).
        record = validate_record(row | {"person_id": person.person_id, "given_name": person.given_name,
                                        "family_name": person.family_name, "birth_date": person.birth.isoformat()},
                                 today=today)
        # Through the register's own write path: versions and journal as for any submission.
        write_record(record, inst.institution_id,
                     Actor(people[inst.representative].person_id, "representative", inst.institution_id, inst.name))
        count += 1
    _regraded_exam(today)
    seed_reporting(now)
    seed_officials(now, today)
    seed_two_schools(now)
    seed_ministry_roles(now, today, extra_ministry)
    count += _moved_pupils(today)
    seed_applications()
    return {"persons": len(PEOPLE), "institutions": len(INSTITUTIONS), "records": count}


# A correction in the graduate's journal (what changed, old → new): her Lithuanian exam re-marked
# after an appeal, 79 → 81, through the same write path as any correction.
REGRADED = ("graduate", "vilnius", "Lietuvių kalba ir literatūra", 81)


def _regraded_exam(today: date) -> None:
    person_key, inst_key, subject, score = REGRADED
    people = {p.key: p for p in PEOPLE}
    inst = next(i for i in INSTITUTIONS if i.key == inst_key)
    _, _, row = next(r for r in _records() if r[0] == person_key and r[2].get("subject") == subject
                     and r[2]["kind"] == "EXAM")
    person = people[person_key]
    record = validate_record(row | {"score": score, "person_id": person.person_id, "given_name": person.given_name,
                                    "family_name": person.family_name, "birth_date": person.birth.isoformat()},
                             today=today)
    write_record(record, inst.institution_id,
                 Actor(people[inst.representative].person_id, "representative", inst.institution_id, inst.name))


# --- reporting discipline (docs/STATE.md section 1) --------------------------------------------------
# (institution, status, rows written, rows rejected, dry run, days ago) of the Vilnius school's
# uploads: more than one page of the school's history (5), one check-only run, one file refused.
DEMO_UPLOADS: tuple[tuple[str, str, int, int, bool, int], ...] = (
    ("vilnius", "DONE", 412, 3, False, 2), ("vilnius", "DONE", 0, 0, True, 3),
    ("vilnius", "REJECTED", 0, 1, False, 9), ("vilnius", "DONE", 398, 0, False, 40),
    ("vilnius", "DONE", 12, 2, False, 75), ("vilnius", "DONE", 405, 7, False, 200),
)


def seed_reporting(now: datetime) -> None:
    """An institution that reported recently and one that is overdue, so the ministry's reporting page
    shows both: the Vilnius school uploaded two days ago (its history above, reports in the bucket);
    the Klaipėda school last changed anything through the API 45 days ago and never uploaded (over
    the default 30-day period); the Kaunas school wrote through the API yesterday; the Šiauliai
    centre (its permit expired) never reported. Written after the records, whose own writes do not
    note activity, so these times are the demo's."""
    import io
    from datetime import timedelta

    from chalicelib import storage
    from chalicelib.models.institutions import ACTIVITY_ITEM, InstitutionActivity
    from chalicelib.models.uploads import Upload

    institutions = {i.key: i for i in INSTITUTIONS}
    people = {p.key: p for p in PEOPLE}
    latest: dict[str, Upload] = {}
    for number, (key, status, written, rejected, dry_run, days_ago) in enumerate(DEMO_UPLOADS, start=1):
        inst = institutions[key]
        at = now - timedelta(days=days_ago, hours=number)
        upload_id = f"demo-upload-{number:02d}"
        report = storage.report_key(inst.institution_id, upload_id, "json")
        for suffix, body, kind in (("json", b'{"problems": []}', "application/json"),
                                   ("csv", "\ufeffline;column;code\r\n".encode(), "text/csv; charset=utf-8")):
            storage.put_file(storage.report_key(inst.institution_id, upload_id, suffix), io.BytesIO(body), kind)
        upload = Upload(upload_id, institution_id=inst.institution_id,
                        uploaded_by=people[inst.representative].person_id, file_name=f"mokiniai-{number}.csv",
                        object_key=storage.incoming_key(inst.institution_id, upload_id, f"mokiniai-{number}.csv"),
                        dry_run=dry_run, status=status, rows_read=written + rejected, rows_written=written,
                        rows_rejected=rejected, report_key=report, created_at=at, updated_at=at, finished_at=at)
        upload.save()
        if not dry_run:
            latest.setdefault(key, upload)  # DEMO_UPLOADS lists the newest first
    activity = {"vilnius": (now - timedelta(days=1), latest.get("vilnius")),
                "kaunas": (now - timedelta(days=1), None), "klaipeda": (now - timedelta(days=45), None)}
    for key, (api_change, last) in activity.items():
        item = InstitutionActivity(institutions[key].institution_id, ACTIVITY_ITEM, last_api_change_at=api_change,
                                   created_at=now, created_by=SEEDED_BY)
        if last is not None:
            item.last_upload_id, item.last_upload_at = last.upload_id, last.created_at
            item.last_upload_status, item.last_upload_rows_written = last.status, last.rows_written
            item.last_upload_rows_rejected = last.rows_rejected
        item.save()


# Pupils moving school (docs/STATE.md section 4): two pupils of the Kaunas school enrolled at the
# Vilnius school while their Kaunas enrolments stay open — a movement item each, seen by both
# representatives; the first was enrolled long enough ago to be overdue on the ministry's page.
MOVED = (("p02", 45), ("p06", 10))  # (pupil, days since the Vilnius school enrolled them)


def _moved_pupils(today: date) -> int:
    from chalicelib.models.movements import Movement

    people = {p.key: p for p in PEOPLE}
    vilnius = next(i for i in INSTITUTIONS if i.key == "vilnius")
    actor = Actor(people[vilnius.representative].person_id, "representative", vilnius.institution_id, vilnius.name)
    for key, days in MOVED:
        person = people[key]
        record = validate_record({"kind": "ENROLLMENT", "source_id": f"vilnius-moved-{key}",
                                  "person_id": person.person_id, "given_name": person.given_name,
                                  "family_name": person.family_name, "birth_date": person.birth.isoformat(),
                                  "start_date": (today - timedelta(days=days)).isoformat(),
                                  "programme": PROGRAMMES["secondary"], "class": "IIb",
                                  "learning_form": "Grupinio mokymosi/Kasdienis"}, today=today)
        outcome = write_record(record, vilnius.institution_id, actor)
        # The item is opened today by the write; the demo dates it back to the enrolment, as if
        # written then (nothing but time makes an item overdue).
        for item in Movement.scan(Movement.new_record_id == outcome.record_id):
            item.update(actions=[Movement.opened_at.set((today - timedelta(days=days)).isoformat())])
    return len(MOVED)


# Issue 16, item 2: the Vilnius school's representative is also its administrator — appoints and
# removes the school's representatives (docs/ACCESS.md); the others are plain representatives.
ADMINISTERED = frozenset({"vilnius"})


def staff_role(inst: DemoInstitution) -> str:
    return STAFF_ADMINISTRATOR if inst.key in ADMINISTERED else STAFF_REPRESENTATIVE


def identities() -> list[tuple[str, str, str]]:
    """(role, name, personal code) of the people a tester logs in as."""
    today = vilnius_today().isoformat()
    rep_of = {
        i.representative: i.name + (" (permit expired)" if i.permit[1] < today else "")
        + (" (administrator)" if i.key in ADMINISTERED else "")
        for i in INSTITUTIONS
    }
    shown = []
    for person in PEOPLE:
        if person.role == "resident" and person.key != "graduate":
            continue
        role = person.role
        if person.key in rep_of:
            role = f"representative of {rep_of[person.key]}"
        elif person.key in OFFICIALS:
            role = f"official of {municipality_name(OFFICIALS[person.key])['lt']}"
        elif person.key in GUARDIANSHIPS:
            children = ", ".join(
                f"{c.given_name} {c.family_name}" for c in PEOPLE if c.key in GUARDIANSHIPS[person.key]
            )
            role = f"guardian of {children}"
        shown.append((role, f"{person.given_name} {person.family_name}", person.person_id))
    return shown + two_schools_identities()


# --- municipality officials (docs/STATE.md section 2) ---------------------------------------------
# DemoPerson.key -> the municipality the ministry appointed them an official of.
OFFICIALS: dict[str, str] = {"official": "LT-57"}


def seed_officials(now: datetime, today: date) -> None:
    """Appointments valid from a year ago for three years (the ministry's PUT writes the same item)."""
    people = {p.key: p for p in PEOPLE}
    for key, municipality in OFFICIALS.items():
        Official(municipality, people[key].person_id, valid_from=(today - timedelta(days=365)).isoformat(),
                 valid_to=(today + timedelta(days=3 * 365)).isoformat(), created_at=now, created_by=SEEDED_BY).save()


# --- the ministry's roles (docs/ACCESS.md, "Ministry roles") ------------------------------------------
# DemoPerson.key -> the ministry roles the demo appoints them to.
MINISTRY_ROLES_SEEDED: dict[str, tuple[str, ...]] = {"ministry": (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL),
                                                     "auditor": (MINISTRY_AUDITOR,)}


def seed_ministry_roles(now: datetime, today: date, extra: Sequence[str] = ()) -> None:
    """The demo's ministry appointments, valid from a year ago for three years. A developer's
    `MINISTRY_STAFF` codes get the demo ministry person's roles too: in the app that variable only
    bootstraps an administrator while the register has none, and the demo has one, so without
    this a code named there would grant nothing."""
    people = {p.key: p.person_id for p in PEOPLE}
    # The name an appointment keeps is the one read when it was made (the staff list shows it).
    names = {p.person_id: f"{p.given_name} {p.family_name}" for p in PEOPLE}
    appointed = [(people[key], role) for key, roles in MINISTRY_ROLES_SEEDED.items() for role in roles]
    appointed += [(code, role) for code in extra if code not in people.values()
                  for role in MINISTRY_ROLES_SEEDED["ministry"]]
    for person_id, role in appointed:
        Official(ministry_partition(role), person_id, valid_from=(today - timedelta(days=365)).isoformat(),
                 valid_to=(today + timedelta(days=3 * 365)).isoformat(), created_at=now, created_by=SEEDED_BY,
                 name=names.get(person_id)).save()


def guardianships() -> dict[str, list[str]]:
    """Guardianship by personal code, as the fake Population Register serves it."""
    people = {p.key: p for p in PEOPLE}
    return {people[g].person_id: [people[c].person_id for c in kids] for g, kids in GUARDIANSHIPS.items()}


def extra_ministry_staff(value: str) -> list[str]:
    """The personal codes of `MINISTRY_STAFF` (comma-separated), checked and normalised, in order.

    A bad entry stops the stack with its position and reason, never its value (it may be a real
    person's code)."""
    codes: list[str] = []
    for position, entry in enumerate((part for part in value.split(",") if part.strip()), start=1):
        try:
            code = parse_personal_code(entry).value
        except PersonalCodeError as exc:
            raise SystemExit(f"MINISTRY_STAFF: entry {position} is not a valid personal code ({exc})") from None
        if code not in codes:
            codes.append(code)
    return codes


def ministry_staff(extra: Sequence[str] = ()) -> list[str]:
    """The demo ministry staff, plus `extra` (added, never instead: the demo identities keep working)."""
    demo = [p.person_id for p in PEOPLE if p.role == "ministry"]
    return demo + [code for code in extra if code not in demo]


# How the fake gateway names a person it knows only from MINISTRY_STAFF (the register has no names
# for them: they are not seeded as persons).
EXTRA_MINISTRY_LABEL = "ministry (MINISTRY_STAFF)"
EXTRA_MINISTRY_NAME = ("Ministerijos", "Darbuotojas")


def gateway_identities(extra_ministry: Sequence[str] = ()) -> list[tuple[str, str, str, str]]:
    """What the fake gateway offers to log in as: (label, personal code, first name, last name)."""
    offered = []
    for role, name, code in identities():
        first, last = name.split(" ", 1)
        offered.append((role, code, first, last))
    known = {code for _, code, _, _ in offered}
    offered += [(EXTRA_MINISTRY_LABEL, code, *EXTRA_MINISTRY_NAME) for code in extra_ministry if code not in known]
    return offered


# --- Children outside education (docs/STATE.md section 5) ------------------------------------------
# The Population Register's residents feed as the fake serves it, and two school-age residents of
# Vilnius (LT-57) with no open enrolment: one whose enrolment at the Vilnius school ended when the
# family moved abroad, and one the register never met (no records, so no names: listed by code).
# Their birth dates follow today's year, so they stay of school age whenever the stack starts.

def outside_people(today: date) -> tuple[DemoPerson, DemoPerson]:
    return (DemoPerson("abroad", "Kajus", "Mikalauskas", "M", date(today.year - 11, 3, 14), 512),
            DemoPerson("never", "Ema", "Rimkutė", "F", date(today.year - 9, 10, 2), 513))


def _abroad_enrolment(today: date) -> dict[str, Any]:
    return {"kind": "ENROLLMENT", "source_id": "vilnius-abroad-1", "start_date": f"{today.year - 4}-09-01",
            "end_date": (today - timedelta(days=45)).isoformat(), "leaving_reason": "MOVED_ABROAD",
            "programme": PROGRAMMES["primary"], "class": "3a", "learning_form": "Grupinio mokymosi/Kasdienis"}


def residents(today: date) -> list[dict[str, str]]:
    """Every demo person and the two children, with a declared municipality: where their first
    school is (a representative: their school's; anyone else: Vilnius)."""
    people = {p.key: p for p in PEOPLE}
    where = {i.representative: i.municipality for i in INSTITUTIONS}
    institutions = {i.key: i for i in INSTITUTIONS}
    for person_key, inst_key, _ in _records():
        where.setdefault(person_key, institutions[inst_key].municipality)
    lines = [{"person_id": p.person_id, "municipality": where.get(p.key, "LT-57"), "birth_date": p.birth.isoformat()}
             for p in people.values()]
    return lines + [{"person_id": p.person_id, "municipality": "LT-57", "birth_date": p.birth.isoformat()}
                    for p in outside_people(today)]


def write_residents(path: Path, today: date | None = None) -> None:
    lines = residents(today or vilnius_today())
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def seed_outside_education(today: date | None = None) -> int:
    """Enrol and end the child who moved abroad, then run the nightly job for today — the pass over
    enrolments and the list refreshed from the residents feed (POPULATION_RESIDENTS_FILE, which
    must be configured by then); returns the children listed."""
    from chalicelib.models.outside_education import counts_of
    from chalicelib.services.snapshot import run_job

    today = today or vilnius_today()
    abroad, _ = outside_people(today)
    vilnius = next(i for i in INSTITUTIONS if i.key == "vilnius")
    row = _abroad_enrolment(today)
    record = validate_record(row | {"person_id": abroad.person_id, "given_name": abroad.given_name,
                                    "family_name": abroad.family_name, "birth_date": abroad.birth.isoformat()},
                             today=today)
    rep = next(p for p in PEOPLE if p.key == vilnius.representative)
    write_record(record, vilnius.institution_id,
                 Actor(rep.person_id, "representative", vilnius.institution_id, vilnius.name))
    run_job(today)
    counted = counts_of(today)
    return sum(int(n) for n in (counted.counts or {}).values()) if counted else 0


# --- statistics (docs/STATE.md section 3): classes large enough that the pages show numbers -------

# (institution key, class, girls, boys, birth year): counts of 5 and more, so open data publishes
# some cells, and a class of 3 that it withholds.
STATISTICS_CLASSES = (("vilnius", "5a", 6, 5, 2015), ("vilnius", "8b", 7, 6, 2012), ("vilnius", "IIa", 5, 6, 2010),
                      ("kaunas", "8a", 4, 3, 2012), ("klaipeda", "3b", 2, 1, 2017))


FAMILY_NAMES = (("Kazlauskaitė", "Kazlauskas"), ("Petrauskaitė", "Petrauskas"), ("Jankauskaitė", "Jankauskas"),
                ("Stankevičiūtė", "Stankevičius"), ("Vasiliauskaitė", "Vasiliauskas"), ("Žukauskaitė", "Žukauskas"),
                ("Butkutė", "Butkus"))


def seed_statistics_classes(today: date | None = None) -> int:
    """Whole classes of pupils enrolled this school year, through the write path (each pupil named,
    as a school's file names them). Idempotent: a pupil already in the register is skipped."""
    today = today or vilnius_today()
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1).isoformat()
    institutions = {i.key: i for i in INSTITUTIONS}
    representatives = {p.key: p.person_id for p in PEOPLE}
    written = 0
    for number, (inst_key, class_name, girls, boys, born) in enumerate(STATISTICS_CLASSES):
        inst = institutions[inst_key]
        for n in range(girls + boys):
            sex = "F" if n < girls else "M"
            code = make_personal_code(sex, date(born, 1 + n % 12, 1 + number), 600 + n)
            if find_person(code) is not None:
                continue
            row = {"kind": "ENROLLMENT", "person_id": code, "source_id": f"{inst_key}-stat-{number}-{n}",
                   "given_name": ("Ona", "Rūta", "Eglė", "Tomas", "Jonas", "Lukas")[n % 6 if sex == "F" else 3 + n % 3],
                   "family_name": FAMILY_NAMES[n % len(FAMILY_NAMES)][sex == "M"], "birth_date":
                   date(born, 1 + n % 12, 1 + number).isoformat(), "start_date": start, "class": class_name,
                   "programme": PROGRAMMES["secondary" if class_name.startswith("I") else "basic"],
                   "learning_form": "Grupinio mokymosi/Kasdienis"}
            write_record(validate_record(row, today=today), inst.institution_id,
                         Actor(representatives[inst.representative], "representative", inst.institution_id, inst.name))
            written += 1
    return written


# --- A representative of two institutions (issue 16: the school page's choice of institution) ------
# Her own person, not in PEOPLE: the tables above keep one representative per institution.
TWO_SCHOOLS = DemoPerson("rep_two", "Rasa", "Mažeikienė", "F", date(1986, 10, 2), 127, "representative")
TWO_SCHOOLS_AT = ("vilnius", "kaunas")


def seed_two_schools(now: datetime) -> None:
    """Rasa Mažeikienė: a REPRESENTATIVE (no validity: until removed) of the Vilnius and the Kaunas school."""
    person = TWO_SCHOOLS
    if find_person(person.person_id) is None:
        with transaction(Person) as tx:
            add_person_writes(tx, Person(person.person_id, given_name=person.given_name,
                                         family_name=person.family_name, birth_date=person.birth.isoformat(),
                                         sex=person.sex, source="SEED", created_at=now, updated_at=now,
                                         updated_by=SEEDED_BY), new=True)
    institutions = {i.key: i for i in INSTITUTIONS}
    for key in TWO_SCHOOLS_AT:
        iid = institutions[key].institution_id
        StaffMember(iid, staff_item(person.person_id), staff_person_id=person.person_id, role=STAFF_REPRESENTATIVE,
                    created_at=now, created_by=SEEDED_BY).save()


def two_schools_identities() -> list[tuple[str, str, str]]:
    """The banner's line: "representative of two schools (vilnius, kaunas)"; tests find her by that phrase."""
    person = TWO_SCHOOLS
    role = f"representative of two schools ({', '.join(TWO_SCHOOLS_AT)})"
    return [(role, f"{person.given_name} {person.family_name}", person.person_id)]


# --- Permit applications (docs/APPLICATIONS.md) ------------------------------------------------------
# One pending application by a demo citizen (the guardian) for a new school, so the ministry's
# review page has something to review. Made through the register's own service (validation, the
# one-pending marker), as the page makes it.
APPLICATION_PROVIDER = ("30117643", "Vilniaus „Saulėtekio“ progimnazija")


def seed_applications() -> None:
    from contextlib import suppress

    from chalicelib.domain.policy import CallerFacts
    from chalicelib.errors import Problem
    from chalicelib.services.applications import apply

    people = {p.key: p for p in PEOPLE}
    applicant = people["guardian"].person_id
    prefix, name = APPLICATION_PROVIDER
    # Seeded before, it is still pending: a second is refused (one per legal entity).
    with suppress(Problem):
        apply(CallerFacts(applicant), {
            "legal_entity_code": make_legal_entity_code(prefix), "name": name, "municipality": "LT-57",
            "scope": ["read", "write"], "purpose": "Mokinių mokymosi duomenų teikimas ir tvarkymas",
            "programmes": [PROGRAMMES["primary"], PROGRAMMES["basic"]], "responsible_person_id": applicant})
