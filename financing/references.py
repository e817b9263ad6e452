"""Reference codes people quote: "GBA-2026-0007" for an offering, "APP-2026-0012" for an application.

The database assigns them on insert (a column default drawing on a sequence of its own), so every
way a row is created (a service, a bulk factory, the admin) gets one, two concurrent inserts never
share one, and a reference never changes afterwards. The year is the Hong Kong year of creation; the
number runs on across years so that the code alone is unique.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Cast, Concat, LPad

OFFERING_PREFIX = "GBA"
APPLICATION_PREFIX = "APP"
OFFERING_SEQUENCE = "financing_offering_reference_seq"
APPLICATION_SEQUENCE = "financing_application_reference_seq"
REFERENCE_MAX_LENGTH = 24


class NextValue(Func):
    """`nextval('sequence')`: the next number of a PostgreSQL sequence."""

    function = "nextval"
    output_field = models.BigIntegerField()


class HongKongYear(Func):
    """The current year in Hong Kong, as text (`to_char` of the local time there)."""

    template = "to_char(timezone('Asia/Hong_Kong', now()), 'YYYY')"
    output_field = models.CharField()

    def __init__(self) -> None:
        super().__init__()


def reference_default(prefix: str, sequence: str) -> Concat:
    """The column default: prefix, Hong Kong year and the sequence's next number, zero-padded to 4."""
    return Concat(
        Value(f"{prefix}-"),
        HongKongYear(),
        Value("-"),
        LPad(Cast(NextValue(Value(sequence)), models.CharField()), 4, Value("0")),
        output_field=models.CharField(),
    )


def reference_field(prefix: str, sequence: str) -> models.CharField:
    """A unique reference code the database assigns on insert."""
    return models.CharField(
        max_length=REFERENCE_MAX_LENGTH,
        unique=True,
        editable=False,
        db_default=reference_default(prefix, sequence),
        help_text=f"Reference code quoted everywhere, e.g. {prefix}-2026-0007; assigned once, never changed.",
    )
