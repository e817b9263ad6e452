"""Periodic compliance work."""

from celery import shared_task

from compliance import audit


@shared_task(acks_late=True)
def audit_chain_verify(*, full: bool = False) -> int | None:
    """Verify the audit trail from its checkpoint (from the first entry with `full`); a break is logged."""
    return audit.audit_chain_verify(full=full)


@shared_task(acks_late=True)
def sanctions_rescreen(*, list_version_id: int) -> int | None:
    """Screen every party against a list version, with progress on its run; the run's id."""
    from compliance.screening.services import sanctions_rescreen as rescreen

    run = rescreen(list_version_id=list_version_id)
    return run.pk if run else None


@shared_task(acks_late=True)
def kyc_evidence_sweep() -> dict[str, int]:
    """Lapse stale professional-investor evidence and send reminders before it lapses (daily)."""
    from compliance.services import kyc_evidence_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def licences_recheck() -> list[int]:
    """Check the licence of every open offering's arranger; the ids of the alerts newly raised."""
    from compliance.licences.services import licences_recheck as recheck

    return [case.pk for case in recheck()]


@shared_task(acks_late=True)
def pep_reviews_raise() -> int:
    """A yearly review alert for each PEP relationship a year after its last approval or review."""
    from compliance.pep import pep_reviews_raise as raise_reviews

    return len(raise_reviews())
