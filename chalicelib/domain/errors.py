"""Stable error codes and their messages in Lithuanian and English.

A code is `validation.<field>.<reason>`; the reason part comes from `REASONS`, so the same reason
reads the same way on every field. Codes are a public contract (API, upload reports): add, never
rename.
"""

from __future__ import annotations

from dataclasses import dataclass

# reason -> (Lithuanian, English)
REASONS: dict[str, tuple[str, str]] = {
    "required": ("Privalomas laukas neužpildytas.", "This field is required."),
    "unknown": ("Nežinomas laukas.", "Unknown field."),
    "type": ("Netinkamas reikšmės tipas.", "Wrong type of value."),
    "too_long": ("Reikšmė per ilga.", "The value is too long."),
    "characters": ("Reikšmėje yra neleistinų simbolių.", "The value contains characters that are not allowed."),
    "length": ("Netinkamas simbolių skaičius.", "Wrong number of characters."),
    "century": ("Pirmas asmens kodo skaitmuo turi būti nuo 1 iki 6 arba 9.",
                "The first digit of a personal code must be 1 to 6, or 9."),
    "date": ("Tokios datos nėra.", "No such date."),
    "checksum": ("Nesutampa kontrolinis skaitmuo.", "The check digit does not match."),
    "format": ("Netinkamas formatas.", "Wrong format."),
    "future": ("Data negali būti ateityje.", "The date cannot be in the future."),
    "too_early": ("Data per ankstyva.", "The date is too early."),
    "before_start": ("Pabaiga negali būti ankstesnė už pradžią.", "The end cannot be before the start."),
    "range": ("Reikšmė už leistinų ribų.", "The value is out of range."),
    "choice": ("Reikšmė nėra iš leistinų.", "The value is not one of the allowed ones."),
    "mismatch": ("Nesutampa su asmens kodu.", "Does not match the personal code."),
    "not_applicable": ("Šiai įrašo rūšiai laukas netaikomas.", "This field does not apply to this kind of record."),
    "integer": ("Turi būti sveikasis skaičius.", "Must be a whole number."),
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: what the API returns in `errors` and an upload report lists."""

    field: str
    reason: str

    @property
    def code(self) -> str:
        return f"validation.{self.field}.{self.reason}"

    @property
    def message_lt(self) -> str:
        return REASONS[self.reason][0]

    @property
    def message_en(self) -> str:
        return REASONS[self.reason][1]

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message_en,
            "message_lt": self.message_lt,
        }


class DomainValidationError(ValueError):
    """Raised with every field problem found, never just the first."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.code for e in errors))
        self.errors = errors
