"""Table `persons`: one item per person."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute, VersionAttribute

from chalicelib.models.base import RegisterMeta, RegisterModel


class Person(RegisterModel):
    class Meta(RegisterMeta):
        table = "persons"

    # The personal code, or a register-issued `MR-...` id for people without one.
    person_id = UnicodeAttribute(hash_key=True)
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    birth_date = UnicodeAttribute(null=True)  # ISO date; None when unknown
    sex = UnicodeAttribute(null=True)  # "M" / "F" as the personal code says
    # Where the current names came from: VIISP (the Population Register), or who typed them.
    source = UnicodeAttribute(default="INSTITUTION")
    # The institution that first put this person in the register (None: the gateway, the ministry,
    # or data from before this was kept). Only that institution may correct names it typed.
    created_institution = UnicodeAttribute(null=True)
    # Institutions whose names for this person the Population Register contradicted (at the person's
    # gateway login): their enrolments grant no reading until they name the person as the register
    # does (docs/ACCESS.md). Kept on the person's summary too, which the access check reads.
    disputed_institutions = UnicodeSetAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()
