"""W3C Bitstring Status List v1.0, the parts that are pure: the bitstring and its encoding, and which
of a transcript's records no longer stand as they were issued.

A list is `LIST_BITS` one-bit statuses (the standard's minimum, 131,072, for herd privacy); bit
`i` is the `i`-th bit from the left: the most significant bit of byte `i // 8` comes first. The
published form (`encodedList`) is multibase base64url without padding (prefix `u`) of the GZIP of
the bitstring. A set bit (statusPurpose `revocation`) means: withdrawn, for good.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable, Mapping
from typing import NamedTuple

LIST_BITS = 131_072
MULTIBASE_BASE64URL = "u"

ANNULLED = "annulled"
CHANGED = "changed"


def encode(set_bits: Iterable[int], length: int = LIST_BITS) -> str:
    """`encodedList` of a bitstring of `length` bits with exactly `set_bits` set."""
    bits = bytearray(length // 8)
    for index in set_bits:
        if not 0 <= index < length:
            raise ValueError("status index out of range")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same statuses always give the same bytes (and the same signature input).
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


class Withdrawn(NamedTuple):
    record_id: str
    change: str  # ANNULLED (or gone from the register) or CHANGED


class Head(NamedTuple):
    """What the register holds of a record now (its head): version and ACTIVE/ANNULLED."""

    version: int
    active: bool


def withdrawn_records(issued: Mapping[str, int], now: Mapping[str, Head]) -> list[Withdrawn]:
    """The records of a transcript (record id -> version at issue) that no longer stand as issued,
    in the transcript's order: annulled or gone, or at another version (changed or moved)."""
    found = []
    for record_id, version in issued.items():
        head = now.get(record_id)
        if head is None or not head.active:
            found.append(Withdrawn(record_id, ANNULLED))
        elif head.version != version:
            found.append(Withdrawn(record_id, CHANGED))
    return found

