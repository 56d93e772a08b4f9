"""Table `shares`: links a person made to show chosen records to someone (as Finland's KOSKI does).

The key is the SHA-256 of the link's secret: the table never holds a usable link. Expired links
are removed by TTL (and refused by the code before that); the sparse-free GSI `by_owner` lists a
person's own links.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import RegisterMeta, RegisterModel


class ByOwnerIndex(GlobalSecondaryIndex["ShareLink"]):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_person_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ShareLink(RegisterModel):
    class Meta(RegisterMeta):
        table = "shares"

    secret_hash = UnicodeAttribute(hash_key=True)
    share_id = UnicodeAttribute()  # the public name of the link, for listing and revoking
    owner_person_id = UnicodeAttribute()
    record_ids = UnicodeSetAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    revoked = BooleanAttribute(default=False)
    views = NumberAttribute(default=0)

    by_owner = ByOwnerIndex()
