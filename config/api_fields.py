"""Serializer fields every API input uses: numbers and dates in ASCII digits, free text visible and bounded.

`tests/test_input_fields.py` fails when an input serializer declares DRF's own field where one of
these exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rest_framework import serializers

from config.text import NON_ASCII_DIGITS, NUMBER_MAX_LENGTH, has_non_ascii, visible_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _AsciiDigits:
    """Read the sent value only when it is written with the digits 0-9."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {"non_ascii_digits": NON_ASCII_DIGITS}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and has_non_ascii(data):
            self.fail("non_ascii_digits")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class IntegerField(_AsciiDigits, serializers.IntegerField):
    """A whole number sent as a JSON number or ASCII digits."""


class DecimalField(_AsciiDigits, serializers.DecimalField):
    """A decimal number sent as a string of ASCII digits."""


class DateField(_AsciiDigits, serializers.DateField):
    """An ISO date in ASCII digits."""


class DateTimeField(_AsciiDigits, serializers.DateTimeField):
    """An ISO date and time in ASCII digits."""


class CharField(serializers.CharField):
    """Free text: a length limit is required, invisible format and control characters are refused."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(visible_text)


class NumberTextField(_AsciiDigits, serializers.CharField):
    """A number kept as text for the schedule module to read (rates and amounts with their own rules)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=NUMBER_MAX_LENGTH, **kwargs)
