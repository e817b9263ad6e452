"""The audit trail as CSV, streamed: the sentence, the raw fields and the hashes of each filtered entry.

Rows are read in chunks, so an export of the whole trail never holds it in memory, and each chunk's
objects are looked up once (as the page does). A cell a spreadsheet would run as a formula is prefixed
with an apostrophe (`config.csv_export`, shared with the other exports).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from accounts.models import User
from compliance.models import AuditEvent
from compliance.selectors import audit_entries
from config.csv_export import csv_lines, csv_response

CSV_HEADER = [
    "id",
    "occurred_at",
    "actor",
    "actor_email",
    "sentence",
    "action",
    "object_type",
    "object_id",
    "from_status",
    "to_status",
    "reason",
    "data",
    "previous_hash",
    "hash",
    "key_id",
]
CHUNK = 500


def _audit_rows(viewer: User, events: QuerySet[AuditEvent]) -> Iterator[list[object]]:
    rows = events.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        for entry in audit_entries(viewer, chunk):
            event = entry.event
            yield [
                event.pk,
                event.occurred_at.isoformat(),
                event.actor.full_name if event.actor else "",
                event.actor.email if event.actor else "",
                str(entry.sentence),
                event.action,
                event.object_type,
                event.object_id,
                event.from_status,
                event.to_status,
                event.reason,
                json.dumps(event.data, sort_keys=True, cls=DjangoJSONEncoder),
                event.previous_hash,
                event.hash,
                event.key_id,
            ]


def audit_csv_lines(viewer: User, events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header and one CSV line per entry, in the queryset's order."""
    return csv_lines(CSV_HEADER, _audit_rows(viewer, events))


def audit_csv_response(lines: Iterator[str]) -> StreamingHttpResponse:
    """A streamed CSV download named for the day it was taken."""
    return csv_response(lines, f"audit-trail-{timezone.localdate():%Y-%m-%d}.csv")
