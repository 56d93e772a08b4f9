"""The mod-11 check digit shared by Lithuanian personal codes and legal entity codes."""

from __future__ import annotations


def mod11_check_digit(digits: str) -> int:
    """Check digit over `digits` (10 for personal codes, 8 for legal entity codes).

    First pass weights 1,2,...,9,1,...; if the remainder is 10 a second pass uses weights
    3,4,...,9,1,2,3,...; if that is 10 too, the check digit is 0.
    """
    values = [int(c) for c in digits]
    first = sum(v * (i % 9 + 1) for i, v in enumerate(values)) % 11
    if first != 10:
        return first
    second = sum(v * ((i + 2) % 9 + 1) for i, v in enumerate(values)) % 11
    return 0 if second == 10 else second
