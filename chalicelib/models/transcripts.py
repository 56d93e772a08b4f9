"""Table `transcripts`: the status lists that let anyone see whether a transcript was withdrawn
(W3C Bitstring Status List; docs/AUTH.md), and what each issued transcript covered.

Partition `list_id` = the list's number (`"1"`, `"2"`, ...), sort key `item`:

- `StatusList` (`LIST`): how many transcripts and record references the list holds (both bounded,
  so recomputing a list costs bounded time), the indices found withdrawn (a version never comes
  back, so a found one is never read again) and the last signed list with the time it was computed.
- `IssuedTranscript` (`E#<index>`): one issued transcript: its index in the list and the version
  of each record it states. No person id: the record ids are all the list needs.
- `OpenList` (partition `CURRENT`, item `POINTER`): the number of the list taking new transcripts.

The `item_type` discriminator makes a Query on a list return each item as its own class.
"""

from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.models.base import RegisterMeta, RegisterModel

LIST_ITEM = "LIST"
ENTRY_PREFIX = "E#"
POINTER_PARTITION, POINTER_ITEM = "CURRENT", "POINTER"


def entry_item(index: int) -> str:
    return f"{ENTRY_PREFIX}{index:06d}"


class TranscriptsItem(RegisterModel):
    class Meta(RegisterMeta):
        table = "transcripts"

    list_id = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()


class OpenList(TranscriptsItem, discriminator="POINTER"):
    number = NumberAttribute()


class StatusList(TranscriptsItem, discriminator="LIST"):
    created_at = UTCDateTimeAttribute()
    transcripts = NumberAttribute(default=0)
    record_refs = NumberAttribute(default=0)
    withdrawn = NumberSetAttribute(null=True)  # indices found withdrawn; only ever added to
    credential = UnicodeAttribute(null=True)  # the signed BitstringStatusListCredential (VC-JWT)
    computed_at = NumberAttribute(null=True)  # epoch seconds the credential was computed at
    refreshing_until = NumberAttribute(null=True)  # a recomputation's lease (epoch seconds)


class IssuedTranscript(TranscriptsItem, discriminator="ENTRY"):
    index = NumberAttribute()
    record_versions = JSONAttribute()  # {record_id: version stated in the transcript}
    issued_at = UTCDateTimeAttribute()


def open_list_number() -> int | None:
    try:
        pointer = OpenList.get(POINTER_PARTITION, POINTER_ITEM, consistent_read=True)
    except OpenList.DoesNotExist:
        return None
    return int(pointer.number)


def status_list(list_id: str) -> StatusList | None:
    try:
        return StatusList.get(list_id, LIST_ITEM, consistent_read=True)
    except StatusList.DoesNotExist:
        return None


def issued_transcripts(list_id: str) -> list[IssuedTranscript]:
    """Every transcript of a list: one Query (a list is bounded; see the module note)."""
    return list(IssuedTranscript.query(list_id, IssuedTranscript.item.startswith(ENTRY_PREFIX)))
