"""Periodic compliance work."""

from celery import shared_task

from compliance import audit


@shared_task(acks_late=True)
def audit_chain_verify(*, full: bool = False) -> int | None:
    """Verify the audit trail from its checkpoint (from the first entry with `full`); a break is logged."""
    return audit.audit_chain_verify(full=full)
