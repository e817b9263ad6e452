"""`manage.py audit_verify [--full]`: check the audit trail's keyed hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.audit import audit_chain_verify
from compliance.selectors import audit_status


class Command(BaseCommand):
    help = "Verify the audit trail from its checkpoint (or, with --full, from the first entry)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="Re-verify every entry, not only those since the checkpoint."
        )

    def handle(self, *args: Any, full: bool, **options: Any) -> None:
        broken = audit_chain_verify(full=full)
        if broken is not None:
            raise CommandError(f"The audit trail is broken at entry {broken}.")
        checkpoint = audit_status().checkpoint
        assert checkpoint is not None  # the verification just wrote it
        self.stdout.write(f"The audit trail is intact through entry {checkpoint.last_event_id}.")
