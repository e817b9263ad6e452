"""`manage.py verify_audit_log [--since-checkpoint]`: name the first altered or missing audit entry.

Walks the whole trail by default (the daily beat check does the same); `--since-checkpoint` checks
only the entries written since the last verification. A break exits with status 1 and names the entry.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.audit import audit_chain_check
from compliance.selectors import audit_status


class Command(BaseCommand):
    help = "Verify the audit trail from the first entry and name the first altered or missing entry."
    full_by_default = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Re-verify every entry, from the first.")
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="Verify only the entries written since the last verification.",
        )

    def handle(self, *args: Any, full: bool, since_checkpoint: bool, **options: Any) -> None:
        broken = audit_chain_check(full=full or (self.full_by_default and not since_checkpoint))
        if broken is not None:
            raise CommandError(f"The audit trail is broken at entry {broken.event_id}: {broken.describe()}.")
        checkpoint = audit_status().checkpoint
        assert checkpoint is not None  # the verification just wrote it
        self.stdout.write(f"The audit trail is intact through entry {checkpoint.last_event_id}.")
