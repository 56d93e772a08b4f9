"""Table `institutions`: per institution its profile, data-processing permits and representatives.

`item` = `PROFILE` / `PERMIT#<permit_id>` / `STAFF#<person_id>`; the `item_type` discriminator
makes a Query on an institution return each item as its own class. The sparse GSI `by_staff_person`
(only STAFF items carry `staff_person_id`) answers "where is this person a representative".
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel

PROFILE_ITEM = "PROFILE"


def permit_item(permit_id: str) -> str:
    return f"PERMIT#{permit_id}"


def staff_item(person_id: str) -> str:
    return f"STAFF#{person_id}"


class ByStaffPersonIndex(GlobalSecondaryIndex["InstitutionItem"]):
    class Meta:
        index_name = "by_staff_person"
        projection = AllProjection()

    staff_person_id = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute(range_key=True)


class ByItemTypeIndex(GlobalSecondaryIndex["InstitutionItem"]):
    """Every item of one type, e.g. all institution profiles (the ministry's list): a Query, not a Scan."""

    class Meta:
        index_name = "by_item_type"
        projection = AllProjection()

    item_type = UnicodeAttribute(hash_key=True)
    institution_id = UnicodeAttribute(range_key=True)


class InstitutionItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "institutions"

    institution_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    version = VersionAttribute()

    by_staff_person = ByStaffPersonIndex()
    by_item_type = ByItemTypeIndex()


class InstitutionProfile(InstitutionItem, discriminator="PROFILE"):
    name = UnicodeAttribute()
    legal_entity_code = UnicodeAttribute()
    municipality = UnicodeAttribute()


class Permit(InstitutionItem, discriminator="PERMIT"):
    permit_id = UnicodeAttribute()
    scope = UnicodeSetAttribute()  # {"read"} or {"read", "write"}
    valid_from = UnicodeAttribute()  # ISO date, inclusive
    valid_to = UnicodeAttribute()  # ISO date, inclusive
    state = UnicodeAttribute(default="ACTIVE")  # ACTIVE / SUSPENDED / REVOKED
    changed_at = UTCDateTimeAttribute(null=True)
    changed_by = UnicodeAttribute(null=True)


class StaffMember(InstitutionItem, discriminator="STAFF"):
    staff_person_id = UnicodeAttribute()
    role = UnicodeAttribute(default="REPRESENTATIVE")


def permits_of(institution_id: str) -> list[Permit]:
    """An institution's permits: one Query on its partition."""
    items = InstitutionItem.query(institution_id, InstitutionItem.item.startswith("PERMIT#"))
    return [item for item in items if isinstance(item, Permit)]


def institutions_staffed_by(person_id: str) -> list[str]:
    """Institutions where the person is listed as a representative: one Query on the sparse index."""
    return [item.institution_id for item in InstitutionItem.by_staff_person.query(person_id)]


def institution_profile(institution_id: str) -> InstitutionProfile | None:
    try:
        item = InstitutionItem.get(institution_id, PROFILE_ITEM)
    except InstitutionItem.DoesNotExist:
        return None
    return item if isinstance(item, InstitutionProfile) else None


def all_profiles() -> list[InstitutionProfile]:
    return [item for item in InstitutionItem.by_item_type.query("PROFILE") if isinstance(item, InstitutionProfile)]


def staff_of(institution_id: str) -> list[StaffMember]:
    items = InstitutionItem.query(institution_id, InstitutionItem.item.startswith("STAFF#"))
    return [item for item in items if isinstance(item, StaffMember)]
