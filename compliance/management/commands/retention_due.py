"""`manage.py retention_due`: list personal records past their retention date; it deletes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from compliance.retention import records_past_retention


class Command(BaseCommand):
    help = "List investor profiles, people and documents past their retention date (nothing is deleted)."

    def handle(self, *args: Any, **options: Any) -> None:
        due = records_past_retention()
        for record in due:
            self.stdout.write(f"{record.retain_until:%Y-%m-%d}\t{record.kind} #{record.pk}\t{record.name}")
        self.stdout.write(f"{len(due)} record{'' if len(due) == 1 else 's'} past retention.")
