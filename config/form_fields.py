"""Form fields every page form uses: numbers and dates in ASCII digits, free text visible and bounded.

`tests/test_input_fields.py` fails when a form declares Django's own field where one of these exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.text import NON_ASCII_DIGITS, has_non_ascii, visible_text


class _AsciiDigits:
    """Read the typed value only when it is written with the digits 0-9."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and has_non_ascii(value):
            raise ValidationError(NON_ASCII_DIGITS, code="non_ascii_digits")
        return super().to_python(value)  # type: ignore[misc]


class IntegerField(_AsciiDigits, forms.IntegerField):
    """A whole number typed with ASCII digits."""


class DecimalField(_AsciiDigits, forms.DecimalField):
    """A decimal number typed with ASCII digits."""


# Dates are typed day-month-year, as in Hong Kong and Macao (and understood on the mainland): a browser's
# own date picker follows the browser's locale instead (mm/dd/yyyy for an en-US browser), so the input is
# plain text. ISO dates (2026-12-31) are accepted too: what scripts, the API and older pages send.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
DATE_SHOWN_FORMAT = "%d/%m/%Y"


class DayMonthYearInput(forms.DateInput):
    """A text input for a day-month-year date (DD/MM/YYYY), numeric keypad on phones."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"inputmode": "numeric", "autocomplete": "off", "placeholder": _("DD/MM/YYYY"), "size": 10}
        super().__init__(attrs={**defaults, **(attrs or {})}, format=DATE_SHOWN_FORMAT)


class DateField(_AsciiDigits, forms.DateField):
    """A date typed with ASCII digits, day-month-year (or ISO)."""

    widget = DayMonthYearInput
    input_formats = DATE_INPUT_FORMATS


class DateTimeField(_AsciiDigits, forms.DateTimeField):
    """A date and time typed with ASCII digits."""


class CharField(forms.CharField):
    """Free text: a length limit is required, invisible format and control characters are refused."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.validators.append(visible_text)
