"""Who may see and change what (docs/ACCESS.md), as pure decisions over facts.

Handlers never decide access: they ask a service, which gathers the facts from the register's
current data (not from the token, which may be up to 15 minutes old) and asks these functions.
Every decision says why, for the log and for tests.

A refusal carries a registered code (`domain/problems.py`), never an HTTP status: the edge maps
codes to statuses. Refusals that concern a person are `person.not_found` (404): whether a
personal code is in the register is itself personal data. Refusals that concern an institution the
caller names are `access.*` (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain import problems as P
from chalicelib.domain.access import (
    AUDITOR,
    GUARDIAN,
    INSTITUTION_ADMINISTRATOR,
    MINISTRY,
    MINISTRY_ADMINISTRATOR_ROLE,
    MUNICIPALITY,
    REPRESENTATIVE,
    STAFF_REPRESENTATIVE,
)
from chalicelib.domain.kinds import shown_to_other_institutions

READ, WRITE = "read", "write"


@dataclass(frozen=True)
class CallerFacts:
    """What the register knows now about the caller (gathered per request)."""

    person_id: str
    is_ministry: bool = False
    # institution id -> scopes of its valid permits today, for institutions the caller is staff of
    staff_scopes: dict[str, frozenset[str]] = field(default_factory=dict)
    minor_children: frozenset[str] = frozenset()
    # Every child the Population Register gives, of any age or an unknown birth date: whose data
    # the caller must not audit (a conflict of interest whatever the child's age).
    children: frozenset[str] = frozenset()
    # Institutions where the caller's writes are suspended (too many identity mismatches): their
    # scopes there hold `read` only, and a write is refused as `representative.suspended`.
    suspended: frozenset[str] = frozenset()
    # Municipality codes (LT-57) where the caller is an official appointed by the ministry, valid
    # today (docs/STATE.md section 2): their institutions' reporting, statistics and the list of
    # children outside education — never a learning history.
    municipalities: frozenset[str] = frozenset()
    # Institutions where the caller's staff entry is an ADMINISTRATOR valid today, whatever the
    # permit: an administrator manages the institution's representatives, not its pupils' data.
    administers: frozenset[str] = frozenset()
    # Ministry roles valid today besides OFFICIAL (which is `is_ministry`): an ADMINISTRATOR appoints
    # and removes the ministry's people; an AUDITOR (data-protection auditor) sees who stood behind
    # each entry of a person's journal, for a stated case. Neither reads anything else.
    ministry_administrator: bool = False
    auditor: bool = False

    def institutions_with(self, scope: str) -> frozenset[str]:
        return frozenset(iid for iid, scopes in self.staff_scopes.items() if scope in scopes)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    code: P.Code | None = None  # the refusal's code (None when allowed)
    # On whose behalf the read happens, for the journal
    acting_role: str = ""
    acting_institution: str | None = None

    @staticmethod
    def allow(reason: str, role: str, institution: str | None = None) -> Decision:
        return Decision(True, reason, acting_role=role, acting_institution=institution)

    @staticmethod
    def deny(reason: str, code: P.Code) -> Decision:
        return Decision(False, reason, code=code)


PERSON_HIDDEN = Decision.deny("no relation to this person", P.person.not_found)
SUSPENDED = Decision.deny("writes suspended after too many identity mismatches; the ministry can lift it",
                          P.representative.suspended)
PURPOSE_REQUIRED = Decision.deny("the ministry must state a purpose", P.access.purpose_required)


def read_person(
    caller: CallerFacts, target: str, enrolled_at: frozenset[str], purpose: str | None,
    institution: str | None = None, *, former: frozenset[str] = frozenset(),
) -> Decision:
    """May `caller` read `target`'s history? `enrolled_at`: institutions the target attends or
    left within the window (`domain/access.enrolment_standing`); `former`: institutions whose
    every enrolment of the target ended before it — they read only the records they wrote.
    `institution`: the institution a representative acts for, if they name one."""
    if caller.person_id == target:
        return Decision.allow("own data", "self")
    if target in caller.minor_children:
        return Decision.allow("guardian of a minor", GUARDIAN)
    for schools, reason in ((enrolled_at, "representative of an institution the person attends or attended"),
                            (former, "representative of a former school: the records it wrote")):
        acting = _acting_for(caller, schools, institution)
        if acting:
            return Decision.allow(reason, REPRESENTATIVE, min(acting))
    if caller.is_ministry:
        if not purpose:
            return PURPOSE_REQUIRED
        return Decision.allow("ministry, with a stated purpose", MINISTRY)
    return PERSON_HIDDEN


def write_records(caller: CallerFacts, institution: str) -> Decision:
    """May `caller` submit, correct or annul records of `institution`?"""
    if WRITE in caller.staff_scopes.get(institution, frozenset()):
        return Decision.allow("representative with a valid write permit", REPRESENTATIVE, institution)
    if institution in caller.suspended:
        return SUSPENDED
    if institution in caller.staff_scopes:
        return Decision.deny("the institution's permit does not allow writing now", P.access.permit)
    return Decision.deny("not a representative of this institution", P.access.institution)


def act_for_institution(caller: CallerFacts, institution: str, scope: str = READ) -> Decision:
    """May `caller` use `institution`'s data with `scope` (uploads, rosters, its own permits)?"""
    if scope in caller.staff_scopes.get(institution, frozenset()):
        return Decision.allow("representative with a valid permit", REPRESENTATIVE, institution)
    if scope == WRITE and institution in caller.suspended:
        return SUSPENDED
    if institution in caller.staff_scopes:
        return Decision.deny("the institution's permit does not allow this now", P.access.permit)
    return Decision.deny("not a representative of this institution", P.access.institution)


def administer(caller: CallerFacts) -> Decision:
    """Institutions, permits and representatives are the ministry's."""
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    return Decision.deny("only the ministry manages institutions, permits and representatives",
                         P.access.ministry_only)


def manage_staff(caller: CallerFacts, institution: str, role: str, person_id: str) -> Decision:
    """May `caller` appoint or remove `person_id` as a staff entry of `institution` holding `role`
    (for a change, asked for both the stored role and the new one)? The ministry may, any role. An
    institution's administrator may appoint and remove its REPRESENTATIVEs only: never an
    administrator (a right must not come from data its holder writes), never elsewhere. No one,
    the ministry's official included, appoints, changes or removes themself: a right must not come
    from one's own decision (as `decide_application`'s `application.own`)."""
    if not caller.is_ministry and institution not in caller.administers:
        return Decision.deny("only the ministry or this institution's administrator manages its representatives",
                             P.access.administrator)
    if person_id == caller.person_id:
        return Decision.deny("no one appoints, changes or removes themself as staff", P.staff.self)
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    if role != STAFF_REPRESENTATIVE:
        return Decision.deny("only the ministry appoints or removes an institution's administrators",
                             P.staff.administrator)
    return Decision.allow("administrator of this institution", INSTITUTION_ADMINISTRATOR, institution)


APPLICANT = "applicant"


def read_application(caller: CallerFacts, applicant: str) -> Decision:
    """A permit application is its applicant's and the ministry's (docs/APPLICATIONS.md). To anyone
    else it is "not found", whether or not it exists: its id names a legal entity, and who applied
    for it is nobody else's business."""
    if caller.person_id == applicant:
        return Decision.allow("own application", APPLICANT)
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    return Decision.deny("neither the applicant nor the ministry", P.application.not_found)


def decide_application(caller: CallerFacts, applicant: str, responsible: str) -> Decision:
    """Approving or rejecting a permit application: the ministry's — but not by the person who made
    it or is named to administer the institution (a right must not come from one's own decision)."""
    if not caller.is_ministry:
        return Decision.deny("only the ministry decides permit applications", P.access.ministry_only)
    if caller.person_id in (applicant, responsible):
        return Decision.deny("an official does not decide an application they made or are named in",
                             P.application.own)
    return Decision.allow("ministry", MINISTRY)


def read_institution_log(caller: CallerFacts, institution: str) -> Decision:
    """An institution's own log (its applications, permits and staff changes): the ministry, and
    the institution's administrators valid today — not its plain representatives, whose staff
    changes it records, and not the institution's pupils."""
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    if institution in caller.administers:
        return Decision.allow("administrator of this institution", INSTITUTION_ADMINISTRATOR, institution)
    return Decision.deny("only the ministry or this institution's administrator reads its log",
                         P.access.administrator)
def manage_ministry_staff(caller: CallerFacts, person_id: str) -> Decision:
    """May `caller` appoint, change or remove the ministry's `person_id` (any ministry role)? A
    ministry administrator valid today, never on themself: a right must not come from data its
    holder writes, and an administrator who cannot touch their own appointment cannot end the last one."""
    if not caller.ministry_administrator:
        return Decision.deny("only a ministry administrator manages the ministry's roles",
                             P.access.ministry_administrator)
    if person_id == caller.person_id:
        return Decision.deny("a ministry administrator does not appoint or remove themself", P.ministry.self)
    return Decision.allow("ministry administrator", MINISTRY_ADMINISTRATOR_ROLE)


def see_ministry_staff(caller: CallerFacts) -> Decision:
    """The ministry's appointments: its administrators (who manage them)."""
    if caller.ministry_administrator:
        return Decision.allow("ministry administrator", MINISTRY_ADMINISTRATOR_ROLE)
    return Decision.deny("only a ministry administrator sees the ministry's roles", P.access.ministry_administrator)


def audit_journal(caller: CallerFacts, case: str | None) -> Decision:
    """May `caller` see who stood behind each entry of a person's journal? A data-protection
    auditor, for a stated case (the case reference becomes the lookup's own journal entry). Only
    the journal: the role has no branch in `read_person`, so no history, no records."""
    if not caller.auditor:
        return Decision.deny("only a data-protection auditor sees who stood behind a journal's entries",
                             P.access.auditor)
    if not case:
        return Decision.deny("an auditor must state the case", P.access.purpose_required)
    return Decision.allow("data-protection auditor, for a stated case", AUDITOR)


def audit_person(caller: CallerFacts, person_id: str) -> Decision:
    """Whose journal an auditor may audit: never their own, nor a child's of theirs (of any age, and
    whether or not the birth date is known) — they would learn who read their own family's data, what
    no citizen may learn, and the audit entry meant to show the citizen that someone looked would be
    shown to the auditor themself."""
    if person_id == caller.person_id or person_id in caller.children | caller.minor_children:
        return Decision.deny("an auditor does not audit their own or their child's journal", P.audit.self)
    return Decision.allow("data-protection auditor, for a stated case", AUDITOR)


def see_ministry_log(caller: CallerFacts) -> Decision:
    """The log of changes of the ministry's roles: its administrators, and its data-protection
    auditors (who check that no appointment was made to look a person up)."""
    if caller.ministry_administrator:
        return Decision.allow("ministry administrator", MINISTRY_ADMINISTRATOR_ROLE)
    if caller.auditor:
        return Decision.allow("data-protection auditor", AUDITOR)
    return Decision.deny("only a ministry administrator or a data-protection auditor reads the ministry's log",
                         P.access.ministry_administrator)


def see_activity(caller: CallerFacts, institution: str) -> Decision:
    """An institution's reporting activity: the ministry, or its representatives with a read permit."""
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    return act_for_institution(caller, institution, READ)


def see_municipality(caller: CallerFacts, municipality: str | None) -> Decision:
    """A municipality's state views (reporting, statistics, movements, children outside education):
    the ministry, or an official of that municipality. `None` is every municipality at once: the
    ministry's alone — an official names their municipality."""
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    if municipality is not None and municipality in caller.municipalities:
        return Decision.allow("official of this municipality", MUNICIPALITY)
    return Decision.deny("not an official of this municipality", P.access.municipality)


def see_outside_education(caller: CallerFacts, municipality: str, purpose: str | None) -> Decision:
    """The names on the list of children outside education (docs/STATE.md section 5): only an
    official of that municipality, with a stated purpose (each child shown is journaled with it).
    Not the ministry: it sees the national counts, never the children."""
    if municipality not in caller.municipalities:
        return Decision.deny("only an official of this municipality sees its children", P.access.municipality)
    if not purpose:
        return Decision.deny("an official must state a purpose", P.access.purpose_required)
    return Decision.allow("official of this municipality, with a stated purpose", MUNICIPALITY)


def see_institution(caller: CallerFacts, institution: str) -> Decision:
    """Reading an institution's permits: the ministry, or its own representatives."""
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    if institution in caller.staff_scopes:
        return Decision.allow("representative of this institution", REPRESENTATIVE, institution)
    return Decision.deny("not this institution's representative", P.access.institution)


def manage_person(
    caller: CallerFacts, *, exists: bool, enrolled_at: frozenset[str], names_from_population_register: bool,
    created_by_institution: str | None = None,
) -> Decision:
    """May `caller` create or correct a person (`PUT /persons/{id}`)?

    The ministry may. A representative may only correct a pupil of theirs; names and birth date
    are an identity others rely on (an enrolment is granted on them, docs/ACCESS.md), so only for a
    pupil their own institution put in the register, and never names that came from the
    Population Register (the authority on names). A representative adds a person with the
    person's first record, which the identity rule checks and counts; here, a code that is not
    their pupil is "not found" whether or not it is in the register, so this route does not tell.
    """
    if caller.is_ministry:
        return Decision.allow("ministry", MINISTRY)
    writable = caller.institutions_with(WRITE)
    if not writable:
        return SUSPENDED if caller.suspended else Decision.deny("no institution with a valid write permit",
                                                                P.access.permit)
    if not exists or not writable & enrolled_at:
        return PERSON_HIDDEN
    if names_from_population_register or created_by_institution not in writable & enrolled_at:
        return Decision.deny("only the institution that added this person may correct them, and never names "
                             "from the Population Register", P.person.names_authoritative)
    return Decision.allow("representative correcting a pupil their institution added", REPRESENTATIVE,
                          created_by_institution)


def _acting_for(caller: CallerFacts, institutions: frozenset[str], institution: str | None) -> frozenset[str]:
    readable = caller.institutions_with(READ) & institutions
    return readable & {institution} if institution is not None else readable


def record_visible(
    kind: str, record_institution: str | None, full_for: frozenset[str] | None, others: bool = True
) -> bool:
    """Does a reader see this record at all? `full_for`: the institutions whose records the reader
    sees in full (None: everything — the person, a guardian, the ministry). Of a pupil's records
    kept by *other* institutions a representative reads where the pupil learnt and what they
    finished — not other schools' subjects, exams, olympiads or achievements: the kinds and fields
    `domain/kinds.py` declares shared; a former school (`others` false) reads none of them."""
    if full_for is None or record_institution in full_for:
        return True
    return others and kind in shown_to_other_institutions()


def fields_shown(kind: str, record_institution: str | None, full_for: frozenset[str] | None) -> frozenset[str] | None:
    """Which fields of a visible record the reader sees (None: all of them)."""
    if full_for is None or record_institution in full_for:
        return None
    return shown_to_other_institutions().get(kind)


def readable_in_full(
    caller: CallerFacts, decision: Decision, enrolled_at: frozenset[str], institution: str | None = None, *,
    former: frozenset[str] = frozenset(),
) -> frozenset[str] | None:
    """For a read decided by `read_person`: the institutions whose records the caller sees in full.
    None (no restriction) for the person, a guardian and the ministry; for a representative, the
    institutions they read for where the person is enrolled (or, failing that, was long ago)."""
    if decision.acting_role != REPRESENTATIVE:
        return None
    return _acting_for(caller, enrolled_at, institution) or _acting_for(caller, former, institution)


def sees_other_schools(caller: CallerFacts, enrolled_at: frozenset[str], institution: str | None = None) -> bool:
    """Does a representative's read include what other schools declare shared? Only for a school
    the person attends or left within the window, not for a former one."""
    return bool(_acting_for(caller, enrolled_at, institution))


def visible_institutions(caller: CallerFacts) -> frozenset[str] | None:
    """Which institutions' profiles the caller may list: all (None) for the ministry, else the ones
    they are staff of (even with a lapsed permit: they may see why they cannot act)."""
    return None if caller.is_ministry else frozenset(caller.staff_scopes)
