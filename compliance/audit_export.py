"""The audit trail as CSV, streamed: the sentence, the raw fields and the hashes of each filtered entry.

Rows are read in chunks, so an export of the whole trail never holds it in memory, and each chunk's
objects are looked up once (as the page does). A cell a spreadsheet would run as a formula is prefixed
with an apostrophe.
"""

from __future__ import annotations

import csv
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


class _Line:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv_lines(viewer: User, events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header and one CSV line per entry, in the queryset's order."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADER)
    rows = events.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        for entry in audit_entries(viewer, chunk):
            event = entry.event
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
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
                    )
                ]
            )


def audit_csv_response(lines: Iterator[str]) -> StreamingHttpResponse:
    """A streamed CSV download named for the day it was taken."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"audit-trail-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
