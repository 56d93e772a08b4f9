"""Lithuanian legal entity code (juridinio asmens kodas): 9 digits, the last a mod-11 check digit
computed as for personal codes over the first eight (Registrų centras' published scheme)."""

from __future__ import annotations

from chalicelib.domain.checksum import mod11_check_digit


def legal_entity_code_error(raw: str) -> str | None:
    """The reason a code is bad (`characters`, `length`, `checksum`), or None if it is good."""
    code = raw.strip()
    if not code.isascii() or not code.isdigit():
        return "characters"
    if len(code) != 9:
        return "length"
    if mod11_check_digit(code[:8]) != int(code[8]):
        return "checksum"
    return None


def make_legal_entity_code(first_eight: str) -> str:
    """Append the check digit (demo data, tests)."""
    if len(first_eight) != 8 or not first_eight.isdigit():
        raise ValueError("eight digits expected")
    return first_eight + str(mod11_check_digit(first_eight))
