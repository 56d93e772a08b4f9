"""Text normalisation shared by every free-text field: what a register may store as a name or a note."""

from __future__ import annotations

import unicodedata

# Unicode categories refused anywhere: controls, invisible format characters (zero-width spaces and
# joiners, bidi overrides, BOM), surrogates, private use and unassigned code points. They make two
# names that look the same compare different, or hide text from the person reading it.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_NAME_PUNCTUATION = frozenset(" -'.’")


class TextError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_text(value: object, max_length: int) -> str | None:
    """NFC-normalised, trimmed text, or None if empty. Raises `TextError` with a reason."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TextError("type")
    # Check the raw length first so a 1 MB string is refused before any per-character work.
    if len(value) > max_length * 4:
        raise TextError("too_long")
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        return None
    if len(text) > max_length:
        raise TextError("too_long")
    # Tabs and newlines inside notes are fine; other controls are not.
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES and ch not in "\t\n" for ch in text):
        raise TextError("characters")
    return text


def clean_name(value: object, max_length: int = 100) -> str | None:
    """A person's name: letters (any script, with combining marks), spaces, hyphens, apostrophes."""
    text = clean_text(value, max_length)
    if text is None:
        return None
    if any(not (unicodedata.category(ch)[0] in "LM" or ch in _NAME_PUNCTUATION) for ch in text):
        raise TextError("characters")
    return " ".join(text.split())


def fold(value: str) -> str:
    """Lower-case, without diacritics, `_` for spaces and dashes: for matching headers and choices."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(bare.replace("-", " ").replace("/", " ").split())
