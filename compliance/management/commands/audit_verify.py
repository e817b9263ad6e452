"""`manage.py audit_verify [--full]`: the earlier name of `verify_audit_log`, checking from the checkpoint."""

from __future__ import annotations

from compliance.management.commands.verify_audit_log import Command as VerifyAuditLog


class Command(VerifyAuditLog):
    help = "Verify the audit trail from its checkpoint (or, with --full, from the first entry)."
    full_by_default = False
