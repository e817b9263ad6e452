"""What typed text may contain: the one rule for numbers and free text, and the length of each kind.

Numbers and dates are read with the digits 0-9 only: Python's `int`, `Decimal` and `\\d` also read
Arabic-Indic, full-width and other scripts' digits, so "١٢" would pass as 12 where a reviewer sees
something else. Free text refuses invisible characters: bidirectional controls (U+202A-202E,
U+2066-2069, U+200E/200F, U+061C) can make a name read differently from what is stored, and other
format or control characters hide text from the compliance officer who reads it.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Lengths of free text, shared by models, forms and serializers so the three always agree.
NAME_MAX_LENGTH = 200  # a person's or company's name, a title, an authority
SHORT_TEXT_MAX_LENGTH = 64  # a share class, an identity document number, a batch
REASON_MAX_LENGTH = 2_000  # a compliance decision's reason, a leased asset's description
LONG_TEXT_MAX_LENGTH = 5_000  # the use of proceeds
NUMBER_MAX_LENGTH = 64  # a number typed as text (rates, amounts)

NON_ASCII_DIGITS = _("Type numbers and dates with the digits 0-9 only.")
HIDDEN_CHARACTERS = _(
    "Remove the invisible character {name} (U+{code:04X}): text may not contain hidden "
    "formatting or direction controls."
)
# Line breaks and tabs are how multi-line text is written; every other control character is hidden.
_VISIBLE_CONTROLS = frozenset("\n\r\t")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def megabytes(size: int) -> str:
    """A size in bytes as a message says it ("10 MB", "10.1 MB")."""
    return f"{size / 1024 / 1024:.3g} MB"


def has_non_ascii(value: str) -> bool:
    """A number or date typed with anything but ASCII (other scripts' digits, full-width signs)."""
    return not value.isascii()


def hidden_character(value: str) -> str | None:
    """The first invisible format or control character in `value` (None when there is none)."""
    for character in value:
        if character in _VISIBLE_CONTROLS:
            continue
        if unicodedata.category(character) in _HIDDEN_CATEGORIES:
            return character
    return None


def hidden_character_message(character: str) -> str:
    """Why text with `character` is refused, naming the character."""
    name = unicodedata.name(character, "control character")
    return HIDDEN_CHARACTERS.format(name=name, code=ord(character))


@deconstructible
class VisibleTextValidator:
    """Refuse text that holds invisible format or control characters (one validator for every field)."""

    code = "hidden_characters"

    def __call__(self, value: object) -> None:
        character = hidden_character(str(value))
        if character is not None:
            raise ValidationError(hidden_character_message(character), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VisibleTextValidator)

    def __hash__(self) -> int:
        return hash(self.code)


visible_text = VisibleTextValidator()
