"""Periodic financing work."""

from celery import shared_task

from financing import services


@shared_task(acks_late=True)
def offerings_close_due() -> list[int]:
    """Close offerings whose closing time has passed; one that failed waits out its back-off."""
    return services.offerings_close_due()
