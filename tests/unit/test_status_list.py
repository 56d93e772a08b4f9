"""The status list's bitstring as W3C Bitstring Status List v1.0 defines it, decoded here the way
any verifier would (stdlib only), and which records withdraw a transcript."""

from __future__ import annotations

import base64
import gzip

import pytest

from chalicelib.domain.status_list import ANNULLED, CHANGED, LIST_BITS, Head, Withdrawn, encode, withdrawn_records


def unpack(encoded: str) -> bytes:
    assert encoded[0] == "u" and "=" not in encoded  # multibase base64url, no padding
    return gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))


def test_bit_zero_is_the_leftmost_bit_and_the_list_has_the_minimum_length() -> None:
    bits = unpack(encode({0, 9, LIST_BITS - 1}))
    assert len(bits) == 16 * 1024 == LIST_BITS // 8
    assert (bits[0], bits[1], bits[-1]) == (0b1000_0000, 0b0100_0000, 0b0000_0001)
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_an_empty_list_is_small_and_the_encoding_is_stable() -> None:
    assert len(encode(())) < 100  # 16 KB of zeros compress to a few dozen bytes
    assert encode({5, 6}) == encode([6, 5])  # no timestamp in the GZIP header: same input, same bytes


@pytest.mark.parametrize("index", [-1, LIST_BITS])
def test_an_index_outside_the_list_is_refused(index: int) -> None:
    with pytest.raises(ValueError):
        encode({index})


def test_which_records_withdraw_a_transcript() -> None:
    issued = {"Ra": 1, "Rb": 2, "Rc": 1, "Rd": 3}
    now = {"Ra": Head(1, True), "Rb": Head(2, False), "Rd": Head(4, True)}  # Rc is gone
    assert withdrawn_records(issued, now) == [
        Withdrawn("Rb", ANNULLED), Withdrawn("Rc", ANNULLED), Withdrawn("Rd", CHANGED)]
    assert withdrawn_records({"Ra": 1}, now) == []
