"""Reference codes people quote: "GBA-2026-0007" for an offering, "APP-2026-0012" for an application.

The database assigns them on insert (a column default), so every way a row is created (a service, a
bulk factory, the admin) gets one, two concurrent inserts never share one, and a reference never
changes afterwards. On PostgreSQL the number comes from a sequence of its own (created by the
migration) and runs on across years, so the code alone is unique; the year is the Hong Kong year of
creation. SQLite (the embedded demo only) has no sequences and allows no sub-query in a default:
there the part after the year is six random hexadecimal digits, still unique (the column is).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Func, Value

OFFERING_PREFIX = "GBA"
APPLICATION_PREFIX = "APP"
OFFERING_SEQUENCE = "financing_offering_reference_seq"
APPLICATION_SEQUENCE = "financing_application_reference_seq"
SEQUENCES = (OFFERING_SEQUENCE, APPLICATION_SEQUENCE)
REFERENCE_MAX_LENGTH = 24


class ReferenceDefault(Func):
    """The column default: `prefix-YYYY-NNNN` (the Hong Kong year, the sequence's next number, 4+ digits)."""

    output_field = models.CharField()

    def __init__(self, prefix: str, sequence: str) -> None:
        super().__init__(Value(f"{prefix}-"), Value(sequence))

    def as_sql(  # type: ignore[override]  # a fixed template: no function or joiner to choose
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> Any:
        prefix, sequence = self.source_expressions
        prefix_sql, prefix_params = compiler.compile(prefix)
        sequence_sql, sequence_params = compiler.compile(sequence)
        sql = (
            f"({prefix_sql} || to_char(timezone('Asia/Hong_Kong', now()), 'YYYY') || '-' || "
            # At least four digits, never cut: lpad(n, 4) would truncate 10000 to "1000". Leading zeros
            # are put on, then taken off again as long as four digits remain (one nextval per row).
            f"regexp_replace('000' || nextval({sequence_sql}::regclass)::text, '^0*([0-9]{{4,}})$', '\\1'))"
        )
        return sql, [*prefix_params, *sequence_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        prefix_sql, prefix_params = compiler.compile(self.source_expressions[0])
        sql = f"({prefix_sql} || strftime('%%Y', 'now', '+8 hours') || '-' || upper(hex(randomblob(3))))"
        return sql, list(prefix_params)


def reference_field(prefix: str, sequence: str) -> models.CharField:
    """A unique reference code the database assigns on insert."""
    return models.CharField(
        max_length=REFERENCE_MAX_LENGTH,
        unique=True,
        editable=False,
        db_default=ReferenceDefault(prefix, sequence),
        help_text=f"Reference code quoted everywhere, e.g. {prefix}-2026-0007; assigned once, never changed.",
    )
